/**
 * The audit of writes made in one statement, on both engines: the rows and their chain head's
 * advance are parts of the write's statement, so they commit or fail with it; the node's chains
 * stay linear under concurrent writes; a chain head that moved behind the node's back fails the
 * statement whole, and the store then makes the write in a transaction — written and audited
 * once either way.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENGINES, openTestDatabase } from '../../test/support/test-store.js';
import { writerChainKey, type AccessRecord } from '../audit/access-record.js';
import { GENESIS_HASH } from '../audit/hash-chain.js';
import { SearchRegistry } from '../search/registry.js';
import { sqlState, type Database } from './database.js';
import { appendAuditRecords, auditSinks, verifyAuditChains } from './audit-log.js';
import { FhirStore, type WriteAudit } from './fhir-store.js';
import { StatementBuilder } from './write-session.js';

const T0 = Date.parse('2026-05-06T09:00:00.000Z');

function change(patientId: string, n: number): AccessRecord {
  return {
    action: 'update', outcome: 'success', at: new Date(T0 + n), patientIds: [patientId], entities: [`Patient/${patientId}`],
    agent: { clientId: 'backend', role: 'system' }, purpose: 'HOPERAT',
  };
}

describe.each(ENGINES)('audit of writes made in one statement, on %s', (engine) => {
  let db: Database;
  let node = 0;
  const log = { warn: vi.fn(), error: vi.fn() };
  beforeAll(async () => {
    db = await openTestDatabase(engine);
  });
  afterAll(async () => db.close());

  /** Runs one statement holding the records' audit (and `main`); settles the audit by its outcome. */
  async function statement(sinks: ReturnType<typeof auditSinks>, records: AccessRecord[], main = 'SELECT 1'): Promise<void> {
    const part = await sinks.forStatement(records);
    if (!part) throw new Error('no statement chain free');
    const b = new StatementBuilder();
    part.addTo(b);
    let committed = false;
    try {
      await db.query(b.statement(main), b.values);
      committed = true;
    } finally {
      part.settle(committed);
    }
  }

  const rowsOf = async (chain: string) =>
    (await db.query<{ seq: string; prev_hash: string; hash: string; patient_id: string }>('SELECT seq, prev_hash, hash, patient_id FROM audit_events WHERE chain_key = $1 ORDER BY seq', [chain])).rows;

  it('appends in the statement, and the next statement follows the head it remembered', async () => {
    const nodeId = `one-${engine}-${node++}`;
    const sinks = auditSinks(db, log, { nodeId });
    await statement(sinks, [change('S1', 1)]);
    await statement(sinks, [change('S1', 2), change('S2', 3)]);
    const chain = writerChainKey(`${nodeId}/one/0`);
    const rows = await rowsOf(chain);
    expect(rows.map((r) => [Number(r.seq), r.patient_id])).toEqual([[1, 'S1'], [2, 'S1'], [3, 'S2']]);
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    expect(rows[2]!.prev_hash).toBe(rows[1]!.hash);
    expect((await verifyAuditChains(db)).problems).toEqual([]);
    await sinks.close();
  });

  it('writes nothing when the statement fails, and the chain goes on unbroken', async () => {
    const nodeId = `one-${engine}-${node++}`;
    const sinks = auditSinks(db, log, { nodeId });
    await statement(sinks, [change('F1', 1)]);
    await expect(statement(sinks, [change('F1', 2)], 'SELECT 1 / 0')).rejects.toThrow();
    await statement(sinks, [change('F1', 3)]);
    const rows = await rowsOf(writerChainKey(`${nodeId}/one/0`));
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2]);
    expect((await verifyAuditChains(db)).problems).toEqual([]);
    await sinks.close();
  });

  it('gives statements under way at once a chain each, every chain linear', async () => {
    const nodeId = `one-${engine}-${node++}`;
    const sinks = auditSinks(db, log, { nodeId });
    await Promise.all(Array.from({ length: 12 }, (_, i) => statement(sinks, [change(`C${i % 3}`, i)])));
    await Promise.all(Array.from({ length: 12 }, (_, i) => statement(sinks, [change(`C${i % 3}`, 100 + i)])));
    const chains = (await db.query<{ chain_key: string; n: number }>(`SELECT chain_key, count(*)::int AS n FROM audit_events WHERE chain_key LIKE $1 GROUP BY chain_key`, [`(writer ${nodeId}/one/%`])).rows;
    expect(chains.reduce((n, c) => n + c.n, 0)).toBe(24);
    for (const c of chains) expect((await rowsOf(c.chain_key)).map((r) => Number(r.seq))).toEqual(Array.from({ length: c.n }, (_, i) => i + 1));
    expect((await verifyAuditChains(db)).problems).toEqual([]);
    await sinks.close();
  });

  it('fails the whole statement (23502) when the head moved behind its back, then reads the head again', async () => {
    const nodeId = `one-${engine}-${node++}`;
    const sinks = auditSinks(db, log, { nodeId });
    const chain = writerChainKey(`${nodeId}/one/0`);
    await statement(sinks, [change('M1', 1)]);
    // Someone else appends to the node's chain (it never should): the remembered head is stale.
    await db.transaction((tx) => appendAuditRecords(tx, [change('M1', 2)], {}, chain));
    await db.exec(`CREATE TABLE IF NOT EXISTS one_statement_probe (n int)`);
    const err = await statement(sinks, [change('M1', 3)], 'INSERT INTO one_statement_probe VALUES (1)').catch((e: unknown) => e);
    expect(sqlState(err)).toBe('23502');
    expect((await db.query('SELECT * FROM one_statement_probe')).rows).toEqual([]);
    await statement(sinks, [change('M1', 4)]);
    expect((await rowsOf(chain)).map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    expect((await verifyAuditChains(db)).problems).toEqual([]);
    await sinks.close();
  });

  it('uses at most statementChains chains; a write beyond them is told to use a transaction', async () => {
    const nodeId = `one-${engine}-${node++}`;
    const sinks = auditSinks(db, log, { nodeId, statementChains: 2 });
    const a = await sinks.forStatement([change('K1', 1)]);
    const b = await sinks.forStatement([change('K1', 2)]);
    expect(a && b).toBeTruthy();
    expect(await sinks.forStatement([change('K1', 3)])).toBeUndefined();
    a!.settle(false);
    const c = await sinks.forStatement([change('K1', 4)]);
    expect(c).toBeDefined();
    b!.settle(false);
    c!.settle(false);
    await sinks.close();
  });

  it('lets the store write and audit once when the statement fails that way: again, in a transaction', async () => {
    const nodeId = `one-${engine}-${node++}`;
    const sinks = auditSinks(db, log, { nodeId });
    const store = new FhirStore({ db, registry: new SearchRegistry(), validate: () => [] });
    const chain = writerChainKey(`${nodeId}/one/0`);
    const auditOf = (label: string): WriteAudit => ({
      append: (tx, written) => sinks.append(tx, written.map((w) => change(w.id, w.versionId))).then(() => undefined),
      forStatement: (written) => sinks.forStatement(written.map((w) => ({ ...change(w.id, w.versionId), query: label }))),
    });
    const id = `one-statement-${engine}`;
    await store.update({ resourceType: 'Patient', id, active: true }, undefined, 'PUT', auditOf('first'));
    await db.transaction((tx) => appendAuditRecords(tx, [change('other', 0)], {}, chain));
    const { version } = await store.update({ resourceType: 'Patient', id, active: false }, undefined, 'PUT', auditOf('second'));
    expect(version.versionId).toBe(2);
    expect((await store.read('Patient', id)).versionId).toBe(2);
    const audited = (await db.query<{ patient_id: string; chain_key: string }>(`SELECT patient_id, chain_key FROM audit_events WHERE patient_id = $1 ORDER BY recorded_at`, [id])).rows;
    // Version 1 in one statement; version 2 after the failed statement, in a transaction.
    expect(audited).toHaveLength(2);
    expect(audited[0]!.chain_key).toBe(chain);
    expect(audited[1]!.chain_key).toBe(writerChainKey(`${nodeId}/0`));
    expect((await verifyAuditChains(db)).problems).toEqual([]);
    await sinks.close();
  });

  it('lets the store audit in a transaction when no statement chain is free', async () => {
    const nodeId = `one-${engine}-${node++}`;
    const sinks = auditSinks(db, log, { nodeId, statementChains: 0 });
    const store = new FhirStore({ db, registry: new SearchRegistry(), validate: () => [] });
    const audit: WriteAudit = {
      append: (tx, written) => sinks.append(tx, written.map((w) => change(w.id, w.versionId))).then(() => undefined),
      forStatement: (written) => sinks.forStatement(written.map((w) => change(w.id, w.versionId))),
    };
    const id = `no-free-chain-${engine}`;
    await store.update({ resourceType: 'Patient', id, active: true }, undefined, 'PUT', audit);
    const audited = (await db.query<{ chain_key: string }>(`SELECT chain_key FROM audit_events WHERE patient_id = $1`, [id])).rows;
    expect(audited).toEqual([{ chain_key: writerChainKey(`${nodeId}/0`) }]);
    await sinks.close();
  });
});
