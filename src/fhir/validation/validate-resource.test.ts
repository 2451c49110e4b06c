import { describe, expect, it } from 'vitest';
import { validateResource } from './index.js';

/** `[code, expression]` of every issue: what a client would act on. */
function found(resource: unknown): [string, string | undefined][] {
  return validateResource(resource).map((i) => [i.code, i.expression?.[0]]);
}

const coding = { coding: [{ system: 'http://loinc.org', code: '8867-4' }] };
const observation = { resourceType: 'Observation', status: 'final', code: coding };

describe('validateResource: a valid resource', () => {
  it('returns no issues', () => {
    expect(validateResource({
      resourceType: 'Patient',
      id: 'p1',
      meta: { lastUpdated: '2024-01-02T03:04:05.678Z' },
      name: [{ family: 'Smith', given: ['Ann', 'Marie'] }],
      birthDate: '1970-02-28',
      deceasedBoolean: false,
      multipleBirthInteger: 2,
      contact: [{ name: { text: 'Bob' }, relationship: [coding] }],
    })).toEqual([]);
  });

  it('reports every issue as an error with a diagnostic', () => {
    const issues = validateResource({ resourceType: 'Patient', foo: 1, gender: '' });
    expect(issues).toHaveLength(2);
    for (const i of issues) {
      expect(i.severity).toBe('error');
      expect(i.diagnostics).toMatch(/\w/);
    }
  });

  it('does not modify the resource', () => {
    const resource = { resourceType: 'Patient', name: [{ given: ['A', null] }], _unknown: 1 };
    const copy = structuredClone(resource);
    validateResource(resource);
    expect(resource).toEqual(copy);
  });
});

describe('validateResource: resourceType', () => {
  it('is required', () => {
    expect(found({ id: 'x' })).toEqual([['required', 'resourceType']]);
  });

  it('must name a concrete R4 resource type, spelled exactly', () => {
    expect(found({ resourceType: 'Patinet' })).toEqual([['invalid', 'resourceType']]);
    expect(found({ resourceType: 'patient' })).toEqual([['invalid', 'resourceType']]);
    expect(found({ resourceType: 'DomainResource' })).toEqual([['invalid', 'resourceType']]);
    expect(found({ resourceType: 42 })).toEqual([['invalid', 'resourceType']]);
  });

  it('the resource must be a JSON object', () => {
    expect(found([{ resourceType: 'Patient' }])).toEqual([['structure', undefined]]);
    expect(found(null)).toEqual([['structure', undefined]]);
  });

  it('is not an element of a datatype', () => {
    expect(found({ resourceType: 'Patient', name: [{ resourceType: 'HumanName', text: 'A' }] }))
      .toEqual([['structure', 'Patient.name[0].resourceType']]);
  });
});

describe('validateResource: unknown elements', () => {
  it('on the resource', () => {
    expect(found({ resourceType: 'Patient', foo: 'x' })).toEqual([['structure', 'Patient.foo']]);
  });

  it('on a datatype, a backbone element, a datatype inside a backbone and an extension', () => {
    expect(found({
      resourceType: 'Patient',
      name: [{ text: 'A' }, { text: 'B', middle: 'C' }],
      contact: [{ gender: 'male', colour: 'blue', name: { text: 'D', nick: 'E' } }],
      extension: [{ url: 'http://example.org/x', valueString: 'v', note: 'n' }],
    })).toEqual([
      ['structure', 'Patient.name[1].middle'],
      ['structure', 'Patient.contact[0].colour'],
      ['structure', 'Patient.contact[0].name.nick'],
      ['structure', 'Patient.extension[0].note'],
    ]);
  });

  it('inside recursive elements defined by contentReference', () => {
    expect(found({
      resourceType: 'Questionnaire', status: 'draft',
      item: [{ linkId: '1', type: 'group', item: [{ linkId: '1.1', type: 'string', colour: 'red' }] }],
    })).toEqual([['structure', 'Questionnaire.item[0].item[0].colour']]);
  });

  it('allows _name beside a primitive, for its id and extensions', () => {
    expect(found({
      resourceType: 'Patient',
      birthDate: '1974-12-25',
      _birthDate: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1974-12-25T14:35:45-05:00' }] },
      _gender: { id: 'g1' },
    })).toEqual([]);
  });

  it('rejects _name beside a complex element or an unknown one', () => {
    expect(found({ resourceType: 'Patient', _maritalStatus: { id: 'x' }, _nickname: { id: 'y' } }))
      .toEqual([['structure', 'Patient._maritalStatus'], ['structure', 'Patient._nickname']]);
  });

  it('checks the contents of a _name sibling', () => {
    expect(found({
      resourceType: 'Patient',
      _birthDate: { extension: [{ valueDateTime: '1974-12-25T14:35' }], colour: 'x' },
    })).toEqual([
      ['value', 'Patient.birthDate.extension[0].valueDateTime'],
      ['required', 'Patient.birthDate.extension[0].url'],
      ['structure', 'Patient.birthDate.colour'],
    ]);
  });
});

