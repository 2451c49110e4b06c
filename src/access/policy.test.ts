import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.js';
import { accessPolicy, ageInYears, asSeenBy, onlineLevelIn, proxyMayViewRecord, type AccessPolicy, type CallerFacts } from './policy.js';

const NOW = new Date('2026-06-15T12:00:00Z');
const principal = (p: Partial<Principal>): Principal => ({ kind: 'patient', clientId: 'app', scopes: [], scope: '', subject: 'u1', issuer: 'https://t.example/oauth2', expiresAt: NOW, ...p });
const facts = (f: Partial<CallerFacts> = {}): CallerFacts => ({ linked: new Map(), proxies: [], reviewPending: new Set(), ...f });

describe('ages (nhs-domain §3.5)', () => {
  it.each([
    ['2015-06-15', 11], ['2015-06-16', 10], ['2010-01-01', 16], ['2010-12-31', 15], ['2010', 16], ['2010-07', 15],
  ])('born %s is %i on 2026-06-15', (birth, age) => expect(ageInYears(birth, NOW)).toBe(age));
  it('is undefined for nonsense', () => expect(ageInYears('soon', NOW)).toBeUndefined());
});

describe('proxy access to the record', () => {
  const p = (birthDate: string | undefined, permissions: string[]) => ({ patientId: 'c', permissions, ...(birthDate ? { birthDate } : {}) });
  it('a child under 11: the practice grant suffices', () => expect(proxyMayViewRecord(p('2017-01-01', ['record']), NOW)).toBe(true));
  it('without the record permission: no', () => expect(proxyMayViewRecord(p('2017-01-01', ['appointments']), NOW)).toBe(false));
  it('11 to 15: only after a Gillick review (or in their best interests)', () => {
    expect(proxyMayViewRecord(p('2013-01-01', ['record']), NOW)).toBe(false);
    expect(proxyMayViewRecord(p('2013-01-01', ['record', 'gillick-reviewed']), NOW)).toBe(true);
    expect(proxyMayViewRecord(p('2013-01-01', ['record', 'best-interests']), NOW)).toBe(true);
  });
  it('16 and over: only with their consent or in their best interests', () => {
    expect(proxyMayViewRecord(p('1950-01-01', ['record']), NOW)).toBe(false);
    expect(proxyMayViewRecord(p('1950-01-01', ['record', 'patient-consented']), NOW)).toBe(true);
    expect(proxyMayViewRecord(p('1950-01-01', ['record', 'best-interests']), NOW)).toBe(true);
  });
  it('unknown age fails closed unless consented', () => {
    expect(proxyMayViewRecord(p(undefined, ['record']), NOW)).toBe(false);
    expect(proxyMayViewRecord(p(undefined, ['record', 'patient-consented']), NOW)).toBe(true);
  });
  it('outside its validity: no', () => {
    expect(proxyMayViewRecord({ ...p('2017-01-01', ['record']), validTo: new Date('2026-01-01') }, NOW)).toBe(false);
    expect(proxyMayViewRecord({ ...p('2017-01-01', ['record']), validFrom: new Date('2027-01-01') }, NOW)).toBe(false);
  });
});

describe('policies', () => {
  it('a backend system is unrestricted', () => expect(accessPolicy(principal({ kind: 'system' }), facts(), NOW)).toEqual({ kind: 'unrestricted' }));
  it('staff: their practitioner and organisation can be named by relationships', () => {
    expect(accessPolicy(principal({ kind: 'practitioner', fhirUser: 'Practitioner/9', organization: 'Organization/o' }), facts(), NOW))
      .toEqual({ kind: 'staff', grantees: ['Practitioner/9', 'Organization/o'], subject: 'https://t.example/oauth2|u1' });
  });
  it('staff with no identity in the record see only the directory', () => {
    expect(accessPolicy(principal({ kind: 'practitioner' }), facts(), NOW)).toEqual({ kind: 'directory-only' });
  });
  it('a patient: own and linked records', () => {
    const pol = accessPolicy(principal({ fhirUser: 'Patient/a' }), facts({ linked: new Map([['a', ['a', 'a2']]]) }), NOW);
    expect(pol).toEqual({ kind: 'patient', own: ['a', 'a2'], proxied: [], limited: [] });
  });
  it('a pending enhanced review limits the patient to demographics', () => {
    const pol = accessPolicy(principal({ fhirUser: 'Patient/a' }), facts({ reviewPending: new Set(['a']) }), NOW);
    expect(pol).toEqual({ kind: 'patient', own: [], proxied: [], limited: ['a'] });
  });
  it('a carer: own record, the children they may view, demographics of the rest', () => {
    const pol = accessPolicy(principal({ fhirUser: 'Patient/m', role: 'carer' }), facts({
      proxies: [
        { patientId: 'kid', permissions: ['record'], birthDate: '2020-01-01' },
        { patientId: 'teen', permissions: ['record'], birthDate: '2012-01-01' },
      ],
    }), NOW);
    expect(pol).toEqual({ kind: 'patient', own: ['m'], proxied: ['kid'], limited: ['teen'] });
  });
  it('a launch context narrows the record to that patient', () => {
    const pol = accessPolicy(principal({ kind: 'proxy', fhirUser: 'Patient/m', patient: 'kid', role: 'carer' }), facts({
      proxies: [{ patientId: 'kid', permissions: ['record'], birthDate: '2020-01-01' }, { patientId: 'kid2', permissions: ['record'], birthDate: '2020-01-01' }],
    }), NOW);
    expect(pol).toEqual({ kind: 'patient', own: [], proxied: ['kid'], limited: [] });
  });
});

