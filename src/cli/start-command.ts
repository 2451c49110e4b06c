/** `tessera start`: serve until SIGINT/SIGTERM. */
import type { Config } from '../config/config.js';
import { createTessera } from '../main.js';
import { formatDemoUsers, listDemoUsers } from '../auth/demo-users.js';
import { DEMO_LIMITED_ACCESS } from './demo-access-level.js';

/** Starts the server and prints where everything is. Resolves -1: the process keeps running. */
export async function runStart(config: Config): Promise<number> {
  const started = Date.now();
  const t = await createTessera(config);
  const address = await t.app.listen({ port: config.port, host: config.host });
  const base = config.baseUrl ?? address.replace('127.0.0.1', 'localhost');
  process.stdout.write(
    [
      '',
      `Tessera is ready (${((Date.now() - started) / 1000).toFixed(1)} s, ${t.db.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL'})`,
      `  Home page:   ${base}/`,
      `  Patient app: ${base}/patient   (sign in as \`patient\` or \`carer\` below)`,
      `  FHIR API:    ${base}/fhir   (CapabilityStatement: ${base}/fhir/metadata)`,
      `  Health:      ${base}/healthz`,
      `  SMART:       ${base}/.well-known/smart-configuration`,
      '',
    ].join('\n') + '\n',
  );
  const users = await listDemoUsers(t.db);
  if (users.length > 0) {
    process.stdout.write(`Demo users (sign in with these; \`tessera users\` lists them again):\n${formatDemoUsers(users)}\n`);
    if (users.some((u) => u.username === DEMO_LIMITED_ACCESS.username)) process.stdout.write(`(${DEMO_LIMITED_ACCESS.username}'s practice has set their online access to the ${DEMO_LIMITED_ACCESS.level} record.)\n`);
  }
  const stop = async () => {
    await t.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1;
}
