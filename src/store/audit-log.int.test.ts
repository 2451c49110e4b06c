/**
 * The audit trail's storage on both engines: per-patient hash chains appended inside the caller's
 * transaction, kept linear under concurrent appenders, untouched by rolled-back transactions;
 * the batching writer and its own chain; the patient's access list across chains and audit
 * search; rows from before the patient column; and verification catching each kind of tampering.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { ENGINES, openTestDatabase, openUnmigratedTestDatabase } from '../../test/support/test-store.js';
import { NO_PATIENT_CHAIN, writerChainKey, type AccessRecord } from '../audit/access-record.js';
import { GENESIS_HASH, canonicalJson, entryHash } from '../audit/hash-chain.js';
import { buildAuditEvent, patientAccessView } from '../audit/audit-event.js';
import { storedAccessJson, storedAccessOf } from '../audit/stored-access.js';
import type { Database, SqlClient } from './database.js';
import { loadMigrations, migrate } from './migrate.js';
import { AuditWriter, appendAuditRecords, auditSinks, listPatientAccess, searchAuditEvents, verifyAuditChains, type AuditClock } from './audit-log.js';

const T0 = Date.parse('2026-03-04T10:00:00.000Z');

function access(patientIds: string[], extra: Partial<AccessRecord> = {}): AccessRecord {
  return {
    action: 'read', outcome: 'success', at: new Date(T0), patientIds, entities: patientIds.map((p) => `Patient/${p}`),
    agent: { reference: 'Practitioner/9', display: 'Dr Ada Okafor', role: 'gp', clientId: 'clinician-app', tokenId: 'tok-1' },
    purpose: 'TREAT', sourceIp: '10.0.0.1',
    ...extra,
  };
}

interface Row {
  chain_key: string;
  seq: number;
  event_id: string;
  is_primary: boolean;
  patient_id: string | null;
  prev_hash: string;
  hash: string;
  content: string;
}

async function chainRows(db: Database, chainKey: string): Promise<Row[]> {
  const res = await db.query<Row>('SELECT chain_key, seq, event_id, is_primary, patient_id, prev_hash, hash, content FROM audit_events WHERE chain_key = $1 ORDER BY seq', [chainKey]);
  return res.rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

/** Asserts the chain is 1..n, each row linked to the one before, and the head at the last row. */
async function expectLinear(db: Database, chainKey: string, length: number): Promise<void> {
  const rows = await chainRows(db, chainKey);
  expect(rows.map((r) => r.seq)).toEqual(Array.from({ length }, (_, i) => i + 1));
  rows.forEach((r, i) => expect(r.prev_hash).toBe(i === 0 ? GENESIS_HASH : rows[i - 1]!.hash));
  const head = (await db.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_chain_heads WHERE chain_key = $1', [chainKey])).rows[0];
  expect(Number(head?.seq)).toBe(length);
  expect(head?.hash).toBe(rows[length - 1]?.hash);
}

/** Timers that fire only when the test says so. */
class FakeClock implements AuditClock {
  private now = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  tick(ms: number): void {
    this.now += ms;
    for (const [id, t] of [...this.timers]) {
      if (t.at <= this.now) {
        this.timers.delete(id);
        t.fn();
      }
    }
  }
}

/** The database with its transactions counted. */
function counting(db: Database): Database & { transactions: number } {
  const wrapped = { ...db, transactions: 0 } as Database & { transactions: number };
  wrapped.transaction = (fn) => {
    wrapped.transactions++;
    return db.transaction(fn);
  };
  return wrapped;
}

describe.each(ENGINES)('audit log on %s', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(engine);
  });
  afterAll(async () => db.close());

  it('appends to each patient chain in order, linked by hash, with the head at the last row', async () => {
    const ids = await db.transaction((tx) => appendAuditRecords(tx, [access(['a1']), access(['a1'], { at: new Date(T0 + 1) }), access(['a2'])]));
    expect(ids).toHaveLength(3);
    await db.transaction((tx) => appendAuditRecords(tx, [access(['a1'], { at: new Date(T0 + 2) })]));
    await expectLinear(db, 'a1', 3);
    await expectLinear(db, 'a2', 1);
    const first = JSON.parse((await chainRows(db, 'a1'))[0]!.content);
    // Stored as the access's facts; the AuditEvent is built from them when read.
    expect(first).toMatchObject({ action: 'read', at: '2026-03-04T10:00:00.000Z', patients: ['a1'] });
    expect((await listPatientAccess(db, ['a1'], { count: 10 })).events.at(-1)).toMatchObject({ resourceType: 'AuditEvent', id: ids[0], recorded: '2026-03-04T10:00:00.000Z' });
    expect((await verifyAuditChains(db)).problems).toEqual([]);
  });

  it('records an access touching several patients once per chain, with one full copy', async () => {
    const [id] = await db.transaction((tx) => appendAuditRecords(tx, [access(['m2', 'm1', 'm3'], { action: 'search', query: 'Observation?code=x' })]));
    const rows = (await Promise.all(['m1', 'm2', 'm3'].map((k) => chainRows(db, k)))).flat();
    expect(rows.map((r) => [r.chain_key, r.event_id, r.is_primary])).toEqual([['m1', id, true], ['m2', id, false], ['m3', id, false]]);
    expect(JSON.parse(rows[0]!.content)).toMatchObject({ patients: ['m2', 'm1', 'm3'], query: 'Observation?code=x' });
    expect(JSON.parse(rows[1]!.content)).toMatchObject({ patients: ['m2'] });
    expect(JSON.parse(rows[1]!.content).query).toBeUndefined();
    const m2 = (await listPatientAccess(db, ['m2'], { count: 10 })).events;
    expect(m2.find((e) => e.id === id)!.entity).toEqual([expect.objectContaining({ what: { reference: 'Patient/m2' } })]);
    // Searches across chains see the event once.
    const found = await searchAuditEvents(db, { action: 'search', count: 10 });
    expect(found.filter((e) => e.id === id)).toHaveLength(1);
  });

  it('stores text with commas, quotes, backslashes and control characters exactly, in a batch of several', async () => {
    // The append sends the contents of a batch as one delimited text: nothing a client can put
    // in a query or an agent's name may split or merge rows.
    const awkward = 'name=a,b&x="q"\\\u001e\u0000\n' + '\u001e,'.repeat(3);
    const records = [access(['d1'], { query: awkward }), access(['d1', 'd2'], { query: `${awkward}2` }), access(['d2'])];
    records[2]!.agent = { ...records[2]!.agent, display: awkward, clientId: 'client,with\u001e"odd"' };
    const ids = await db.transaction((tx) => appendAuditRecords(tx, records));
    const d1 = await chainRows(db, 'd1');
    expect(d1.map((r) => JSON.parse(r.content).query)).toEqual([awkward, `${awkward}2`]);
    const d2 = await chainRows(db, 'd2');
    expect(d2.map((r) => r.event_id)).toEqual([ids[1], ids[2]]);
    expect(JSON.parse(d2[1]!.content).agent).toMatchObject({ display: awkward, clientId: 'client,with\u001e"odd"' });
    expect((await verifyAuditChains(db)).problems).toEqual([]);
  });

  it('reads rows stored as whole AuditEvents (before the trail stored facts) as they were stored', async () => {
    const legacy = buildAuditEvent(access(['old1']), { id: '6f1c1d4e-0000-4000-8000-000000000001' });
    const entry = { chainKey: 'old1', seq: 1, eventId: legacy.id, recordedAt: legacy.recorded, action: 'read', agentRef: 'Practitioner/9', isPrimary: true, patientId: 'old1', content: canonicalJson(legacy) };
    await db.query(
      `INSERT INTO audit_events (chain_key, seq, event_id, recorded_at, action, agent_ref, is_primary, patient_id, content, prev_hash, hash) VALUES ($1, 1, $2, $3, 'read', $4, true, $1, $5, $6, $7)`,
      ['old1', legacy.id, legacy.recorded, 'Practitioner/9', entry.content, GENESIS_HASH, entryHash(GENESIS_HASH, entry)],
    );
    await db.query(`INSERT INTO audit_chain_heads (chain_key, seq, hash) VALUES ('old1', 1, $1)`, [entryHash(GENESIS_HASH, entry)]);
    await db.transaction((tx) => appendAuditRecords(tx, [access(['old1'], { at: new Date(T0 + 1000) })]));
    const events = (await listPatientAccess(db, ['old1'], { count: 10 })).events;
    expect(events).toHaveLength(2);
    expect(events[1]).toEqual(patientAccessView(legacy, ['old1']));
    expect(events[0]!.agent).toEqual(events[1]!.agent);
    expect((await verifyAuditChains(db)).problems).toEqual([]);
  });

  it('puts accesses that touch no patient in their own chain', async () => {
    const before = (await chainRows(db, NO_PATIENT_CHAIN)).length;
    await db.transaction((tx) => appendAuditRecords(tx, [access([], { entities: ['Practitioner/9'] }), access([], { action: 'login', entities: [] })]));
    await expectLinear(db, NO_PATIENT_CHAIN, before + 2);
  });

  it('leaves no audit row and an unbroken chain when the transaction rolls back', async () => {
    await db.transaction((tx) => appendAuditRecords(tx, [access(['r1'])]));
    await expect(
      db.transaction(async (tx) => {
        // The write and its audit, in one transaction; then the write fails.
        await tx.query(`INSERT INTO settings (key, value) VALUES ('audit-rollback-test', 'x')`);
        await appendAuditRecords(tx, [access(['r1']), access(['r-new'])]);
        throw new Error('the write failed after auditing');
      }),
    ).rejects.toThrow(/write failed/);
    expect((await db.query(`SELECT 1 FROM settings WHERE key = 'audit-rollback-test'`)).rows).toHaveLength(0);
    expect(await chainRows(db, 'r-new')).toHaveLength(0);
    expect((await db.query(`SELECT 1 FROM audit_chain_heads WHERE chain_key = 'r-new'`)).rows).toHaveLength(0);
    await expectLinear(db, 'r1', 1);
    await db.transaction((tx) => appendAuditRecords(tx, [access(['r1'])]));
    await expectLinear(db, 'r1', 2);
    expect((await verifyAuditChains(db)).problems).toEqual([]);
  });

  it('keeps every chain linear under 40 concurrent appending transactions', async () => {
    const patients = ['c1', 'c2', 'c3', 'c4'];
    const counts = new Map<string, number>();
    let attempts = 0;
    const txs = Array.from({ length: 40 }, (_, i) => {
      // Overlapping sets in different orders: the sorted locking is what prevents deadlocks.
      const touched = [patients[i % 4]!, patients[(i * 3 + 1) % 4]!].reverse();
      const records = [access(touched), access([patients[(i + 2) % 4]!])];
      for (const r of records) for (const p of new Set(r.patientIds)) counts.set(p, (counts.get(p) ?? 0) + 1);
      return db.transaction(async (tx) => {
        attempts++;
        await tx.query('SELECT 1');
        const appended = await appendAuditRecords(tx, records);
        // Hold the heads a moment, so the transactions really overlap.
        if (engine === 'postgres') await tx.query('SELECT pg_sleep(0.002)');
        return appended;
      });
    });
    const ids = (await Promise.all(txs)).flat();
    // No transaction was re-run: no deadlock, no serialization failure, no duplicate key.
    expect(attempts).toBe(40);
    expect(new Set(ids).size).toBe(80);
    for (const p of patients) await expectLinear(db, p, counts.get(p)!);
    const dupes = await db.query(`SELECT chain_key, event_id FROM audit_events GROUP BY chain_key, event_id HAVING count(*) > 1`);
    expect(dupes.rows).toEqual([]);
    expect((await verifyAuditChains(db)).problems).toEqual([]);
  });

  it("lists a patient's accesses newest first, in the patient's view, a page at a time", async () => {
    const records = [0, 1, 2, 3, 4].map((i) => access(['L1'], { at: new Date(T0 + i * 1000), reason: `visit ${i}` }));
    await db.transaction((tx) => appendAuditRecords(tx, records));
    await db.transaction((tx) => appendAuditRecords(tx, [access(['L1', 'L-other'], { action: 'search', at: new Date(T0 + 9000), query: 'Patient?family=Smith' })]));
    const page1 = await listPatientAccess(db, ['L1'], { count: 4 });
    expect(page1.events.map((e) => e.recorded)).toEqual([9000, 4000, 3000, 2000].map((ms) => new Date(T0 + ms).toISOString()));
    expect(page1.next).toBeDefined();
    const text = JSON.stringify(page1.events);
    expect(text).not.toMatch(/10\.0\.0\.1|tok-1|L-other|Smith/);
    expect(page1.events[1]!.purposeOfEvent?.[0]?.text).toBe('visit 4');
    const page2 = await listPatientAccess(db, ['L1'], { count: 4, before: page1.next! });
    expect(page2.events.map((e) => e.purposeOfEvent?.[0]?.text)).toEqual(['visit 1', 'visit 0']);
    expect(page2.next).toBeUndefined();
    for (const bad of ['x', '7', '2026-13-45T99:00:00.000Z_0b6c2f4e-0000-4000-8000-000000000001', `${page1.next!}'--`]) {
      await expect(listPatientAccess(db, ['L1'], { count: 4, before: bad })).rejects.toMatchObject({ status: 400 });
    }
    expect((await listPatientAccess(db, ['nobody'], { count: 4 })).events).toEqual([]);
  });

  it("lists a person's accesses across their linked records: each event once, every record it touched, paged", async () => {
    // K1 and K2 are one person's records in two systems; K-other is someone else.
    await db.transaction((tx) => appendAuditRecords(tx, [
      access(['K1'], { at: new Date(T0 + 1000), reason: 'gp visit' }),
      access(['K2'], { at: new Date(T0 + 2000), reason: 'hospital visit' }),
      access(['K1', 'K2'], { action: 'search', at: new Date(T0 + 3000), query: 'Patient?family=Jones', reason: 'both' }),
      access(['K-other', 'K2', 'K1'], { action: 'search', at: new Date(T0 + 4000), query: 'Patient?family=Smith', reason: 'three' }),
      access(['K2'], { at: new Date(T0 + 5000), reason: 'latest' }),
    ]));
    const page1 = await listPatientAccess(db, ['K1', 'K2'], { count: 3 });
    expect(page1.events.map((e) => e.purposeOfEvent?.[0]?.text)).toEqual(['latest', 'three', 'both']);
    const names = (e: { entity?: { what?: { reference?: string } }[] }) => (e.entity ?? []).flatMap((x) => (x.what?.reference?.startsWith('Patient/') ? [x.what.reference] : [])).sort();
    // Touching someone else too: only this person's records are named; nothing of the other.
    expect(names(page1.events[1]!)).toEqual(['Patient/K1', 'Patient/K2']);
    const b64 = (q: string) => Buffer.from(q, 'utf8').toString('base64');
    expect(JSON.stringify(page1.events[1])).not.toContain('K-other');
    expect(JSON.stringify(page1.events[1])).not.toContain(b64('Patient?family=Smith'));
    // Touching only this person's records: the event as it is, its query too.
    expect(names(page1.events[2]!)).toEqual(['Patient/K1', 'Patient/K2']);
    expect(JSON.stringify(page1.events[2])).toContain(b64('Patient?family=Jones'));
    expect(page1.next).toBeDefined();
    const page2 = await listPatientAccess(db, ['K2', 'K1'], { count: 3, before: page1.next! });
    expect(page2.events.map((e) => e.purposeOfEvent?.[0]?.text)).toEqual(['hospital visit', 'gp visit']);
    expect(page2.next).toBeUndefined();
    // One record alone: its own accesses only.
    expect((await listPatientAccess(db, ['K1'], { count: 10 })).events.map((e) => e.purposeOfEvent?.[0]?.text)).toEqual(['three', 'both', 'gp visit']);
  });

  it('searches by patient, agent, action and time', async () => {
    const nurse = { reference: 'Practitioner/nurse-1', clientId: 'ward-app', role: 'nurse' };
    await db.transaction((tx) => appendAuditRecords(tx, [
      access(['S1'], { agent: nurse, at: new Date(T0 + 100_000) }),
      access(['S2'], { agent: nurse, action: 'update', at: new Date(T0 + 200_000) }),
      access(['S1'], { action: 'break-glass', at: new Date(T0 + 300_000), reason: 'emergency' }),
      access([], { agent: { clientId: 'nightly-export', role: 'system' }, action: 'export', entities: [], at: new Date(T0 + 400_000) }),
    ]));
    const byNurse = await searchAuditEvents(db, { agent: 'Practitioner/nurse-1', count: 10 });
    expect(byNurse.map((e) => e.subtype?.[0]?.code)).toEqual(['update', 'read']);
    expect(byNurse[0]!.agent[1]!.network).toBeDefined();
    expect((await searchAuditEvents(db, { agent: 'nightly-export', count: 10 })).map((e) => e.type.code)).toEqual(['110106']);
    expect((await searchAuditEvents(db, { action: 'break-glass', count: 10 })).map((e) => e.purposeOfEvent?.[0]?.text)).toEqual(['emergency']);
    const s1 = await searchAuditEvents(db, { patient: 'S1', since: new Date(T0 + 100_000), until: new Date(T0 + 300_000), count: 10 });
    expect(s1.map((e) => e.recorded)).toEqual([new Date(T0 + 100_000).toISOString()]);
    expect(await searchAuditEvents(db, { patient: 'S1', count: 1 })).toHaveLength(1);
  });

  it("gives each write transaction one of the node's chains, kept for all its appends", async () => {
    const sinks = auditSinks(db, { warn: vi.fn(), error: vi.fn() }, { writeChains: 2, nodeId: 'n1' });
    const chainsOf = async (patient: string) => (await db.query<{ chain_key: string }>('SELECT chain_key FROM audit_events WHERE patient_id = $1 ORDER BY recorded_at', [patient])).rows.map((r) => r.chain_key);
    await db.transaction(async (tx) => {
      await sinks.append(tx, [access(['X1'], { action: 'update', at: new Date(T0 + 1) })]);
      await sinks.append(tx, [access(['X1'], { action: 'break-glass', at: new Date(T0 + 2) })]);
    });
    await db.transaction((tx) => sinks.append(tx, [access(['X1'], { action: 'create', at: new Date(T0 + 3) })]));
    expect(await chainsOf('X1')).toEqual([writerChainKey('n1/0'), writerChainKey('n1/0'), writerChainKey('n1/1')]);
    if (engine === 'postgres') {
      // Two transactions writing one patient's record at once: neither waits for the other's
      // commit (with a chain per patient, the second append would wait for the first
      // transaction, which waits for the second: this would never finish).
      let appended!: () => void;
      const secondAppended = new Promise<void>((resolve) => (appended = resolve));
      await Promise.all([
        db.transaction(async (tx) => {
          await sinks.append(tx, [access(['X2'], { action: 'update' })]);
          await secondAppended;
        }),
        db.transaction(async (tx) => {
          await sinks.append(tx, [access(['X2'], { action: 'update' })]);
          appended();
        }),
      ]);
      expect(await chainsOf('X2')).toHaveLength(2);
    }
    expect((await verifyAuditChains(db)).problems).toEqual([]);
    await sinks.close();
  });

  describe('AuditWriter', () => {
    let clock: FakeClock;
    type LogFn = (obj: object, msg: string) => void;
    let log: { warn: Mock<LogFn>; error: Mock<LogFn> };
    beforeEach(() => {
      clock = new FakeClock();
      log = { warn: vi.fn<LogFn>(), error: vi.fn<LogFn>() };
    });

    it('writes a batch when the interval passes, in one transaction', async () => {
      const cdb = counting(db);
      const w = new AuditWriter({ db: cdb, log, clock, intervalMs: 50, maxBatch: 100, chain: writerChainKey('w1') });
      for (let i = 0; i < 3; i++) w.record(access(['W1']));
      clock.tick(49);
      expect(w.pending).toBe(3);
      expect(await chainRows(db, w.chain)).toHaveLength(0);
      clock.tick(1);
      expect(w.pending).toBe(0);
      await w.flush();
      expect(cdb.transactions).toBe(1);
      await expectLinear(db, w.chain, 3);
      await w.close();
    });

    it('writes at once when a batch is full, and the rest on the next interval', async () => {
      const cdb = counting(db);
      const w = new AuditWriter({ db: cdb, log, clock, intervalMs: 50, maxBatch: 5 });
      for (let i = 0; i < 7; i++) w.record(access(['W2']));
      expect(w.pending).toBe(2);
      clock.tick(50);
      expect(w.pending).toBe(0);
      await w.flush();
      expect(cdb.transactions).toBe(2);
      await expectLinear(db, w.chain, 7);
      expect((await listPatientAccess(db, ['W2'], { count: 10 })).events).toHaveLength(7);
      expect(log.warn).not.toHaveBeenCalled();
      await w.close();
    });

    it('close() writes what is queued and stops taking records', async () => {
      const w = new AuditWriter({ db, log, clock, intervalMs: 50 });
      w.record(access(['W3']));
      w.record(access(['W3']));
      await w.close();
      await expectLinear(db, w.chain, 2);
      w.record(access(['W3']));
      expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ record: expect.any(Object) }), expect.stringMatching(/closed/));
      await w.flush();
      await expectLinear(db, w.chain, 2);
    });

    it('retries a failed batch once, and logs (never throws) when it fails again', async () => {
      let failures = 1;
      const flaky: Database = { ...db, transaction: (fn) => (failures-- > 0 ? Promise.reject(new Error('connection reset')) : db.transaction(fn)) };
      const w = new AuditWriter({ db: flaky, log, clock });
      w.record(access(['W4']));
      await w.flush();
      expect(log.warn).toHaveBeenCalledTimes(1);
      await expectLinear(db, w.chain, 1);

      failures = 2;
      expect(() => w.record(access(['W4']))).not.toThrow();
      await expect(w.flush()).resolves.toBeUndefined();
      expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ records: [expect.objectContaining({ patientIds: ['W4'] })] }), expect.stringMatching(/not stored/));
      await expectLinear(db, w.chain, 1);
      await w.close();
    });

    it('keeps its batches in its own chain, each row naming its patient, beside the patients\' chains', async () => {
      const w = new AuditWriter({ db, log, clock });
      const other = new AuditWriter({ db, log, clock });
      expect(w.chain).not.toBe(other.chain);
      // A write in the patient's own chain, then reads of several kinds through two writers.
      await db.transaction((tx) => appendAuditRecords(tx, [access(['W5'], { action: 'update', at: new Date(T0 + 1000) })]));
      w.record(access(['W5'], { at: new Date(T0 + 2000) }));
      w.record(access(['W6', 'W5'], { action: 'search', query: 'Patient?name=x', at: new Date(T0 + 3000) }));
      w.record(access([], { entities: ['Practitioner/9'], at: new Date(T0 + 4000) }));
      other.record(access(['W5'], { at: new Date(T0 + 5000), reason: 'second node' }));
      await w.flush();
      await other.flush();
      const rows = await chainRows(db, w.chain);
      expect(rows.map((r) => [r.seq, r.patient_id, r.is_primary])).toEqual([[1, 'W5', true], [2, 'W5', true], [3, 'W6', false], [4, null, true]]);
      expect(JSON.parse(rows[2]!.content)).toMatchObject({ patients: ['W6'] });
      await expectLinear(db, w.chain, 4);
      await expectLinear(db, other.chain, 1);
      await expectLinear(db, 'W5', 1);
      // The patient's list merges the chains by time; paging crosses them.
      const page1 = await listPatientAccess(db, ['W5'], { count: 2 });
      expect(page1.events.map((e) => e.recorded)).toEqual([5000, 3000].map((ms) => new Date(T0 + ms).toISOString()));
      const page2 = await listPatientAccess(db, ['W5'], { count: 2, before: page1.next! });
      expect(page2.events.map((e) => e.recorded)).toEqual([2000, 1000].map((ms) => new Date(T0 + ms).toISOString()));
      expect(page2.next).toBeUndefined();
      expect((await listPatientAccess(db, ['W6'], { count: 5 })).events).toHaveLength(1);
      expect((await searchAuditEvents(db, { patient: 'W5', count: 10 })).map((e) => e.recorded)).toHaveLength(4);
      expect((await verifyAuditChains(db)).problems).toEqual([]);
      await w.close();
      await other.close();
    });
  });
});

