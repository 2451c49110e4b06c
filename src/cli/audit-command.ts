/**
 * `tessera audit verify`: walks every audit chain and reports tampering (see
 * `src/store/audit-log.ts`, `verifyAuditChains`). On PostgreSQL it may run while the servers
 * do; on the embedded database it opens the data folder itself, which only one process may do at
 * a time, so stop the server first.
 */
import type { Config } from '../config/config.js';
import { openDatabase } from '../main.js';
import { migrate } from '../store/migrate.js';
import { verifyAuditChains, type AuditProblemKind } from '../store/audit-log.js';

const USAGE = 'Usage: tessera audit verify   check the audit trail\'s hash chains (embedded database: stop the server first)\n';

/** What each problem means, for the operator reading the report. */
const EXPLAIN: Record<AuditProblemKind, string> = {
  'hash-mismatch': 'the row was changed after it was written',
  'broken-link': 'the row does not follow the one before it (rows replaced or reordered)',
  'missing-row': 'the row at this position was deleted',
  'head-mismatch': 'the chain ends before its recorded head (rows deleted from the end, or the head changed)',
};

/** Runs `tessera audit SUBCOMMAND`; exit code 0 when the trail is intact, 1 when tampering is found. */
export async function runAudit(config: Config, args: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  if (args[0] !== 'verify' || args.length > 1) {
    err.write(USAGE);
    return 1;
  }
  const db = await openDatabase(config);
  try {
    await migrate(db);
    const res = await verifyAuditChains(db);
    for (const p of res.problems) out.write(`chain ${p.chainKey} seq ${p.seq}: ${p.problem} — ${EXPLAIN[p.problem]}\n`);
    if (res.problemCount > res.problems.length) out.write(`… and ${res.problemCount - res.problems.length} more problems\n`);
    const checked = `Checked ${res.chains} audit chains, ${res.events} events`;
    if (res.problemCount === 0) {
      out.write(`${checked}: intact\n`);
      return 0;
    }
    out.write(`${checked}: ${res.problemCount} problem${res.problemCount === 1 ? '' : 's'} — the audit trail has been tampered with\n`);
    return 1;
  } finally {
    await db.close();
  }
}