describe('validateResource: cardinality and the JSON array rules', () => {
  it('an element with max 1 must not be an array', () => {
    expect(found({ resourceType: 'Patient', gender: ['male'] })).toEqual([['structure', 'Patient.gender']]);
  });

  it('an element with max * must be an array, even with one value', () => {
    expect(found({ resourceType: 'Patient', name: { text: 'A' } })).toEqual([['structure', 'Patient.name']]);
    expect(found({ resourceType: 'Patient', name: [{ given: 'Ann' }] })).toEqual([['structure', 'Patient.name[0].given']]);
  });

  it('required elements must be present', () => {
    expect(found({ resourceType: 'Observation' }))
      .toEqual([['required', 'Observation.status'], ['required', 'Observation.code']]);
  });

  it('required elements of a backbone element, at its index', () => {
    expect(found({ resourceType: 'Patient', link: [{ other: { reference: 'Patient/2' }, type: 'seealso' }, { type: 'refer' }] }))
      .toEqual([['required', 'Patient.link[1].other']]);
  });

  it('a required primitive may be present as extensions only', () => {
    expect(found({ ...observation, status: undefined, _status: { extension: [{ url: 'http://example.org/x', valueCode: 'x' }] } }))
      .toEqual([]);
  });

  it('a required choice needs one of its types', () => {
    expect(found({ resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/1' } }))
      .toEqual([['required', 'MedicationRequest.medication[x]']]);
  });

  it('empty arrays, objects and strings are not allowed', () => {
    expect(found({
      resourceType: 'Patient',
      identifier: [],
      maritalStatus: {},
      name: [{}],
      gender: '',
      telecom: [{ system: 'phone', value: '1' }, { system: '' }],
    })).toEqual([
      ['structure', 'Patient.identifier'],
      ['structure', 'Patient.maritalStatus'],
      ['structure', 'Patient.name[0]'],
      ['value', 'Patient.gender'],
      ['value', 'Patient.telecom[1].system'],
    ]);
  });

  it('complex elements must be objects', () => {
    expect(found({ resourceType: 'Patient', maritalStatus: 'M', name: ['Ann'] }))
      .toEqual([['structure', 'Patient.maritalStatus'], ['structure', 'Patient.name[0]']]);
  });

  it('null is only a placeholder in a primitive array whose _name has an extension there', () => {
    const ext = { extension: [{ url: 'http://example.org/x', valueString: 'y' }] };
    expect(found({ resourceType: 'Patient', name: [{ given: ['A', null], _given: [null, ext] }] })).toEqual([]);
    expect(found({ resourceType: 'Patient', name: [{ given: ['A', null] }] })).toEqual([['structure', 'Patient.name[0].given[1]']]);
    expect(found({ resourceType: 'Patient', gender: null })).toEqual([['structure', 'Patient.gender']]);
    expect(found({ resourceType: 'Patient', name: [null] })).toEqual([['structure', 'Patient.name[0]']]);
  });

  it('a _name array has one item per value, and never null where the value is null too', () => {
    const ext = { extension: [{ url: 'http://example.org/x', valueString: 'y' }] };
    expect(found({ resourceType: 'Patient', name: [{ given: ['A', 'B'], _given: [ext] }] }))
      .toEqual([['structure', 'Patient.name[0].given']]);
    expect(found({ resourceType: 'Patient', name: [{ given: ['A', null], _given: [ext, null] }] }))
      .toEqual([['structure', 'Patient.name[0].given[1]']]);
    expect(found({ resourceType: 'Patient', name: [{ _given: [ext, null] }] }))
      .toEqual([['structure', 'Patient.name[0].given[1]']]);
    expect(found({ resourceType: 'Patient', name: [{ given: ['A'], _given: ext }] }))
      .toEqual([['structure', 'Patient.name[0].given']]);
  });

  it('addresses a bad extension of one repeating primitive by its index', () => {
    expect(found({ resourceType: 'Patient', name: [{ given: ['A', 'B'], _given: [null, { extension: [{ valueString: 'y' }] }] }] }))
      .toEqual([['required', 'Patient.name[0].given[1].extension[0].url']]);
  });
});

describe('validateResource: choice types', () => {
  it('accepts one type and checks inside it', () => {
    expect(found({ ...observation, valueQuantity: { value: 72, unit: '/min' } })).toEqual([]);
    expect(found({ ...observation, valueQuantity: { value: '72' } })).toEqual([['structure', 'Observation.valueQuantity.value']]);
  });

  it('allows only one type of the same [x] element', () => {
    expect(found({ ...observation, valueQuantity: { value: 72 }, valueString: '72' }))
      .toEqual([['structure', 'Observation.valueString']]);
    expect(found({ ...observation, valueBoolean: true, _valueString: { id: 'a' } }))
      .toEqual([['structure', 'Observation.valueString']]);
  });

  it('allows a value and its _ sibling of the same type', () => {
    expect(found({ ...observation, valueString: '72', _valueString: { id: 'a' } })).toEqual([]);
  });

  it('rejects a type the element does not allow, or a missing type suffix', () => {
    expect(found({ ...observation, valueMoney: { value: 1 }, effective: '2020' }))
      .toEqual([['structure', 'Observation.valueMoney'], ['structure', 'Observation.effective']]);
    expect(validateResource({ ...observation, value: 1 })[0]?.diagnostics).toContain('valueQuantity');
  });
});

describe('validateResource: references', () => {
  const withSubject = (reference: string) => ({ ...observation, subject: { reference } });

  it('accepts the R4 literal reference forms', () => {
    for (const ref of [
      'Patient/123', 'Patient/123/_history/2', 'http://example.org/fhir/Patient/123', 'https://x.org/a?b',
      'urn:uuid:53fefa32-fcbb-4ff8-8a92-55ee120877b7', 'urn:oid:1.2.3.4', '#p1', '#',
    ]) {
      expect([ref, found(withSubject(ref))]).toEqual([ref, []]);
    }
  });

  it('rejects malformed references at Reference.reference', () => {
    for (const ref of [
      'Patinet/123', 'patient/123', '123', 'Patient/', 'Patient/1/_history', 'Patient/a_b', '#a_b',
      'urn:uuid:not-a-uuid', 'urn:oid:abc', 'http://', 'Patient?identifier=x',
    ]) {
      expect([ref, found(withSubject(ref))]).toEqual([ref, [['value', 'Observation.subject.reference']]]);
    }
  });

  it('rejects a reference that is not a valid string first', () => {
    expect(found(withSubject('Patient/1 '))).toEqual([['value', 'Observation.subject.reference']]);
    expect(found({ ...observation, subject: { reference: 1 } })).toEqual([['structure', 'Observation.subject.reference']]);
  });

  it('allows conditional references only inside a transaction', () => {
    const bundle = (type: string) => ({
      resourceType: 'Bundle', type,
      entry: [{
        fullUrl: 'urn:uuid:53fefa32-fcbb-4ff8-8a92-55ee120877b7',
        resource: { ...observation, subject: { reference: 'Patient?identifier=http://x|1' } },
        request: { method: 'POST', url: 'Observation' },
      }],
    });
    expect(found(bundle('transaction'))).toEqual([]);
    expect(found(bundle('batch'))).toEqual([['value', 'Bundle.entry[0].resource.subject.reference']]);
    expect(found(bundle('collection'))).toEqual([['value', 'Bundle.entry[0].resource.subject.reference']]);
  });
});

describe('validateResource: nested resources', () => {
  it('validates contained resources', () => {
    expect(found({
      resourceType: 'Patient',
      contained: [
        { resourceType: 'Practitioner', id: 'pr1' },
        { resourceType: 'Organization', id: 'org_1', colour: 'x' },
        { id: 'x' },
        { resourceType: 'Thing' },
      ],
      generalPractitioner: [{ reference: '#pr1' }],
    })).toEqual([
      ['value', 'Patient.contained[1].id'],
      ['structure', 'Patient.contained[1].colour'],
      ['required', 'Patient.contained[2].resourceType'],
      ['invalid', 'Patient.contained[3].resourceType'],
    ]);
  });

  it('validates Bundle entries, and Bundle.entry.fullUrl', () => {
    expect(found({
      resourceType: 'Bundle', type: 'collection',
      entry: [
        { fullUrl: 'http://example.org/fhir/Patient/1', resource: { resourceType: 'Patient', id: '1' } },
        { fullUrl: 'Observation/2', resource: { resourceType: 'Observation', id: '2', code: coding } },
      ],
    })).toEqual([
      ['value', 'Bundle.entry[1].fullUrl'],
      ['required', 'Bundle.entry[1].resource.status'],
    ]);
  });

  it('validates resources nested at any depth', () => {
    expect(found({
      resourceType: 'Parameters',
      parameter: [{ name: 'p', part: [{ name: 'q', resource: { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Patient', gender: 1 } }] } }] }],
    })).toEqual([['structure', 'Parameters.parameter[0].part[0].resource.entry[0].resource.gender']]);
  });

  it('requires the entry resource to be a resource', () => {
    expect(found({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: [] }] }))
      .toEqual([['structure', 'Bundle.entry[0].resource']]);
  });
});

describe('validateResource: hostile input', () => {
  it('stops at a nesting depth no real resource reaches, instead of overflowing the stack', () => {
    let item: Record<string, unknown> = { linkId: 'leaf', type: 'display' };
    for (let i = 0; i < 100_000; i++) item = { linkId: String(i), type: 'group', item: [item] };
    const issues = validateResource({ resourceType: 'Questionnaire', status: 'draft', item: [item] });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.code).toBe('structure');
    expect(issues[0]?.expression?.[0]).toMatch(/^Questionnaire(\.item\[0\]){256}$/);
  });
});
