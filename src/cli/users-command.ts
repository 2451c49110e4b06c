/**
 * `tessera users`: lists the demo users with their roles, records and passwords (demo use only:
 * real users' passwords are never stored in a readable form).
 */
import type { CliUser } from '../auth/cli-credentials.js';
import { formatDemoUsers, type DemoUser } from '../auth/demo-users.js';
import { openCliAuthSource, type TokenCommandConfig } from './token-command.js';

/** The demo users among `users`, in the printed shape. */
export function demoUsersOf(users: readonly CliUser[]): DemoUser[] {
  return users
    .filter((u) => u.demoPassword)
    .map((u) => ({
      username: u.username, password: u.demoPassword!, role: u.role, displayName: u.displayName,
      ...(u.fhirUser ? { fhirUser: u.fhirUser } : {}),
      ...(u.proxyFor?.length ? { proxyFor: u.proxyFor.map((id) => `Patient/${id}`) } : {}),
    }));
}

/** Prints the table; exit code 0. */
export async function runUsers(config: TokenCommandConfig, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const source = await openCliAuthSource(config);
  try {
    out.write(formatDemoUsers(demoUsersOf(source.users)));
    return 0;
  } finally {
    await source.close();
  }
}
