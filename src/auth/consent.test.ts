import { describe, expect, it } from 'vitest';
import { choosePatient, ownPatientId, planConsent } from './consent.js';
import { defaultScopeForRole, roleMayHold } from './roles.js';
import { parseScope, type ResourceScope } from './scopes.js';

const proxy = (patientId: string) => ({ carerUserId: 'c', patientId, permissions: ['record'] });

describe('planConsent', () => {
  it('a patient gets patient/ scopes only, with their own record in context', () => {
    const plan = planConsent({ role: 'patient', fhirUser: 'Patient/p1' }, [], ['openid', 'launch/patient'], ['patient/*.rs', 'user/*.rs', 'system/*.rs']);
    expect(plan).toEqual({
      grantOidc: ['openid', 'launch/patient'], rejectOidc: [],
      grantResource: ['patient/*.rs'], rejectResource: ['user/*.rs', 'system/*.rs'],
      patient: { kind: 'own', patientId: 'p1' },
    });
  });

  it('a patient without a Patient record cannot have a patient context', () => {
    const plan = planConsent({ role: 'patient' }, [], ['launch/patient'], []);
    expect(plan.rejectOidc).toEqual(['launch/patient']);
    expect(plan.patient).toEqual({ kind: 'none' });
  });

  it('a carer chooses between themself and the people they act for (NHS proxy access, §3.5)', () => {
    const plan = planConsent({ role: 'carer', fhirUser: 'Patient/c1' }, [proxy('child'), proxy('c1')], ['launch/patient'], ['patient/*.rs']);
    expect(plan.patient).toEqual({ kind: 'choose', patientIds: ['c1', 'child'], ownPatientId: 'c1' });
    expect(choosePatient(plan.patient, 'child')).toEqual({ patientId: 'child' });
    expect(choosePatient(plan.patient, 'stranger').error).toMatch(/Select one of the records/);
    expect(choosePatient(plan.patient, undefined).error).toMatch(/Select whose record/);
  });

  it('without launch/patient nobody gets a patient context (own record and proxies are decided per request)', () => {
    expect(planConsent({ role: 'carer', fhirUser: 'Patient/c1' }, [proxy('child')], ['openid'], []).patient).toEqual({ kind: 'none' });
    expect(planConsent({ role: 'patient', fhirUser: 'Patient/p1' }, [], ['openid', 'fhirUser'], ['patient/*.cruds']).patient).toEqual({ kind: 'none' });
  });

  it('staff get user/ and patient/ scopes but never system/, and type a patient id when asked', () => {
    const plan = planConsent({ role: 'gp', fhirUser: 'Practitioner/d1' }, [], ['openid', 'launch/patient'], ['user/*.cruds', 'patient/Observation.rs', 'system/*.rs', 'patient/Bogus.rs']);
    expect(plan.grantResource).toEqual(['user/*.cruds', 'patient/Observation.rs', 'patient/Bogus.rs']);
    expect(plan.rejectResource).toEqual(['system/*.rs']);
    expect(plan.patient).toEqual({ kind: 'enter' });
    expect(choosePatient(plan.patient, ' p-9 ')).toEqual({ patientId: 'p-9' });
    expect(choosePatient(plan.patient, 'a/b').error).toMatch(/only letters/);
    expect(choosePatient(plan.patient, '').error).toMatch(/Enter the id/);
  });

  it('refuses malformed resource scopes', () => {
    expect(planConsent({ role: 'gp' }, [], [], ['user/*.sr']).rejectResource).toEqual(['user/*.sr']);
    expect(planConsent({ role: 'gp' }, [], [], ['patient/Unicorn.rs'], { isResourceType: (t) => t !== 'Unicorn' }).rejectResource).toEqual(['patient/Unicorn.rs']);
  });
});

describe('roles', () => {
  it('caps the public at patient/ scopes and staff at patient/ and user/', () => {
    const s = (x: string) => parseScope(x) as ResourceScope;
    expect(roleMayHold('patient', s('patient/*.cruds'))).toBe(true);
    expect(roleMayHold('carer', s('user/Observation.r'))).toBe(false);
    expect(roleMayHold('practice-admin', s('user/*.cruds'))).toBe(true);
    expect(roleMayHold('gp', s('system/*.rs'))).toBe(false);
  });
  it('gives the CLI sensible defaults per role', () => {
    expect(defaultScopeForRole('patient')).toBe('launch/patient patient/*.cruds');
    expect(defaultScopeForRole('hospital-doctor')).toBe('user/*.cruds');
  });
  it('reads the own Patient id from fhirUser', () => {
    expect(ownPatientId({ fhirUser: 'Patient/abc-1' })).toBe('abc-1');
    expect(ownPatientId({ fhirUser: 'Practitioner/abc' })).toBeUndefined();
  });
});
