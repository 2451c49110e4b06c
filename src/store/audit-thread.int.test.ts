/**
 * The audit writer's worker thread on a real PostgreSQL: batches stored from the worker into
 * the writer's chain, `flush` and `close` waiting for them, and nothing lost when the worker
 * cannot start or stops half-way (the main thread takes over).
 */
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { createPostgresDatabase } from '../../test/support/test-store.js';
import type { AccessRecord } from '../audit/access-record.js';
import { openPostgresDatabase } from './postgres-database.js';
import { migrate } from './migrate.js';
import type { Database } from './database.js';
import { auditSinks, listPatientAccess, verifyAuditChains } from './audit-log.js';

const T0 = Date.parse('2026-03-04T10:00:00.000Z');

function read(patientId: string, i: number): AccessRecord {
  return {
    action: 'read', outcome: 'success', at: new Date(T0 + i), patientIds: [patientId], entities: [`Observation/o${i}`],
    agent: { reference: 'Practitioner/9', display: 'Dr Ada Okafor', role: 'gp', clientId: 'clinician-app' }, purpose: 'TREAT',
  };
}

async function chainLength(db: Database, chain: string): Promise<number> {
  return Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE chain_key = $1', [chain])).rows[0]!.n);
}

describe('audit batches written from a worker thread (postgres)', () => {
  let url: string;
  let db: Database;
  type LogFn = (obj: object, msg: string) => void;
  let log: { warn: Mock<LogFn>; error: Mock<LogFn> };
  beforeEach(async () => {
    url = await createPostgresDatabase();
    db = await openPostgresDatabase(url, 4);
    await migrate(db);
    log = { warn: vi.fn<LogFn>(), error: vi.fn<LogFn>() };
  });
  afterEach(async () => db.close());

  it('stores every batch from the worker, in the writer\'s chain, and close() waits for them', async () => {
    const sinks = auditSinks(db, log, { thread: { databaseUrl: url }, intervalMs: 5, maxBatch: 10 });
    for (let i = 0; i < 25; i++) sinks.queue(read(`t${i % 3}`, i));
    await sinks.writer.flush();
    expect(sinks.thread?.running).toBe(true);
    expect(await chainLength(db, sinks.writer.chain)).toBe(25);
    for (let i = 25; i < 30; i++) sinks.queue(read('t0', i));
    await sinks.close();
    expect(sinks.thread?.running).toBe(false);
    expect(await chainLength(db, sinks.writer.chain)).toBe(30);
    expect((await listPatientAccess(db, ['t0'], { count: 50 })).events).toHaveLength(14);
    expect((await verifyAuditChains(db)).problems).toEqual([]);
    expect(log.error).not.toHaveBeenCalled();
  });

  it('writes in the main thread when the worker cannot connect', async () => {
    const sinks = auditSinks(db, log, { thread: { databaseUrl: url.replace(/\/[^/]+$/, '/no_such_database') }, intervalMs: 5 });
    for (let i = 0; i < 5; i++) sinks.queue(read('f1', i));
    await sinks.writer.flush();
    await vi.waitFor(() => expect(sinks.thread?.running).toBe(false));
    for (let i = 5; i < 8; i++) sinks.queue(read('f1', i));
    await sinks.close();
    expect(await chainLength(db, sinks.writer.chain)).toBe(8);
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ err: expect.anything() }), expect.stringMatching(/worker thread stopped/));
    expect((await verifyAuditChains(db)).problems).toEqual([]);
  });

  it('loses nothing when the worker stops half-way: unconfirmed and later batches are written here', async () => {
    const sinks = auditSinks(db, log, { thread: { databaseUrl: url }, intervalMs: 5, maxBatch: 4 });
    for (let i = 0; i < 4; i++) sinks.queue(read('k1', i));
    await sinks.writer.flush();
    // Kill the worker with a batch on its way to it.
    for (let i = 4; i < 8; i++) sinks.queue(read('k1', i));
    await (sinks.thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    for (let i = 8; i < 10; i++) sinks.queue(read('k1', i));
    await sinks.close();
    const stored = (await db.query<{ n: number }>(`SELECT count(DISTINCT content)::int AS n FROM audit_events WHERE patient_id = 'k1'`)).rows[0]!.n;
    expect(stored).toBe(10);
    expect(log.error).toHaveBeenCalledWith(expect.anything(), expect.stringMatching(/worker thread stopped/));
    expect((await verifyAuditChains(db)).problems).toEqual([]);
  });
});
