import { describe, expect, it } from 'vitest';
import { ACCESS_ACTIONS, ACCESS_OUTCOMES, MAX_AUDIT_ENTITIES, type AccessRecord } from './access-record.js';
import { auditEventOf, buildAuditEvent } from './audit-event.js';
import { canonicalJson } from './hash-chain.js';
import { gpRead as gpRead0 } from '../../test/support/access-records.js';
import { isStoredAccess, storedAccessForPatient, storedAccessJson, storedAccessOf } from './stored-access.js';

const at = gpRead0.at;
const gpRead: AccessRecord = { ...gpRead0, agent: { ...gpRead0.agent, organizationName: 'Lindley Surgery' } };

/** Records with every optional part present or absent, in every action and outcome. */
function variants(): AccessRecord[] {
  const out: AccessRecord[] = [];
  for (const action of ACCESS_ACTIONS) {
    for (const outcome of ACCESS_OUTCOMES) {
      out.push({ ...gpRead, action, outcome });
      out.push({ action, outcome, at, agent: { clientId: 'backend', role: 'system' }, patientIds: [], entities: [] });
      out.push({ ...gpRead, action, outcome, patientIds: ['b', 'a'], entities: ['Patient/a', 'Encounter/e"1'], query: 'Observation?code=x&name=Ünïcødé', reason: 'line\nbreak "quoted"', purpose: undefined });
    }
  }
  return out;
}

describe('stored access (the compact form the audit trail hashes and keeps)', () => {
  it('writes canonical JSON directly: the same text as canonicalJson, for every shape', () => {
    for (const r of variants()) {
      for (const source of [{}, { observer: 'Tessera ICS', site: 'west-yorkshire' }]) {
        const s = storedAccessOf(r, source);
        expect(storedAccessJson(s)).toBe(canonicalJson(s));
        for (const id of r.patientIds) expect(storedAccessJson(storedAccessForPatient(s, id))).toBe(canonicalJson(storedAccessForPatient(s, id)));
      }
    }
  });

  it('round-trips: the event built from the stored text is the event built from the record', () => {
    for (const r of variants()) {
      const source = { observer: 'Tessera ICS', site: 'west-yorkshire' };
      const parsed: unknown = JSON.parse(storedAccessJson(storedAccessOf(r, source)));
      expect(isStoredAccess(parsed)).toBe(true);
      expect(auditEventOf(parsed as never, 'e1')).toEqual(buildAuditEvent(r, { id: 'e1', ...source }));
    }
  });

  it('keeps at most MAX_AUDIT_ENTITIES patients and resources, and counts the rest', () => {
    const patientIds = Array.from({ length: 130 }, (_, i) => `p${i}`);
    const entities = Array.from({ length: 50 }, (_, i) => `Observation/o${i}`);
    const s = storedAccessOf({ ...gpRead, action: 'search', patientIds, entities });
    expect(s.patients).toHaveLength(MAX_AUDIT_ENTITIES);
    expect(s.entities).toBeUndefined();
    expect(s.more).toBe(30 + 50);
  });

  it('is a fraction of the size of the AuditEvent it stands for', () => {
    const stored = storedAccessJson(storedAccessOf(gpRead));
    const event = canonicalJson(buildAuditEvent(gpRead, { id: '00000000-0000-0000-0000-000000000000' }));
    expect(stored.length * 3).toBeLessThan(event.length);
  });

  it('tells the compact form from an AuditEvent stored whole (rows written before it)', () => {
    expect(isStoredAccess(buildAuditEvent(gpRead, { id: 'x' }))).toBe(false);
    expect(isStoredAccess(JSON.parse(storedAccessJson(storedAccessOf(gpRead))))).toBe(true);
  });
});
