import { describe, expect, it } from 'vitest';
import { accessEntries, consentChoices, granteeOf, onlineMarkers, relationshipGrantees, reviewMarkers, sensitivityLabels } from './access-entries.js';
import { ONLINE_LEVEL_EXTENSION } from './online-level.js';
import { ACT_CODE, CONSENT_SOURCE_EXTENSION, ONLINE_VISIBILITY, REVIEW_INDICATED, REVIEW_NOT_INDICATED, SHARING_CHOICE, SNOMED, TYPE_1_OPT_OUT_SNOMED } from './codes.js';

describe('care relationships', () => {
  it('a registered practice is a relationship while the Patient record is active', () => {
    const p = { resourceType: 'Patient', generalPractitioner: [{ reference: 'Organization/gp1' }, { reference: 'Practitioner/dr9' }] };
    expect(relationshipGrantees(p)).toEqual([{ kind: 'registered', grantee: 'Organization/gp1' }, { kind: 'registered', grantee: 'Practitioner/dr9' }]);
    expect(relationshipGrantees({ ...p, active: false })).toEqual([]);
  });
  it.each([
    ['in-progress', true], ['arrived', true], ['planned', true], ['finished', false], ['cancelled', false], ['entered-in-error', false],
  ])('an Encounter with status %s relates its provider and participants: %s', (status, open) => {
    const e = { resourceType: 'Encounter', status, serviceProvider: { reference: 'Organization/h' }, participant: [{ individual: { reference: 'Practitioner/p' } }, { individual: { reference: 'RelatedPerson/r' } }] };
    expect(relationshipGrantees(e).map((g) => g.grantee)).toEqual(open ? ['Organization/h', 'Practitioner/p'] : []);
  });
  it('episodes, referrals and care teams relate while open', () => {
    expect(relationshipGrantees({ resourceType: 'EpisodeOfCare', status: 'active', managingOrganization: { reference: 'Organization/c' } })).toEqual([{ kind: 'episode', grantee: 'Organization/c' }]);
    expect(relationshipGrantees({ resourceType: 'EpisodeOfCare', status: 'finished', managingOrganization: { reference: 'Organization/c' } })).toEqual([]);
    expect(relationshipGrantees({ resourceType: 'ServiceRequest', status: 'active', performer: [{ reference: 'Organization/h' }] })).toEqual([{ kind: 'referral', grantee: 'Organization/h' }]);
    expect(relationshipGrantees({ resourceType: 'ServiceRequest', status: 'completed', performer: [{ reference: 'Organization/h' }] })).toEqual([]);
    expect(relationshipGrantees({ resourceType: 'CareTeam', status: 'active', participant: [{ member: { reference: 'Practitioner/n' } }] })).toEqual([{ kind: 'care-team', grantee: 'Practitioner/n' }]);
    expect(relationshipGrantees({ resourceType: 'CareTeam', status: 'inactive', participant: [{ member: { reference: 'Practitioner/n' } }] })).toEqual([]);
  });
  it('references are normalised; other targets are ignored', () => {
    expect(granteeOf({ reference: 'https://fhir.example/fhir/Organization/a1/_history/3' })).toBe('Organization/a1');
    expect(granteeOf({ reference: 'Patient/1' })).toBeUndefined();
    expect(granteeOf({ display: 'Dr Who' })).toBeUndefined();
    expect(granteeOf(undefined)).toBeUndefined();
  });
  it('other resource types grant nothing', () => {
    expect(relationshipGrantees({ resourceType: 'Observation', status: 'final', performer: [{ reference: 'Organization/x' }] })).toEqual([]);
  });
});

describe('online visibility', () => {
  it('NOPAT, redacted and third-party hide from patients; hidden-from-proxy from proxies', () => {
    const sec = (system: string, code: string) => ({ resourceType: 'Condition', meta: { security: [{ system, code }] } });
    expect(onlineMarkers(sec(ACT_CODE, 'NOPAT'))).toEqual(['hidden']);
    expect(onlineMarkers(sec(ONLINE_VISIBILITY, 'redacted'))).toEqual(['hidden']);
    expect(onlineMarkers(sec(ONLINE_VISIBILITY, 'third-party'))).toEqual(['hidden']);
    expect(onlineMarkers(sec(ONLINE_VISIBILITY, 'hidden-from-proxy'))).toEqual(['hidden-from-proxy']);
    expect(onlineMarkers(sec('http://other.example', 'NOPAT'))).toEqual([]);
  });
  it('results not yet filed are held back; final and amended are not', () => {
    expect(onlineMarkers({ resourceType: 'Observation', status: 'preliminary' })).toEqual(['awaiting-filing']);
    expect(onlineMarkers({ resourceType: 'DiagnosticReport', status: 'registered' })).toEqual(['awaiting-filing']);
    expect(onlineMarkers({ resourceType: 'Observation', status: 'final' })).toEqual([]);
    expect(onlineMarkers({ resourceType: 'Observation', status: 'amended' })).toEqual([]);
    expect(onlineMarkers({ resourceType: 'Condition', status: 'preliminary' })).toEqual([]);
  });
  it('sensitivity labels are v3-ActCode sensitivity codes only', () => {
    expect(sensitivityLabels({ meta: { security: [{ system: ACT_CODE, code: 'SEX' }, { system: ACT_CODE, code: 'NOPAT' }, { system: 'x', code: 'HIV' }] } })).toEqual(['SEX']);
  });
});

