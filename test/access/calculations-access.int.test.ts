/**
 * Calculations from the record read the record as the caller may see it: a reading withheld from
 * them neither counts nor is named as a source, a patient they may not see is unknown, and
 * saving the result needs a scope that allows creating Observations.
 * https://hl7.org/fhir/R4/operations.html
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { ACT_CODE, SHARING_CHOICE } from '../../src/access/codes.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { ENGINES } from '../support/test-store.js';
import { SYSTEM_PRINCIPAL, testPrincipal } from '../support/principals.js';

const LOINC = 'http://loinc.org';
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

const measurement = (id: string, code: string, value: number, unit: string, effective: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: LOINC, code }] }, subject: { reference: 'Patient/ivy' },
  effectiveDateTime: effective, valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit }, ...extra,
});

const RECORD = [
  { resourceType: 'Organization', id: 'org-gp', name: 'Riverside Surgery' },
  { resourceType: 'Organization', id: 'org-hosp', name: 'City Hospital' },
  { resourceType: 'Patient', id: 'ivy', birthDate: '1970-05-01', gender: 'female', generalPractitioner: [{ reference: 'Organization/org-gp' }] },
  { resourceType: 'ServiceRequest', id: 'ivy-referral', status: 'active', intent: 'order', subject: { reference: 'Patient/ivy' }, performer: [{ reference: 'Organization/org-hosp' }] },
  // Ivy withholds sexual health from sharing; her newest weight was taken at that clinic.
  {
    resourceType: 'Consent', id: 'ivy-consent', status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: SHARING_CHOICE, code: 'withhold-category' }] }],
    patient: { reference: 'Patient/ivy' }, provision: { type: 'permit', provision: [{ type: 'deny', securityLabel: [{ system: ACT_CODE, code: 'SEX' }] }] },
  },
  measurement('ivy-weight-old', '29463-7', 70, 'kg', ago(30)),
  measurement('ivy-weight-clinic', '29463-7', 90, 'kg', ago(2), { meta: { security: [{ system: ACT_CODE, code: 'SEX' }] } }),
  measurement('ivy-height', '8302-2', 170, 'cm', ago(30)),
];

const PRINCIPALS: Record<string, Principal> = {
  system: SYSTEM_PRINCIPAL,
  gp: testPrincipal('practitioner', 'user/*.cruds', { fhirUser: 'Practitioner/gp1', organization: 'Organization/org-gp', role: 'gp', userId: 'u-gp' }),
  hospital: testPrincipal('practitioner', 'user/*.cruds', { fhirUser: 'Practitioner/doc1', organization: 'Organization/org-hosp', role: 'hospital-doctor', userId: 'u-doc' }),
  'hospital-reader': testPrincipal('practitioner', 'user/*.rs', { fhirUser: 'Practitioner/doc2', organization: 'Organization/org-hosp', role: 'hospital-doctor', userId: 'u-doc2' }),
  ivy: testPrincipal('patient', 'patient/*.rs', { fhirUser: 'Patient/ivy', role: 'patient', userId: 'u-ivy' }),
  stranger: testPrincipal('practitioner', 'user/*.cruds', { fhirUser: 'Practitioner/x', organization: 'Organization/org-elsewhere', role: 'gp', userId: 'u-x' }),
};

for (const engine of ENGINES) {
  describe(`calculations from the record under access control on ${engine}`, () => {
    let t: TestApp;
    const as = (role: string) => ({ authorization: `Bearer ${role}` });
    const bmi = async (role: string, method = 'GET', query = '') => t.call(method, `/fhir/Patient/ivy/$bmi${query}`, undefined, as(role));
    const weightOf = (body: any) => body.parameter.find((p: any) => p.name === 'input' && p.part.find((q: any) => q.name === 'weightKg'));
    const sources = (body: any) => body.parameter.filter((p: any) => p.name === 'input').flatMap((p: any) => p.part.filter((q: any) => q.name === 'source').map((q: any) => q.valueReference.reference));

    beforeAll(async () => {
      t = await createTestApp(engine, { authenticate: async (h) => PRINCIPALS[h?.replace(/^Bearer /, '') ?? 'system']! });
      for (const r of RECORD) {
        const res = await t.call('PUT', `/fhir/${r.resourceType}/${r.id}`, r, as('system'));
        expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      }
    });
    afterAll(async () => t.close());

    it('the registered practice sees every reading, so the newest weight counts', async () => {
      const res = await bmi('gp');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(weightOf(res.body).part.find((q: any) => q.name === 'weightKg').valueDecimal).toBe(90);
      expect(sources(res.body)).toContain('Observation/ivy-weight-clinic');
    });

    it('the hospital does not: the withheld reading is neither used nor named', async () => {
      const res = await bmi('hospital');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(weightOf(res.body).part.find((q: any) => q.name === 'weightKg').valueDecimal).toBe(70);
      expect(sources(res.body)).not.toContain('Observation/ivy-weight-clinic');
      expect(JSON.stringify(res.body)).not.toContain('ivy-weight-clinic');
    });

    it('the patient herself sees her own readings', async () => {
      const res = await bmi('ivy');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(weightOf(res.body).part.find((q: any) => q.name === 'weightKg').valueDecimal).toBe(90);
    });

    it('someone with no relationship gets the answer for an unknown patient', async () => {
      const res = await bmi('stranger');
      expect(res.status).toBe(404);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(JSON.stringify(res.body)).not.toContain('ivy-weight');
    });

    it('saving the result needs a scope that allows creating Observations', async () => {
      const refused = await bmi('hospital-reader', 'POST', '?store=true');
      expect(refused.status).toBe(403);
      expect(refused.body.resourceType).toBe('OperationOutcome');
      const saved = await bmi('hospital', 'POST', '?store=true');
      expect(saved.status, JSON.stringify(saved.body)).toBe(201);
      expect(saved.body.derivedFrom.map((d: any) => d.reference)).not.toContain('Observation/ivy-weight-clinic');
    });
  });
}
