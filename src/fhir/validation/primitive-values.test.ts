import { describe, expect, it } from 'vitest';
import { validateResource } from './index.js';

/**
 * Each primitive is checked where real data puts it: as an extension value (`valueDate`, …),
 * which R4 allows for every primitive type except xhtml.
 * Formats: https://hl7.org/fhir/R4/datatypes.html#primitive; JSON: https://hl7.org/fhir/R4/json.html#primitive
 */
function issuesFor(type: string, value: unknown): [string, string | undefined][] {
  const key = `value${type.charAt(0).toUpperCase()}${type.slice(1)}`;
  const resource = {
    resourceType: 'Basic',
    code: { text: 'test' },
    extension: [{ url: 'http://example.org/fhir/StructureDefinition/x', [key]: value }],
  };
  return validateResource(resource).map((i) => [i.code, i.expression?.[0]]);
}

const MB = 1024 * 1024;

/** [type, valid values, values with a bad lexical form or range, values of the wrong JSON type] */
const CASES: [string, unknown[], unknown[], unknown[]][] = [
  ['id', ['a', 'A-1.b', 'x'.repeat(64)], ['a_b', 'a b', 'x'.repeat(65), ''], [1]],
  ['string', ['x', ' ', 'no\u00a0break', 'two\nlines', '\u{1F600}', 'x'.repeat(MB)], ['', 'x'.repeat(MB + 1)], [1, true, {}]],
  ['code', ['final', 'a b', 'x-y.z'], [' a', 'a ', 'a  b', ''], [1]],
  ['uri', ['http://x.org', 'urn:x:y', 'relative/path'], ['a b', ''], [1]],
  ['url', ['http://x.org/a', 'mailto:a@b.org'], ['http://x .org'], [1]],
  ['canonical', ['http://x.org/StructureDefinition/a|1.0'], ['a b'], [1]],
  ['oid', ['urn:oid:1.2.840.10008', 'urn:oid:2.16.840.1.113883.4.1'], ['1.2.3', 'urn:oid:3.1', 'urn:oid:1.02'], [1]],
  ['uuid', ['urn:uuid:c757873d-ec9a-4326-a141-556f43239520'], ['urn:uuid:C757873D-EC9A-4326-A141-556F43239520', 'c757873d-ec9a-4326-a141-556f43239520'], [1]],
  ['date', ['2018', '1973-06', '1905-08-23', '2024-02-29'], ['2018-13', '2023-02-29', '2018-04-31', '1905-08-23T10:00:00Z', '0000', '18', '2018-1-1'], [2018]],
  ['dateTime', ['2018', '1973-06', '1905-08-23', '2015-02-07T13:28:17-05:00', '2017-01-01T00:00:00.000Z', '2016-12-31T23:59:60Z'],
    ['2015-02-07T13:28:17', '2015-02-07T13:28Z', '2015-02-30', '2015-02-07 13:28:17Z', '2015-02-07T13:28:17+15:00'], [1]],
  ['instant', ['2015-02-07T13:28:17.239+02:00', '2015-02-07T13:28:17Z'], ['2015-02-07', '2015-02-07T13:28:17', '2015-02-29T13:28:17Z'], [1]],
  ['time', ['13:28:17', '00:00:00.5'], ['24:00:00', '13:28', '1:28:17'], [1]],
  ['decimal', [1, -1.5, 0, 1e3, 0.000001], [], ['1.0', true]],
  ['integer', [0, -5, 2147483647, -2147483648], [2147483648, -2147483649, 1.5], ['1']],
  ['positiveInt', [1, 2147483647], [0, -1, 1.5], ['1']],
  ['unsignedInt', [0, 2147483647], [-1, 2147483648], ['0']],
  ['boolean', [true, false], [], ['true', 1, null]],
  ['base64Binary', ['SGVsbG8=', 'SGVsbG8h', 'SGVs\nbG8h', ' SGVs\r\n\tbG8h ', 'AA==', 'AAA='],
    ['SGVsbG8', '%%%2@()()', 'SG=sbG8=', 'SGV.bG8h', 'A===', '====', '=AAA', 'SGVsbG8\u00e9', ''], [1]],
  ['markdown', ['# Title\n\n* item', ' '], [''], [1]],
];

describe('primitive values', () => {
  for (const [type, valid, invalid, wrongJsonType] of CASES) {
    const expression = `Basic.extension[0].value${type.charAt(0).toUpperCase()}${type.slice(1)}`;
    describe(type, () => {
      it.each(valid.map((v) => [show(v), v]))('accepts %s', (_, value) => {
        expect(issuesFor(type, value)).toEqual([]);
      });
      if (invalid.length > 0) {
        it.each(invalid.map((v) => [show(v), v]))('rejects the value %s', (_, value) => {
          expect(issuesFor(type, value)).toEqual([['value', expression]]);
        });
      }
      it.each(wrongJsonType.map((v) => [show(v), v]))('rejects the JSON type of %s', (_, value) => {
        expect(issuesFor(type, value)).toEqual([['structure', expression]]);
      });
    });
  }

  it('xhtml: the narrative must be an XHTML div', () => {
    const narrative = (div: string) => validateResource({ resourceType: 'Basic', code: { text: 't' }, text: { status: 'generated', div } })
      .map((i) => [i.code, i.expression?.[0]]);
    expect(narrative('<div xmlns="http://www.w3.org/1999/xhtml"><p>Hi</p></div>')).toEqual([]);
    expect(narrative('<p>Hi</p>')).toEqual([['value', 'Basic.text.div']]);
    expect(narrative('<div>Hi</div>')).toEqual([['value', 'Basic.text.div']]);
  });

  it('base64Binary: a long wrapped value with one bad character is rejected quickly (no regex backtracking)', () => {
    const value = `${'QUJD\n'.repeat(50_000)}!`;
    expect(issuesFor('base64Binary', value)).toEqual([['value', 'Basic.extension[0].valueBase64Binary']]);
  });

  it('shortens long values in diagnostics', () => {
    const issue = validateResource({ resourceType: 'Patient', id: 'x'.repeat(200) })[0];
    expect(issue?.diagnostics).toContain('(200 characters)');
    expect(issue?.diagnostics?.length).toBeLessThan(200);
  });
});

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 20)}… (${text.length} chars)` : text;
}

describe('control characters (https://hl7.org/fhir/R4/datatypes.html#string)', () => {
  it.each(['a\u0000b', 'a\u0007b', '\u001f', 'x\u000bx'])('rejects %j', (v) => {
    expect(issuesFor('string', v)).toEqual([['value', 'Basic.extension[0].valueString']]);
  });
  it.each(['tab\there', 'line\nbreak', 'cr\rlf'])('allows %j', (v) => {
    expect(issuesFor('string', v)).toEqual([]);
  });
});
