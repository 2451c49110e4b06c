/** Global test setup: placeholder until the PostgreSQL cluster harness lands. */
export default async function setup(): Promise<() => Promise<void>> {
  return async () => {};
}