describe.each(ENGINES)('verifyAuditChains on %s', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(engine);
  });
  afterAll(async () => db.close());
  // Each test tampers with a fresh trail of four chains: v1 (5 rows), v2 (2), v3 (1), and a
  // writer's chain of reads (3 rows: v1, v2 and v3).
  const writer = writerChainKey('v');
  beforeEach(async () => {
    await db.exec('DELETE FROM audit_events; DELETE FROM audit_chain_heads;');
    await db.transaction((tx) => appendAuditRecords(tx, [1, 2, 3, 4, 5].map((i) => access(['v1'], { at: new Date(T0 + i) }))));
    await db.transaction((tx) => appendAuditRecords(tx, [access(['v2']), access(['v2', 'v3'])]));
    await db.transaction((tx) => appendAuditRecords(tx, [access(['v1']), access(['v3', 'v2'])], {}, writer));
  });

  it('finds an intact trail intact, walking in pages', async () => {
    const res = await verifyAuditChains(db, { pageSize: 2 });
    expect(res).toEqual({ chains: 4, events: 11, problems: [], problemCount: 0 });
  });

  it("detects a row moved to another patient's list, in a writer's chain or a patient's", async () => {
    await db.query(`UPDATE audit_events SET patient_id = 'v9' WHERE chain_key = $1 AND seq = 2`, [writer]);
    await db.query(`UPDATE audit_events SET patient_id = 'v9' WHERE chain_key = 'v1' AND seq = 4`);
    expect((await verifyAuditChains(db)).problems).toEqual([
      { chainKey: writer, seq: 2, problem: 'hash-mismatch' },
      { chainKey: 'v1', seq: 4, problem: 'hash-mismatch' },
    ]);
  });

  it('detects a changed content row', async () => {
    await db.query(`UPDATE audit_events SET content = replace(content, 'Dr Ada Okafor', 'Dr Someone Else') WHERE chain_key = 'v1' AND seq = 3`);
    expect((await verifyAuditChains(db, { pageSize: 2 })).problems).toEqual([{ chainKey: 'v1', seq: 3, problem: 'hash-mismatch' }]);
  });

  it('detects a changed search column even when the content is intact', async () => {
    await db.query(`UPDATE audit_events SET agent_ref = 'Practitioner/other' WHERE chain_key = 'v2' AND seq = 1`);
    expect((await verifyAuditChains(db)).problems).toEqual([{ chainKey: 'v2', seq: 1, problem: 'hash-mismatch' }]);
  });

  it('detects a deleted row in the middle', async () => {
    await db.query(`DELETE FROM audit_events WHERE chain_key = 'v1' AND seq = 2`);
    expect((await verifyAuditChains(db, { pageSize: 3 })).problems).toEqual([{ chainKey: 'v1', seq: 2, problem: 'missing-row' }]);
  });

  it('detects a deleted last row by the head', async () => {
    await db.query(`DELETE FROM audit_events WHERE chain_key = 'v1' AND seq = 5`);
    expect((await verifyAuditChains(db)).problems).toEqual([{ chainKey: 'v1', seq: 5, problem: 'head-mismatch' }]);
  });

  it('detects a chain deleted entirely, and a deleted head', async () => {
    await db.query(`DELETE FROM audit_events WHERE chain_key = 'v3'`);
    await db.query(`DELETE FROM audit_chain_heads WHERE chain_key = 'v2'`);
    const res = await verifyAuditChains(db);
    expect(res.problems).toEqual(expect.arrayContaining([
      { chainKey: 'v3', seq: 1, problem: 'head-mismatch' },
      { chainKey: 'v2', seq: 2, problem: 'head-mismatch' },
    ]));
    expect(res.problems).toHaveLength(2);
  });

  it('detects reordered rows', async () => {
    await db.transaction(async (tx) => {
      await tx.query(`UPDATE audit_events SET seq = -1 WHERE chain_key = 'v1' AND seq = 2`);
      await tx.query(`UPDATE audit_events SET seq = 2 WHERE chain_key = 'v1' AND seq = 3`);
      await tx.query(`UPDATE audit_events SET seq = 3 WHERE chain_key = 'v1' AND seq = -1`);
    });
    const res = await verifyAuditChains(db);
    expect(res.problems).toEqual([
      { chainKey: 'v1', seq: 2, problem: 'hash-mismatch' },
      { chainKey: 'v1', seq: 3, problem: 'hash-mismatch' },
      // Row 4 still links to the row that used to be at 3.
      { chainKey: 'v1', seq: 4, problem: 'broken-link' },
    ]);
  });

  it('detects an edited row whose hash was recomputed, by the next row\'s link', async () => {
    const r = (await db.query<{ seq: number; event_id: string; recorded_at: Date; action: string; agent_ref: string | null; is_primary: boolean; content: string; prev_hash: string }>(
      `SELECT seq, event_id, recorded_at, action, agent_ref, is_primary, content, prev_hash FROM audit_events WHERE chain_key = 'v1' AND seq = 3`,
    )).rows[0]!;
    const content = r.content.replace('Dr Ada Okafor', 'Dr Someone Else');
    const hash = entryHash(r.prev_hash, {
      chainKey: 'v1', seq: 3, eventId: r.event_id, recordedAt: new Date(r.recorded_at).toISOString(), action: r.action, agentRef: r.agent_ref, isPrimary: r.is_primary, patientId: 'v1', content,
    });
    await db.query(`UPDATE audit_events SET content = $1, hash = $2 WHERE chain_key = 'v1' AND seq = 3`, [content, hash]);
    expect((await verifyAuditChains(db)).problems).toEqual([{ chainKey: 'v1', seq: 4, problem: 'broken-link' }]);
  });

  it('caps the problems listed but counts them all', async () => {
    await db.query(`UPDATE audit_events SET content = content || ' '`);
    const res = await verifyAuditChains(db, { maxProblems: 3 });
    expect(res.problems).toHaveLength(3);
    expect(res.problemCount).toBe(11);
  });
});