describe('online access levels set by the practice', () => {
  it('a lower level moves the person’s own records out of the full record', () => {
    const linked = new Map([['a', ['a', 'a2']]]);
    const summary = accessPolicy(principal({ fhirUser: 'Patient/a' }), facts({ linked, levels: new Map([['a', 'summary'], ['a2', 'summary']]) }), NOW);
    expect(summary).toEqual({ kind: 'patient', own: [], proxied: [], limited: [], summary: ['a', 'a2'] });
    expect(onlineLevelIn(summary, 'a')).toBe('summary');
    const coded = accessPolicy(principal({ fhirUser: 'Patient/a' }), facts({ linked, levels: new Map([['a2', 'detailed-coded']]) }), NOW);
    expect(coded).toEqual({ kind: 'patient', own: [], proxied: [], limited: [], coded: ['a', 'a2'] });
    expect(onlineLevelIn(coded, 'a2')).toBe('detailed-coded');
    const none = accessPolicy(principal({ fhirUser: 'Patient/a' }), facts({ levels: new Map([['a', 'none']]) }), NOW);
    expect(none).toEqual({ kind: 'patient', own: [], proxied: [], limited: ['a'] });
    expect(onlineLevelIn(none, 'a')).toBe('none');
  });
  it('full without a level; a pending enhanced review still limits to demographics', () => {
    expect(onlineLevelIn(accessPolicy(principal({ fhirUser: 'Patient/a' }), facts(), NOW), 'a')).toBe('full');
    const pol = accessPolicy(principal({ fhirUser: 'Patient/a' }), facts({ reviewPending: new Set(['a']), levels: new Map([['a', 'summary']]) }), NOW);
    expect(pol).toEqual({ kind: 'patient', own: [], proxied: [], limited: ['a'] });
  });
});

describe('what leaves the server below the full record', () => {
  const withNote = JSON.stringify({ resourceType: 'Observation', id: 'o1', status: 'final', note: [{ text: 'query CKD' }], valueQuantity: { value: 58 } });
  const patient: AccessPolicy = { kind: 'patient', own: ['me'], proxied: ['child'], limited: [], coded: ['coded-rec'], summary: ['summary-rec'] };

  it('a patient or carer gets no notes in records below the full level', () => {
    for (const record of ['coded-rec', 'summary-rec']) {
      const seen = JSON.parse(asSeenBy(patient, withNote, record));
      expect(seen.note).toBeUndefined();
      expect(seen).toMatchObject({ resourceType: 'Observation', id: 'o1', valueQuantity: { value: 58 } });
    }
  });

  it('everything else passes unchanged, the same text', () => {
    expect(asSeenBy(patient, withNote, 'me')).toBe(withNote);
    expect(asSeenBy(patient, withNote, 'child')).toBe(withNote);
    expect(asSeenBy(patient, withNote, null)).toBe(withNote);
    expect(asSeenBy({ kind: 'unrestricted' }, withNote, 'coded-rec')).toBe(withNote);
    const noNote = JSON.stringify({ resourceType: 'Condition', id: 'c1', code: { text: 'notes about "note"' } });
    expect(asSeenBy(patient, noNote, 'coded-rec')).toBe(noNote);
  });
});
