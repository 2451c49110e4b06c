import { describe, expect, it } from 'vitest';
import type { Resource } from '../../fhir/types.js';
import { ACT_CODE, forLevel, isVisibleTo, ONLINE_VISIBILITY, visibleOnly } from './visibility.js';

const labelled = (system: string, code: string, type = 'Condition'): Resource => ({ resourceType: type, id: code, meta: { security: [{ system, code }] } });

describe('isVisibleTo', () => {
  it('hides NOPAT, redacted and third-party items from patients and proxies (nhs-domain §3.3)', () => {
    for (const r of [labelled(ACT_CODE, 'NOPAT'), labelled(ONLINE_VISIBILITY, 'redacted'), labelled(ONLINE_VISIBILITY, 'third-party')]) {
      expect(isVisibleTo(r, 'patient')).toBe(false);
      expect(isVisibleTo(r, 'proxy')).toBe(false);
    }
  });

  it('hides items marked hidden-from-proxy from proxies only (§3.5)', () => {
    const r = labelled(ONLINE_VISIBILITY, 'hidden-from-proxy');
    expect(isVisibleTo(r, 'patient')).toBe(true);
    expect(isVisibleTo(r, 'proxy')).toBe(false);
  });

  it('hides results not yet filed (registered, preliminary) but not other resources with those words (§3.4)', () => {
    expect(isVisibleTo({ resourceType: 'Observation', status: 'preliminary' }, 'patient')).toBe(false);
    expect(isVisibleTo({ resourceType: 'DiagnosticReport', status: 'registered' }, 'patient')).toBe(false);
    expect(isVisibleTo({ resourceType: 'Observation', status: 'final' }, 'patient')).toBe(true);
    expect(isVisibleTo({ resourceType: 'Observation', status: 'amended' }, 'patient')).toBe(true);
  });

  it('leaves out entries recorded in error', () => {
    expect(isVisibleTo({ resourceType: 'MedicationRequest', status: 'entered-in-error' }, 'patient')).toBe(false);
    expect(isVisibleTo({ resourceType: 'Condition', verificationStatus: { coding: [{ code: 'entered-in-error' }] } }, 'patient')).toBe(false);
  });

  it('keeps ordinary items, and labels from other systems do not hide anything', () => {
    expect(isVisibleTo(labelled('http://example.org/other', 'redacted'), 'proxy')).toBe(true);
    expect(isVisibleTo({ resourceType: 'Condition' }, 'proxy')).toBe(true);
  });
});

describe('visibleOnly', () => {
  it('hides the results of a hidden report, and members of a hidden panel', () => {
    const report: Resource = { resourceType: 'DiagnosticReport', id: 'r1', status: 'preliminary', result: [{ reference: 'Observation/o1' }] };
    const panel: Resource = { resourceType: 'Observation', id: 'p1', status: 'final', meta: { security: [{ system: ONLINE_VISIBILITY, code: 'redacted' }] }, hasMember: [{ reference: 'Observation/o3' }] };
    const obs: Resource[] = [
      { resourceType: 'Observation', id: 'o1', status: 'final' },
      { resourceType: 'Observation', id: 'o2', status: 'final' },
      { resourceType: 'Observation', id: 'o3', status: 'final' },
    ];
    expect(visibleOnly(obs, 'patient', [report, panel, ...obs]).map((r) => r.id)).toEqual(['o2']);
  });
});

describe('forLevel', () => {
  const obs: Resource = { resourceType: 'Observation', id: 'o', note: [{ text: 'Spoke to patient about this' }], valueQuantity: { value: 5 } };
  const letter: Resource = { resourceType: 'DocumentReference', id: 'd' };
  const allergy: Resource = { resourceType: 'AllergyIntolerance', id: 'a', note: [{ text: 'Severe' }] };
  it('keeps everything for the full record', () => {
    expect(forLevel([obs, letter, allergy], 'full')).toEqual([obs, letter, allergy]);
  });
  it('drops letters and free-text notes from the detailed coded record', () => {
    expect(forLevel([obs, letter], 'detailed-coded')).toEqual([{ resourceType: 'Observation', id: 'o', valueQuantity: { value: 5 } }]);
  });
  it('keeps only allergies and medicines for the summary', () => {
    expect(forLevel([obs, letter, allergy], 'summary')).toEqual([{ resourceType: 'AllergyIntolerance', id: 'a' }]);
  });
});
