import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NO_PATIENT_CHAIN } from './access-record.js';
import { GENESIS_HASH, canonicalEntry, canonicalJson, entryHash, linkHash, patientImplied, type ChainEntry } from './hash-chain.js';

describe('canonicalJson (RFC 8785 for FHIR JSON values)', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('gives the same text however the keys were ordered', () => {
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });

  it('sorts keys by UTF-16 code units and escapes strings as JSON does', () => {
    // RFC 8785 §3.2.3: "\u20ac" (€) sorts before "\ud83d\ude00" (😀) by code unit.
    expect(canonicalJson({ '😀': 1, '€': 2, a: '\u2028"\n' })).toBe('{"a":"\u2028\\"\\n","€":2,"😀":1}');
  });

  it('drops undefined properties, as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('refuses values JSON cannot represent', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson(() => 1)).toThrow(/cannot serialise/);
  });
});

const entry: ChainEntry = {
  chainKey: 'p1', seq: 1, eventId: '0b6c2f4e-0000-4000-8000-000000000001', recordedAt: '2026-03-04T10:11:12.345Z',
  action: 'read', agentRef: 'Practitioner/9', isPrimary: true, patientId: 'p1', content: canonicalJson({ resourceType: 'AuditEvent', id: 'x' }),
};
const writerRow: ChainEntry = { ...entry, chainKey: '(writer 1)', patientId: 'p1' };

describe('canonicalEntry', () => {
  it('is canonicalJson of the row with its event parsed (the patient left out where the chain names it)', () => {
    const { content, patientId: _implied, ...rest } = entry;
    expect(canonicalEntry(entry)).toBe(canonicalJson({ ...rest, content: JSON.parse(content) }));
    expect(canonicalEntry({ ...entry, agentRef: null })).toBe(canonicalJson({ ...rest, agentRef: null, content: JSON.parse(content) }));
    // Strings that need escaping, a later position, a copy row.
    const odd = { ...rest, chainKey: 'p"\\\u00e9\n', agentRef: 'client "x"\u2028', seq: 123456789012, isPrimary: false, action: 'break-glass' };
    expect(canonicalEntry({ ...odd, patientId: odd.chainKey, content })).toBe(canonicalJson({ ...odd, content: JSON.parse(content) }));
  });

  it('includes the patient for a row in a writer chain, or one whose patient differs from its chain', () => {
    const { content, ...rest } = writerRow;
    expect(canonicalEntry(writerRow)).toBe(canonicalJson({ ...rest, content: JSON.parse(content) }));
    expect(canonicalEntry({ ...writerRow, patientId: null })).toBe(canonicalJson({ ...rest, patientId: null, content: JSON.parse(content) }));
    expect(canonicalEntry({ ...entry, patientId: 'p2' })).toBe(canonicalJson({ ...entry, patientId: 'p2', content: JSON.parse(content) }));
  });
});

describe('patientImplied', () => {
  it('holds for a patient\'s own chain and for the no-patient chain without a patient, and nowhere else', () => {
    expect(patientImplied({ chainKey: 'p1', patientId: 'p1' })).toBe(true);
    expect(patientImplied({ chainKey: NO_PATIENT_CHAIN, patientId: null })).toBe(true);
    expect(patientImplied({ chainKey: 'p1', patientId: null })).toBe(false);
    expect(patientImplied({ chainKey: NO_PATIENT_CHAIN, patientId: 'p1' })).toBe(false);
    expect(patientImplied({ chainKey: '(writer 1)', patientId: null })).toBe(false);
    expect(patientImplied({ chainKey: '(writer 1)', patientId: 'p1' })).toBe(false);
  });
});

describe('linkHash', () => {
  it('is SHA-256 over the previous hash, a newline and the canonical text', () => {
    expect(linkHash(GENESIS_HASH, 'abc')).toBe(createHash('sha256').update(`${GENESIS_HASH}\nabc`).digest('hex'));
    expect(linkHash(GENESIS_HASH, 'abc')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with any column, the position, the chain, the previous hash, or a re-serialised event', () => {
    const base = entryHash(GENESIS_HASH, entry);
    const variants: Partial<ChainEntry>[] = [
      { chainKey: 'p2' }, { seq: 2 }, { eventId: '0b6c2f4e-0000-4000-8000-000000000002' }, { recordedAt: '2026-03-04T10:11:12.346Z' },
      { action: 'update' }, { agentRef: 'Practitioner/8' }, { agentRef: null }, { isPrimary: false },
      { content: '{"id":"x","resourceType":"AuditEvent"} ' }, { content: '{"resourceType":"AuditEvent","id":"x"}' },
      { patientId: 'p2' }, { patientId: null },
    ];
    for (const v of variants) expect(entryHash(GENESIS_HASH, { ...entry, ...v })).not.toBe(base);
    expect(entryHash('f'.repeat(64), entry)).not.toBe(base);
    expect(entryHash(GENESIS_HASH, { ...entry })).toBe(base);
    // In a writer chain, the row's patient is what the hash must bind.
    const writerBase = entryHash(GENESIS_HASH, writerRow);
    for (const v of [{ patientId: 'p2' }, { patientId: null }]) expect(entryHash(GENESIS_HASH, { ...writerRow, ...v })).not.toBe(writerBase);
  });
});
