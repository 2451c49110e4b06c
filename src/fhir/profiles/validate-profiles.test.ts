import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { OperationOutcomeIssue } from '../types.js';
import { NOT_EXPANDED, UK_CORE_PROFILE_URLS, validateProfiles } from './index.js';

const UK = 'https://fhir.hl7.org.uk/StructureDefinition/';
const NHS_NUMBER = 'https://fhir.nhs.uk/Id/nhs-number';
const VERIFICATION = `${UK}Extension-UKCore-NHSNumberVerificationStatus`;
const BIRTH_SEX = `${UK}Extension-UKCore-BirthSex`;
const FIXTURES = new URL('../../../test/fixtures/uk-core-examples/', import.meta.url);

/** Test data, read and changed freely. */
type Json = Record<string, any>;

/** `[severity, code, expression]` of every issue: what a client would act on. */
function found(resource: unknown): [string, string, string | undefined][] {
  return validateProfiles(resource).map((i) => [i.severity, i.code, i.expression?.[0]]);
}

function errors(resource: unknown): OperationOutcomeIssue[] {
  return validateProfiles(resource).filter((i) => i.severity === 'error');
}

/** A UK Core example from the fixtures, claiming `profile` (UKCore-…). */
function example(file: string, profile: string): Json {
  const resource = JSON.parse(readFileSync(new URL(`${file}.json`, FIXTURES), 'utf8')) as Json;
  resource['meta'] = { profile: [`${UK}${profile}`] };
  return resource;
}

