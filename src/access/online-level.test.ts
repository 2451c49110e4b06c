import { describe, expect, it } from 'vitest';
import { lowerOf, ONLINE_LEVEL_EXTENSION, onlineLevelOf, typeShownAt } from './online-level.js';

const patient = (...codes: unknown[]) => ({ resourceType: 'Patient', extension: codes.map((valueCode) => ({ url: ONLINE_LEVEL_EXTENSION, valueCode })) });

describe('online access level (nhs-domain §3.1)', () => {
  it('is unset (full by default) without the practice\u2019s extension', () => {
    expect(onlineLevelOf({ resourceType: 'Patient' })).toBeUndefined();
    expect(onlineLevelOf({ resourceType: 'Observation', extension: [{ url: ONLINE_LEVEL_EXTENSION, valueCode: 'summary' }] })).toBeUndefined();
  });
  it('reads the level; the lowest of several; an unknown code fails closed to none', () => {
    expect(onlineLevelOf(patient('summary'))).toBe('summary');
    expect(onlineLevelOf(patient('full', 'detailed-coded'))).toBe('detailed-coded');
    expect(onlineLevelOf(patient('everything'))).toBe('none');
    expect(lowerOf('full', 'summary')).toBe('summary');
  });
  it('decides what each level shows by type', () => {
    expect(typeShownAt('summary', 'AllergyIntolerance')).toBe(true);
    expect(typeShownAt('summary', 'MedicationRequest')).toBe(true);
    expect(typeShownAt('summary', 'Condition')).toBe(false);
    expect(typeShownAt('summary', 'Consent')).toBe(true);
    expect(typeShownAt('detailed-coded', 'Observation')).toBe(true);
    expect(typeShownAt('detailed-coded', 'DocumentReference')).toBe(false);
    expect(typeShownAt('full', 'DocumentReference')).toBe(true);
    expect(typeShownAt('none', 'AllergyIntolerance')).toBe(false);
    expect(typeShownAt('none', 'Patient')).toBe(true);
  });
});
