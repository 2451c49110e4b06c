import { describe, expect, it } from 'vitest';
import { applySummary, selectElements } from './summary.js';

const patient = {
  resourceType: 'Patient', id: 'p1', meta: { versionId: '1' },
  text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Ann</div>' },
  name: [{ family: 'Smith' }], gender: 'female', photo: [{ contentType: 'image/png', data: 'AAAA' }],
  contact: [{ name: { family: 'Jones' } }],
};

describe('_summary and _elements (https://hl7.org/fhir/R4/search.html#summary)', () => {
  it('_summary=true keeps isSummary elements only and marks SUBSETTED', () => {
    const s = applySummary(patient, 'true');
    expect(s).toMatchObject({ resourceType: 'Patient', id: 'p1', name: [{ family: 'Smith' }], gender: 'female' });
    expect(s.text).toBeUndefined();
    expect(s.photo).toBeUndefined();
    expect(s.contact).toBeUndefined();
    expect(s.meta?.tag).toEqual([expect.objectContaining({ code: 'SUBSETTED' })]);
  });
  it('_summary=data drops only the narrative', () => {
    const s = applySummary(patient, 'data');
    expect(s.text).toBeUndefined();
    expect(s.photo).toBeDefined();
  });
  it('_summary=text keeps narrative and mandatory elements', () => {
    expect(Object.keys(applySummary(patient, 'text')).sort()).toEqual(['id', 'meta', 'resourceType', 'text']);
  });
  it('_elements keeps the named elements, and choice elements by their base name', () => {
    const s = selectElements({ resourceType: 'Observation', id: 'o', status: 'final', valueQuantity: { value: 1 }, code: { text: 'x' } }, ['value', 'Observation.status']);
    expect(Object.keys(s).sort()).toEqual(['id', 'meta', 'resourceType', 'status', 'valueQuantity']);
  });
});