function verified(code = '01'): Json {
  return {
    url: VERIFICATION,
    valueCodeableConcept: { coding: [{ system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland', code }] },
  };
}

function patient(extra: Json = {}): Json {
  return {
    resourceType: 'Patient',
    meta: { profile: [`${UK}UKCore-Patient`] },
    identifier: [{ extension: [verified()], system: NHS_NUMBER, value: '9912003888' }],
    name: [{ family: 'Smith', given: ['Richard'] }],
    ...extra,
  };
}

describe('validateProfiles: which profiles apply', () => {
  it('accepts a valid UKCore-Patient', () => {
    expect(validateProfiles(patient())).toEqual([]);
  });

  it('knows every UK Core profile of the release, by canonical URL', () => {
    expect(UK_CORE_PROFILE_URLS).toHaveLength(70);
    expect(UK_CORE_PROFILE_URLS).toContain(`${UK}UKCore-Patient`);
    expect(UK_CORE_PROFILE_URLS).toContain(`${UK}UKCore-Observation-VitalSigns-BMI`);
  });

  it('checks nothing for a resource that claims no UK Core profile', () => {
    const bad = patient({ identifier: [{ system: NHS_NUMBER }, { system: NHS_NUMBER }] });
    delete bad['meta'];
    expect(validateProfiles(bad)).toEqual([]);
    bad['meta'] = { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient'] };
    expect(validateProfiles(bad)).toEqual([]);
  });

  it('accepts any version of a profile (canonical|version)', () => {
    const bad = patient({ meta: { profile: [`${UK}UKCore-Patient|2.6.1`] }, identifier: [{ system: NHS_NUMBER }] });
    expect(found(bad)).toEqual([['error', 'required', 'Patient.identifier[0].value']]);
    bad['meta'].profile = [`${UK}UKCore-Patient|9.9.9`];
    expect(found(bad)).toEqual([['error', 'required', 'Patient.identifier[0].value']]);
  });

  it('warns, and checks nothing, for a UK Core profile it does not know', () => {
    const issues = validateProfiles(patient({ meta: { profile: [`${UK}UKCore-Patient-Future`] } }));
    expect(issues).toEqual([expect.objectContaining({ severity: 'warning', code: 'not-supported', expression: ['Patient.meta.profile[0]'] })]);
  });

  it('rejects a profile of another resource type', () => {
    expect(found(patient({ meta: { profile: [`${UK}UKCore-Observation`] } })))
      .toEqual([['error', 'structure', 'Patient.meta.profile[0]']]);
  });

  it('lists the required bindings it cannot check (value sets not enumerable from UK Core + R4)', () => {
    expect(Object.keys(NOT_EXPANDED)).toEqual([
      'http://hl7.org/fhir/ValueSet/all-distance-units', // UCUM, by filter
      'http://hl7.org/fhir/ValueSet/all-languages', // BCP-47
      'http://hl7.org/fhir/ValueSet/observation-triggeredbytype', // R5
      'http://hl7.org/fhir/ValueSet/patient-fetalstatus', // R6
      'http://hl7.org/fhir/ValueSet/subscription-payload-content', // R5
    ]);
  });

  it('ignores what is not a resource, and does not modify its input', () => {
    for (const value of [null, 42, 'Patient', [], {}, { resourceType: 'Nope', meta: { profile: [`${UK}UKCore-Patient`] } }]) {
      expect(validateProfiles(value)).toEqual([]);
    }
    const resource = patient({ identifier: [{ system: NHS_NUMBER }] });
    const copy = structuredClone(resource);
    validateProfiles(resource);
    expect(resource).toEqual(copy);
  });
});

describe('validateProfiles: UKCore-Patient NHS number slice (identifier sliced by system)', () => {
  it('requires a value in an NHS number identifier (Patient.identifier:nhsNumber.value min 1)', () => {
    const issues = errors(patient({ identifier: [{ system: 'https://example.org/mrn', value: 'A1' }, { system: NHS_NUMBER }] }));
    expect(issues).toEqual([expect.objectContaining({ code: 'required', expression: ['Patient.identifier[1].value'] })]);
    expect(issues[0]!.diagnostics).toContain('UKCore-Patient');
  });

  it('allows one NHS number (Patient.identifier:nhsNumber max 1)', () => {
    const issues = errors(patient({ identifier: [{ system: NHS_NUMBER, value: '9912003888' }, { system: NHS_NUMBER, value: '9000000009' }] }));
    expect(issues.map((i) => [i.code, i.expression?.[0]])).toEqual([['structure', 'Patient.identifier']]);
    expect(issues[0]!.diagnostics).toMatch(/slice 'nhsNumber'.*at most 1, found 2/);
  });

  it('allows other identifiers besides (the slicing is open)', () => {
    expect(validateProfiles(patient({ identifier: [{ system: 'https://example.org/mrn', value: 'A1' }] }))).toEqual([]);
  });

  it('checks the verification status against its required value set', () => {
    const bad = patient({ identifier: [{ extension: [verified('99')], system: NHS_NUMBER, value: '9912003888' }] });
    expect(found(bad)).toEqual([['error', 'code-invalid', 'Patient.identifier[0].extension[0].valueCodeableConcept.coding[0].code']]);
  });

  it('allows one verification status (Patient.identifier:nhsNumber.extension:nhsNumberVerificationStatus max 1)', () => {
    const bad = patient({ identifier: [{ extension: [verified('01'), verified('02')], system: NHS_NUMBER, value: '9912003888' }] });
    expect(found(bad)).toEqual([['error', 'structure', 'Patient.identifier[0].extension']]);
  });
});

describe('validateProfiles: extensions', () => {
  const birthSex = (code: string): Json => ({
    url: BIRTH_SEX, valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender', code }] },
  });

  it('accepts a birth sex from its required value set (v3 AdministrativeGender from the R4 package)', () => {
    expect(validateProfiles(patient({ extension: [birthSex('F')] }))).toEqual([]);
  });

  it('rejects a birth sex outside its required value set', () => {
    expect(found(patient({ extension: [birthSex('X')] })))
      .toEqual([['error', 'code-invalid', 'Patient.extension[0].valueCodeableConcept.coding[0].code']]);
  });

  it('enforces the extension definition: value type and max', () => {
    expect(found(patient({ extension: [{ url: BIRTH_SEX, valueCode: 'F' }] })))
      .toEqual([['error', 'structure', 'Patient.extension[0].valueCode']]);
    expect(found(patient({ extension: [birthSex('F'), birthSex('M')] })))
      .toEqual([['error', 'structure', 'Patient.extension']]);
    expect(found(patient({ extension: [{ url: BIRTH_SEX }] })))
      .toEqual([['error', 'required', 'Patient.extension[0].value[x]']]);
  });

  it('enforces the max a profile sets on an extension slice (Patient.extension:ethnicCategory max 1)', () => {
    const ethnic = { url: `${UK}Extension-UKCore-EthnicCategory`, valueCodeableConcept: { text: 'White British' } };
    expect(found(patient({ extension: [ethnic, ethnic] }))).toEqual([['error', 'structure', 'Patient.extension']]);
  });

  it('rejects an extension outside its context', () => {
    const observation = example('UKCore-Observation-VitalSigns-HeartRate-Example', 'UKCore-Observation-VitalSigns-HeartRate');
    observation['extension'] = [birthSex('F')];
    const issues = errors(observation);
    expect(issues.map((i) => [i.code, i.expression?.[0]])).toEqual([['structure', 'Observation.extension[0]']]);
    expect(issues[0]!.diagnostics).toContain('may be used on Patient, not on Observation');
  });

  it('resolves a context on a datatype element (ContactPoint.system) and a type (Address)', () => {
    const other = { url: `${UK}Extension-UKCore-OtherContactSystem`, valueCodeableConcept: { text: 'Minicom' } };
    const addressKey = {
      url: `${UK}Extension-UKCore-AddressKey`,
      extension: [{ url: 'type', valueCodeableConcept: { text: 'UPRN' } }, { url: 'value', valueString: '123' }],
    };
    expect(validateProfiles(patient({
      telecom: [{ system: 'other', _system: { extension: [other] }, value: '0113 000 0000' }],
      address: [{ extension: [addressKey], line: ['1 Street'] }],
    }))).toEqual([]);
    expect(found(patient({ extension: [other] }))).toEqual([['error', 'structure', 'Patient.extension[0]']]);
  });

  it('checks the sub-extensions of a complex extension (Extension-UKCore-AddressKey)', () => {
    const addressKey = { url: `${UK}Extension-UKCore-AddressKey`, extension: [{ url: 'type', valueCodeableConcept: { text: 'UPRN' } }] };
    expect(found(patient({ address: [{ extension: [addressKey], line: ['1 Street'] }] }))).toEqual([
      ['error', 'required', 'Patient.address[0].extension[0].extension'], // Extension.extension min 2
      ['error', 'required', 'Patient.address[0].extension[0].extension'], // slice 'value' min 1
    ]);
  });

  it('warns about a UK Core extension it does not know', () => {
    expect(found(patient({ extension: [{ url: `${UK}Extension-UKCore-Unknown`, valueString: 'x' }] })))
      .toEqual([['warning', 'extension', 'Patient.extension[0]']]);
  });
});

describe('validateProfiles: vital signs', () => {
  const bmi = (): Json => example('UKCore-Observation-VitalSigns-BMI-Example', 'UKCore-Observation-VitalSigns-BMI');
  const bloodPressure = (): Json => example('UKCore-Observation-VitalSigns-BloodPressure-Example', 'UKCore-Observation-VitalSigns-BloodPressure');

  it('accepts the examples', () => {
    expect(validateProfiles(bmi())).toEqual([]);
    expect(validateProfiles(bloodPressure())).toEqual([]);
  });

  it('checks fixed values (BMI in kg/m2)', () => {
    const resource = bmi();
    resource['valueQuantity'].code = 'kg';
    expect(found(resource)).toEqual([['error', 'value', 'Observation.valueQuantity.code']]);
    expect(validateProfiles(resource)[0]!.diagnostics).toContain("must be 'kg/m2'");
  });

  it('checks the types left to value[x] (Quantity only)', () => {
    const resource = bmi();
    delete resource['valueQuantity'];
    resource['valueString'] = '23';
    expect(found(resource)).toEqual([['error', 'structure', 'Observation.valueString']]);
  });

  it('requires the LOINC coding (slice loinc, min 1) and says why twice: slice and invariant ukcore-obs-vs-001', () => {
    const resource = bmi();
    resource['code'].coding = resource['code'].coding.filter((c: Json) => c['system'] !== 'http://loinc.org');
    expect(found(resource)).toEqual([
      ['error', 'invariant', 'Observation'],
      ['error', 'required', 'Observation.code.coding'],
    ]);
  });

  it('checks a fixed value in a slice (loinc.code 39156-5 for BMI)', () => {
    const resource = bmi();
    const loinc = resource['code'].coding.find((c: Json) => c['system'] === 'http://loinc.org');
    loinc.code = '8867-4';
    expect(found(resource)).toEqual([['error', 'value', expect.stringMatching(/^Observation\.code\.coding\[\d\]\.code$/)]]);
  });

  it('blood pressure: components are closed to the systolic and diastolic slices', () => {
    const resource = bloodPressure();
    resource['component'][1].code.text = 'Mean blood pressure';
    expect(found(resource)).toEqual([['error', 'structure', 'Observation.component[1]']]);
  });

  it('blood pressure: the systolic component is required (SystolicBP min 1)', () => {
    const resource = bloodPressure();
    resource['component'] = [resource['component'][1]];
    expect(found(resource)).toEqual([['error', 'required', 'Observation.component']]);
  });

  it('blood pressure: value[x] is prohibited on the panel (max 0)', () => {
    const resource = bloodPressure();
    resource['valueQuantity'] = { value: 120 };
    expect(found(resource)).toEqual([['error', 'structure', 'Observation.valueQuantity']]);
  });

  it('requires what the profile makes mandatory (subject, effective[x])', () => {
    const resource = bmi();
    delete resource['subject'];
    delete resource['effectiveDateTime'];
    expect(found(resource)).toEqual([['error', 'required', 'Observation.subject'], ['error', 'required', 'Observation.effective[x]']]);
  });
});

describe('validateProfiles: other constraints', () => {
  it('checks reference targets (UKCore-Observation-Lab subject: Patient)', () => {
    const lab = example('UKCore-Observation-Lab-RedCellCount-Example', 'UKCore-Observation-Lab');
    expect(validateProfiles(lab).filter((i) => i.severity === 'error')).toEqual([]);
    lab['subject'] = { reference: 'Group/g1' };
    expect(found(lab)).toEqual([['error', 'structure', 'Observation.subject']]);
    lab['subject'] = { reference: '#g', type: 'Patient' };
    lab['contained'] = [{ resourceType: 'Group', id: 'g', type: 'person', actual: true }];
    expect(found(lab).filter(([severity]) => severity === 'error')).toEqual([['error', 'structure', 'Observation.subject']]);
  });

  it('checks a fixed category in a slice (UKCore-DiagnosticReport-Lab category:laboratory min 1)', () => {
    const report = example('UKCore-DiagnosticReport-Lab-DiagnosticStudiesReport-Example', 'UKCore-DiagnosticReport-Lab');
    expect(errors(report)).toEqual([]);
    report['category'] = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD' }] }];
    expect(found(report).filter(([severity]) => severity === 'error')).toEqual([['error', 'required', 'DiagnosticReport.category']]);
  });

  it('checks invariants (ukcore-imm-001: not-done needs a statusReason)', () => {
    const immunization = example('UKCore-Immunization-InfluenzaVaccine-Example', 'UKCore-Immunization');
    expect(validateProfiles(immunization)).toEqual([]);
    immunization['status'] = 'not-done';
    delete immunization['statusReason'];
    const issues = validateProfiles(immunization);
    expect(issues.map((i) => [i.severity, i.code, i.expression?.[0]])).toEqual([['error', 'invariant', 'Immunization']]);
    expect(issues[0]!.diagnostics).toContain('ukcore-imm-001');
  });

  it('reports warning invariants as warnings (ukcore-obs-lab-001)', () => {
    const lab = example('UKCore-Observation-Lab-RedCellCount-Example', 'UKCore-Observation-Lab');
    for (const key of Object.keys(lab)) if (key.startsWith('value')) delete lab[key];
    expect(found(lab)).toEqual([['warning', 'invariant', 'Observation']]);
  });

  it('checks a fixed code on every coding (UKCore-Observation-ACVPU code.coding.code)', () => {
    const acvpu = example('UKCore-Observation-PatientConsciousness-Example', 'UKCore-Observation-ACVPU');
    expect(validateProfiles(acvpu)).toEqual([]);
    acvpu['code'].coding.push({ system: 'http://loinc.org', code: '67775-7' });
    expect(found(acvpu)).toEqual([['error', 'value', 'Observation.code.coding[1].code']]);
  });
});

describe('validateProfiles: nested resources', () => {
  it('checks Bundle entries and contained resources that claim a profile, with their paths', () => {
    const badPatient = patient({ identifier: [{ system: NHS_NUMBER }] });
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { fullUrl: 'urn:uuid:5c4b1b22-0000-4000-8000-000000000001', resource: patient() },
        { fullUrl: 'urn:uuid:5c4b1b22-0000-4000-8000-000000000002', resource: badPatient },
        { fullUrl: 'urn:uuid:5c4b1b22-0000-4000-8000-000000000003', resource: { resourceType: 'List', status: 'current', mode: 'working', contained: [badPatient] } },
      ],
    };
    expect(found(bundle)).toEqual([
      ['error', 'required', 'Bundle.entry[1].resource.identifier[0].value'],
      ['error', 'required', 'Bundle.entry[2].resource.contained[0].identifier[0].value'],
    ]);
  });

  it('resolves urn:uuid references through the Bundle for target checks', () => {
    const lab = example('UKCore-Observation-Lab-RedCellCount-Example', 'UKCore-Observation-Lab');
    lab['subject'] = { reference: 'urn:uuid:5c4b1b22-0000-4000-8000-000000000009' };
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { fullUrl: 'urn:uuid:5c4b1b22-0000-4000-8000-000000000009', resource: { resourceType: 'Group', type: 'person', actual: true } },
        { fullUrl: 'urn:uuid:5c4b1b22-0000-4000-8000-000000000010', resource: lab },
      ],
    };
    expect(found(bundle).filter(([severity]) => severity === 'error')).toEqual([['error', 'structure', 'Bundle.entry[1].resource.subject']]);
  });
});
