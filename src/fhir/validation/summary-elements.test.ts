import { describe, expect, it } from 'vitest';
import { summarize, validateResource } from './index.js';

const birthTime = { url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1974-12-25T14:35:45-05:00' };

const patient = {
  resourceType: 'Patient',
  id: 'example',
  meta: { versionId: '3', lastUpdated: '2024-01-02T03:04:05Z', tag: [{ system: 'http://example.org/tags', code: 'a' }] },
  text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Peter Chalmers</div>' },
  extension: [{ url: 'http://example.org/ext', valueString: 'x' }],
  identifier: [{ use: 'usual', system: 'urn:oid:1.2.36.146.595.217.0.1', value: '12345' }],
  active: true,
  name: [
    { use: 'official', family: 'Chalmers', given: ['Peter', 'James'], _given: [null, { id: 'g2' }] },
    { extension: [{ url: 'http://example.org/ext', valueString: 'only an extension' }] },
  ],
  gender: 'male',
  birthDate: '1974-12-25',
  _birthDate: { extension: [birthTime] },
  maritalStatus: { text: 'Married' },
  photo: [{ contentType: 'image/png', data: 'AAAA' }],
  contact: [{ name: { family: 'du Marché' } }],
  communication: [{ language: { text: 'French' } }],
  managingOrganization: { reference: 'Organization/1', display: 'Gastroenterology' },
};

const observation = {
  resourceType: 'Observation',
  id: 'bp',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }], text: 'Blood pressure' },
  subject: { reference: 'Patient/example' },
  effectiveDateTime: '2012-09-17',
  interpretation: [{ text: 'Low' }],
  note: [{ text: 'Taken sitting' }],
  bodySite: { text: 'Right arm' },
  referenceRange: [{ low: { value: 90, unit: 'mmHg' } }],
  component: [
    {
      modifierExtension: [{ url: 'http://example.org/not-measured', valueBoolean: false }],
      code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
      valueQuantity: { value: 107, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
      interpretation: [{ text: 'Normal' }],
    },
    {
      code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] },
      dataAbsentReason: { text: 'Not measured' },
    },
  ],
};

describe('summarize (_summary=true, https://hl7.org/fhir/R4/search.html#summary)', () => {
  it('keeps the summary elements of a Patient, and its resourceType, id and meta', () => {
    expect(summarize(patient)).toEqual({
      resourceType: 'Patient',
      id: 'example',
      meta: patient.meta,
      identifier: patient.identifier,
      active: true,
      // A datatype keeps its summary children; a name left with only an extension is dropped.
      name: [{ use: 'official', family: 'Chalmers', given: ['Peter', 'James'], _given: [null, { id: 'g2' }] }],
      gender: 'male',
      birthDate: '1974-12-25',
      _birthDate: { extension: [birthTime] },
      managingOrganization: { reference: 'Organization/1', display: 'Gastroenterology' },
    });
  });

  it('keeps the summary elements of an Observation, inside backbone elements too (category is not one)', () => {
    expect(summarize(observation)).toEqual({
      resourceType: 'Observation',
      id: 'bp',
      status: 'final',
      code: observation.code,
      subject: { reference: 'Patient/example' },
      effectiveDateTime: '2012-09-17',
      component: [
        {
          // A modifier extension of a backbone element is a summary element, kept whole.
          modifierExtension: [{ url: 'http://example.org/not-measured', valueBoolean: false }],
          code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
          valueQuantity: { value: 107, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
        },
        { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] } },
      ],
    });
  });

  it('summarizes datatypes by their own flags: an Attachment keeps its url and drops its data', () => {
    const document = { resourceType: 'DocumentReference', status: 'current',
      content: [{ attachment: { contentType: 'image/png', url: 'http://example.org/1.png', data: 'AAAA', title: 'Wound' } }] };
    expect(summarize(document)['content']).toEqual([{ attachment: { contentType: 'image/png', url: 'http://example.org/1.png', title: 'Wound' } }]);
  });

  it('summarizes nested resources as resources of their own type', () => {
    const bundle = { resourceType: 'Bundle', type: 'searchset', total: 1, entry: [{ fullUrl: 'http://example.org/Patient/example', resource: patient, search: { mode: 'match' } }] };
    const summary = summarize(bundle);
    expect(summary['entry']).toEqual([{ fullUrl: 'http://example.org/Patient/example', resource: summarize(patient), search: { mode: 'match' } }]);
  });

  it('returns a valid resource, adds no tag and shares nothing with its input', () => {
    const input = structuredClone(patient);
    const summary = summarize(input);
    expect(validateResource(summary)).toEqual([]);
    expect(validateResource(summarize(observation))).toEqual([]);
    expect(summary['meta']).toEqual(patient.meta);
    (summary['meta'] as { tag: unknown[] }).tag.push({ code: 'SUBSETTED' });
    (summary['name'] as { given: string[] }[])[0]!.given.push('Jim');
    expect(input).toEqual(patient);
  });

  it('keeps only resourceType, id and meta of an unknown resource type', () => {
    expect(summarize({ resourceType: 'Patinet', id: 'x', meta: { versionId: '1' }, gender: 'male' }))
      .toEqual({ resourceType: 'Patinet', id: 'x', meta: { versionId: '1' } });
  });
});