describe('sharing choices', () => {
  const consent = (code: string, provision: unknown = { type: 'deny' }, extra: Record<string, unknown> = {}) => ({
    resourceType: 'Consent', status: 'active', category: [{ coding: [{ system: SHARING_CHOICE, code }] }], provision, ...extra,
  });
  it('withheld categories and sources come from the nested deny provisions', () => {
    expect(consentChoices(consent('withhold-category', { type: 'permit', provision: [{ type: 'deny', securityLabel: [{ system: ACT_CODE, code: 'SEX' }, { system: ACT_CODE, code: 'HIV' }] }] }))).toEqual(['withhold-category:SEX', 'withhold-category:HIV']);
    expect(consentChoices(consent('withhold-source', { type: 'permit', provision: [{ type: 'deny', extension: [{ url: CONSENT_SOURCE_EXTENSION, valueUri: 'https://lab.example' }] }] }))).toEqual(['withhold-source:https://lab.example']);
    // A permit provision withholds nothing.
    expect(consentChoices(consent('withhold-category', { type: 'permit', provision: [{ type: 'permit', securityLabel: [{ system: ACT_CODE, code: 'SEX' }] }] }))).toEqual([]);
  });
  it('dissent, national data opt-out and Type 1 (by SNOMED code too)', () => {
    expect(consentChoices(consent('dissent-to-share'))).toEqual(['dissent-to-share']);
    expect(consentChoices(consent('national-data-opt-out'))).toEqual(['national-data-opt-out']);
    expect(consentChoices({ resourceType: 'Consent', status: 'active', category: [{ coding: [{ system: SNOMED, code: TYPE_1_OPT_OUT_SNOMED }] }] })).toEqual(['type-1-opt-out']);
  });
  it('only active Consents count', () => {
    expect(consentChoices(consent('dissent-to-share', { type: 'deny' }, { status: 'inactive' }))).toEqual([]);
    expect(consentChoices(consent('dissent-to-share', { type: 'deny' }, { status: 'proposed' }))).toEqual([]);
  });
});

describe('enhanced review markers', () => {
  it('read the SNOMED code and the entry date', () => {
    expect(reviewMarkers({ resourceType: 'Observation', code: { coding: [{ system: SNOMED, code: REVIEW_INDICATED }] }, effectiveDateTime: '2024-03-01' })).toEqual([{ code: 'indicated', date: '2024-03-01' }]);
    expect(reviewMarkers({ resourceType: 'Observation', code: { coding: [{ system: SNOMED, code: REVIEW_NOT_INDICATED }] }, effectiveDateTime: '2024-04-01' })).toEqual([{ code: 'not-indicated', date: '2024-04-01' }]);
    expect(reviewMarkers({ resourceType: 'Observation', status: 'entered-in-error', code: { coding: [{ system: SNOMED, code: REVIEW_INDICATED }] } })).toEqual([]);
  });
});

it('accessEntries gathers every kind under its own parameter', () => {
  const rows = accessEntries({ resourceType: 'Observation', status: 'preliminary', meta: { security: [{ system: ACT_CODE, code: 'PSY' }] } });
  expect(rows).toEqual([
    { param: '_access:online', system: null, code: 'awaiting-filing', text: null },
    { param: '_access:sensitivity', system: ACT_CODE, code: 'PSY', text: null },
  ]);
});

describe('online access level', () => {
  it('a level the practice set on a Patient is an access row', () => {
    const rows = accessEntries({ resourceType: 'Patient', extension: [{ url: ONLINE_LEVEL_EXTENSION, valueCode: 'detailed-coded' }] });
    expect(rows).toContainEqual({ param: '_access:level', system: null, code: 'detailed-coded', text: null });
    expect(accessEntries({ resourceType: 'Patient' }).some((r) => r.param === '_access:level')).toBe(false);
  });
});
