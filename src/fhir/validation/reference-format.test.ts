import { describe, expect, it } from 'vitest';
import { checkFullUrl, checkReference } from './reference-format.js';

describe('checkReference (https://hl7.org/fhir/R4/references.html#literal)', () => {
  it.each([
    'Patient/123',
    'Observation/a.b-c/_history/2',
    'http://example.org/fhir/Patient/123',
    'https://example.org/fhir/Patient/123/_history/1',
    'urn:uuid:53fefa32-fcbb-4ff8-8a92-55ee120877b7',
    'urn:uuid:53FEFA32-FCBB-4FF8-8A92-55EE120877B7',
    'urn:oid:2.16.840.1.113883.4.1',
    'mailto:someone@example.org',
    '#contained-1',
    '#',
  ])('accepts %s', (reference) => {
    expect(checkReference(reference, false)).toBeUndefined();
  });

  it.each([
    ['Patinet/123', /'Patinet' is not an R4 resource type/],
    ['Resource/123', /'Resource' is not an R4 resource type/],
    ['123', /expected \[type\]\/\[id\]/],
    ['Patient/1/2', /expected \[type\]\/\[id\]/],
    ['Patient/' + 'x'.repeat(65), /expected \[type\]\/\[id\]/],
    ['#a b', /contained/],
    ['urn:uuid:53fefa32', /RFC 4122/],
    ['urn:oid:1.02', /OID/],
    ['https:///Patient/1', /needs a host/],
  ])('rejects %s', (reference, message) => {
    expect(checkReference(reference, false)).toMatch(message);
  });

  it('accepts a conditional reference only where a transaction allows it (https://hl7.org/fhir/R4/http.html#trules)', () => {
    expect(checkReference('Patient?identifier=http://x|1', false)).toMatch(/only allowed in a transaction/);
    expect(checkReference('Patient?identifier=http://x|1', true)).toBeUndefined();
    expect(checkReference('Patinet?identifier=1', true)).toMatch(/not an R4 resource type/);
  });
});

describe('checkFullUrl (https://hl7.org/fhir/R4/bundle.html)', () => {
  it.each(['http://example.org/fhir/Patient/1', 'urn:uuid:53fefa32-fcbb-4ff8-8a92-55ee120877b7', 'urn:oid:1.2.3'])('accepts %s', (url) => {
    expect(checkFullUrl(url)).toBeUndefined();
  });

  it.each(['Patient/1', '53fefa32-fcbb-4ff8-8a92-55ee120877b7', 'urn:uuid:1', 'http://'])('rejects %s', (url) => {
    expect(checkFullUrl(url)).toMatch(/fullUrl/);
  });
});