describe.each(ENGINES)('the patient column added to an existing trail, on %s', (engine) => {
  it("fills it in from the patients' chains, so their lists and the chains' hashes are as before", async () => {
    const db = await openUnmigratedTestDatabase(engine);
    try {
      await migrate(db, loadMigrations().filter((m) => m.version <= 10));
      const [id] = await db.transaction((tx) => appendLegacyRecord(tx, 'e1'));
      await migrate(db);
      expect((await db.query<{ patient_id: string | null }>(`SELECT patient_id FROM audit_events ORDER BY chain_key`)).rows).toEqual([{ patient_id: null }, { patient_id: 'e1' }]);
      expect((await listPatientAccess(db, ['e1'], { count: 5 })).events.map((e) => e.id)).toEqual([id]);
      expect((await verifyAuditChains(db)).problems).toEqual([]);
    } finally {
      await db.close();
    }
  });
});

/**
 * Appends rows as the trail did before migration 11 (no patient column): one for patient `p`,
 * one in the no-patient chain, each hashed as then (the patient implied by the chain).
 */
async function appendLegacyRecord(tx: SqlClient, p: string): Promise<string[]> {
  const ids: string[] = [];
  for (const [chainKey, n] of [[p, 1], [NO_PATIENT_CHAIN, 2]] as const) {
    const eventId = `6f1c1d4e-0000-4000-8000-00000000000${n}`;
    const content = storedAccessJson(storedAccessOf(access(chainKey === p ? [p] : []), {}));
    const hash = entryHash(GENESIS_HASH, { chainKey, seq: 1, eventId, recordedAt: new Date(T0).toISOString(), action: 'read', agentRef: 'Practitioner/9', isPrimary: true, patientId: chainKey === p ? p : null, content });
    await tx.query(
      `INSERT INTO audit_events (chain_key, seq, event_id, recorded_at, action, agent_ref, is_primary, content, prev_hash, hash) VALUES ($1, 1, $2, $3, 'read', 'Practitioner/9', true, $4, $5, $6)`,
      [chainKey, eventId, new Date(T0).toISOString(), content, GENESIS_HASH, hash],
    );
    await tx.query(`INSERT INTO audit_chain_heads (chain_key, seq, hash) VALUES ($1, 1, $2)`, [chainKey, hash]);
    if (chainKey === p) ids.push(eventId);
  }
  return ids;
}
