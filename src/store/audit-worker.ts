/**
 * The audit writer's worker thread (started by `audit-thread.ts`): receives batches of access
 * records from the server's main thread and appends them to the trail over its own PostgreSQL
 * connection, so serialising, hashing and sending them costs the thread that answers requests
 * nothing but one message per batch. Logs go back to the main thread's logger.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AccessRecord } from '../audit/access-record.js';
import type { AuditSourceNames } from '../audit/stored-access.js';
import { openPostgresDatabase } from './postgres-database.js';
import { writeAuditBatch, type AuditLogger } from './audit-log.js';
import type { FromAuditThread, ToAuditThread } from './audit-thread.js';

/** What the main thread passes when it starts this worker. */
export interface AuditWorkerData {
  databaseUrl: string;
  chain: string;
  source: AuditSourceNames;
}

const port = parentPort;
if (!port) throw new Error('audit-worker.ts runs only as a worker thread');
const data = workerData as AuditWorkerData;
const send = (m: FromAuditThread) => port.postMessage(m);
const log: AuditLogger = {
  warn: (obj, msg) => send({ type: 'log', level: 'warn', obj, msg }),
  error: (obj, msg) => send({ type: 'log', level: 'error', obj, msg }),
};

const db = await openPostgresDatabase(data.databaseUrl, 1);
// Batches are written one at a time, in the order they arrive: the chain of promises is the queue.
let writing: Promise<void> = Promise.resolve();
port.on('message', (m: ToAuditThread) => {
  if (m.type === 'batch') {
    const records: AccessRecord[] = m.records;
    writing = writing.then(async () => {
      await writeAuditBatch(db, log, records, data.source, data.chain);
      send({ type: 'stored', id: m.id });
    });
  } else {
    writing = writing.then(async () => {
      await db.close();
      port.close();
    });
  }
});
