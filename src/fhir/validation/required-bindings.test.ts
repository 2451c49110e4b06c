import { describe, expect, it } from 'vitest';
import { validateResource } from './index.js';

/** `[code, expression]` of every issue: what a client would act on. */
function found(resource: unknown): [string, string | undefined][] {
  return validateResource(resource).map((i) => [i.code, i.expression?.[0]]);
}

function diagnostics(resource: unknown): string[] {
  return validateResource(resource).map((i) => i.diagnostics ?? '');
}

const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const condition = (clinicalStatus: unknown) => ({ resourceType: 'Condition', subject: { reference: 'Patient/1' }, clinicalStatus });

describe('required bindings on code elements (https://hl7.org/fhir/R4/terminologies.html#required)', () => {
  it('Patient.gender must be from administrative-gender, and the diagnostics list its codes', () => {
    expect(found({ resourceType: 'Patient', gender: 'female' })).toEqual([]);
    expect(found({ resourceType: 'Patient', gender: 'sometimes' })).toEqual([['code-invalid', 'Patient.gender']]);
    const [issue] = validateResource({ resourceType: 'Patient', gender: 'sometimes' });
    expect(issue?.severity).toBe('error');
    expect(issue?.diagnostics).toBe("'sometimes' is not in the value set http://hl7.org/fhir/ValueSet/administrative-gender, " +
      'which is required here; one of male, female, other, unknown');
  });

  it('codes are case-sensitive, and checked in backbone elements too', () => {
    expect(found({ resourceType: 'Patient', gender: 'Male', contact: [{ gender: 'unknown' }, { gender: 'M' }] }))
      .toEqual([['code-invalid', 'Patient.gender'], ['code-invalid', 'Patient.contact[1].gender']]);
  });

  it('Observation.status must be from observation-status', () => {
    const observation = { resourceType: 'Observation', code: { text: 'Heart rate' } };
    expect(found({ ...observation, status: 'final' })).toEqual([]);
    expect(found({ ...observation, status: 'done' })).toEqual([['code-invalid', 'Observation.status']]);
    expect(diagnostics({ ...observation, status: 'done' })[0]).toContain('observation-status');
  });

  it('Bundle.type and Bundle.entry.request.method, also in nested resources', () => {
    expect(found({ resourceType: 'Bundle', type: 'collection' })).toEqual([]);
    expect(found({ resourceType: 'Bundle', type: 'transactions' })).toEqual([['code-invalid', 'Bundle.type']]);
    expect(found({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'FETCH', url: 'Patient/1' } },
        { resource: { resourceType: 'Patient', gender: 'f' }, request: { method: 'PUT', url: 'Patient/2' } },
      ],
    })).toEqual([['code-invalid', 'Bundle.entry[0].request.method'], ['code-invalid', 'Bundle.entry[1].resource.gender']]);
  });

  it('names the count instead of listing the codes of a value set with more than 10', () => {
    const resource = { resourceType: 'Questionnaire', status: 'active', subjectType: ['Patient', 'Patinet'] };
    expect(found(resource)).toEqual([['code-invalid', 'Questionnaire.subjectType[1]']]);
    expect(diagnostics(resource)[0]).toMatch(/resource-types, which is required here; 148 codes are allowed$/);
  });

  it('a value set drawing on two code systems allows the codes of both', () => {
    const timing = (when: string[]) => ({ resourceType: 'MedicationRequest', status: 'active', intent: 'order',
      medicationCodeableConcept: { text: 'x' }, subject: { reference: 'Patient/1' },
      dosageInstruction: [{ timing: { repeat: { when } } }] });
    // event-timing: the FHIR codes (MORN) and the v3 TimingEvent codes (ACM).
    expect(found(timing(['MORN', 'ACM']))).toEqual([]);
    expect(found(timing(['MORN', 'BREAKFAST']))).toEqual([['code-invalid', 'MedicationRequest.dosageInstruction[0].timing.repeat.when[1]']]);
  });

  it('abstract codes are not in the value set (item-type question is a grouping of the question types)', () => {
    const questionnaire = (type: string) => ({ resourceType: 'Questionnaire', status: 'draft', item: [{ linkId: '1', type }] });
    expect(found(questionnaire('string'))).toEqual([]);
    expect(found(questionnaire('question'))).toEqual([['code-invalid', 'Questionnaire.item[0].type']]);
  });

  it('a primitive with extensions and no value has no code to check; a bad value is reported once', () => {
    const absent = { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] };
    expect(found({ resourceType: 'Patient', _gender: absent })).toEqual([]);
    expect(found({ resourceType: 'Patient', gender: 'not a code ' })).toEqual([['value', 'Patient.gender']]);
  });

  it('leaves bindings the package cannot expand (MIME types, currencies) to the format check', () => {
    expect(found({ resourceType: 'Binary', contentType: 'application/x-made-up' })).toEqual([]);
    expect(found({ resourceType: 'Invoice', status: 'draft', totalNet: { value: 1, currency: 'XYZ' } })).toEqual([]);
  });
});

describe('required bindings on codings', () => {
  it('accepts a coding from the value set, and a CodeableConcept with text only', () => {
    expect(found(condition({ coding: [{ system: CLINICAL, code: 'active' }] }))).toEqual([]);
    expect(found(condition({ coding: [{ system: CLINICAL, code: 'remission', display: 'Remission' }] }))).toEqual([]);
    expect(found(condition({ text: 'Active' }))).toEqual([]);
  });

  it('rejects a code of the value set\'s system that is not in it, at the code', () => {
    expect(found(condition({ coding: [{ system: CLINICAL, code: 'cured' }] })))
      .toEqual([['code-invalid', 'Condition.clinicalStatus.coding[0].code']]);
    expect(diagnostics(condition({ coding: [{ system: CLINICAL, code: 'cured' }] }))[0])
      .toBe(`'cured' is not a code of ${CLINICAL} in the value set http://hl7.org/fhir/ValueSet/condition-clinical, ` +
        'which is required here; one of active, recurrence, relapse, inactive, remission, resolved');
  });

  it('rejects codings only from other systems, or without a system, at the CodeableConcept', () => {
    const snomed = { system: 'http://snomed.info/sct', code: '55561003' };
    expect(found(condition({ coding: [snomed] }))).toEqual([['code-invalid', 'Condition.clinicalStatus']]);
    expect(found(condition({ coding: [{ code: 'active' }] }))).toEqual([['code-invalid', 'Condition.clinicalStatus']]);
    expect(diagnostics(condition({ coding: [snomed] }))[0]).toBe('No coding has a system and code from the value set ' +
      `http://hl7.org/fhir/ValueSet/condition-clinical, which is required here; system ${CLINICAL}, ` +
      'one of active, recurrence, relapse, inactive, remission, resolved');
  });

  it('allows another system beside a coding from the value set, as a translation', () => {
    const snomed = { system: 'http://snomed.info/sct', code: '55561003' };
    expect(found(condition({ coding: [snomed, { system: CLINICAL, code: 'active' }] }))).toEqual([]);
  });

  it('checks codings inside backbone elements and nested resources', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: condition({ coding: [{ system: CLINICAL, code: 'active' }, { system: CLINICAL, code: 'gone' }] }) }],
    };
    expect(found(bundle)).toEqual([['code-invalid', 'Bundle.entry[0].resource.clinicalStatus.coding[1].code']]);
  });
});
