/**
 * Our verdict on the HL7 validator test cases (FHIR/fhir-test-cases, R4 selection) against the
 * Java reference validator's. The cases test more than structure; where Java's errors come only
 * from checks we deliberately leave out, the case is listed below with the reason, and the test
 * asserts our (different) verdict so a change in either direction is noticed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { validateResource } from './index.js';

const FIXTURES = new URL('../../../test/fixtures/validator-cases/', import.meta.url);

interface Case { name: string; input_file: string; expected_file: string }
interface Outcome { issue?: { severity: string; expression?: string[] }[] }

const cases = (readJson('manifest-selected.json') as { 'test-cases': Case[] })['test-cases'];

/** Java reports errors; we report none, because the errors need something we do not check. */
const NOT_CHECKED: Record<string, string> = {
  'attachment-with-wrong-size': 'Attachment.size against the decoded data is a consistency rule, not structure',
  'bundle-document-versioned-references-bad': 'resolving references between Bundle entries',
  'dr-example-org': 'a Java option (examples=false) that forbids example.org URLs',
  'mr-covid-bnd1': 'terminology: Coding.system must name a code system, not a value set or a relative URL',
  'parameters-reference-bad': 'resolving references (Patient/2 is not in the Parameters)',
  'target-ref-profile-empty': 'extension definitions (unknown extension URLs) and terminology (display names)',
  'bundle-id-2': 'Bundle rules beyond structure: each link relation may occur once',
  'bundle-id-3': 'Bundle rules beyond structure (search results need ids and the searched type) and terminology',
  'bundle-id-4': 'Bundle rules beyond structure (search modes and OperationOutcome entries) and terminology',
  'bundle-id-5': 'terminology: display names',
  'bundle-with-contained': 'narrative links, terminology, reference resolution and fullUrl/id consistency',
  'risk-assessment-probability-range': 'the FHIRPath invariant ras-2',
  'uk-msg': 'terminology: SNOMED CT codes and display names',
  'ips-htmlrefs-backwards': 'extension definitions (narrativeLink is a url) and reference resolution',
};

/** Java reports no errors; we do, on purpose. */
const STRICTER: Record<string, string> = {
  'contained-resource-bad-id-ignore': 'Java runs with validateContains=IGNORE; we always validate contained resources, so the 65-character id is an error',
  'ref-policy-default-r4': "'urn:uuid:…-X' is not an RFC 4122 UUID, so the reference is malformed; Java only warns that it does not resolve",
  'ref-policy-default-apply-r5': "as ref-policy-default-r4: 'urn:uuid:…-X' is malformed",
};

/**
 * Where Java and we both find an error, we name the same elements (Java's `/*Type/id*\/` comments
 * removed): structural errors, and codes outside a required value set.
 */
const SAME_PLACE: Record<string, string | string[]> = {
  'attachment-with-invalid-binary': 'Media.content.data',
  // reasonCode is not an array; status 'completed' is not in the required encounter-status.
  synthea: ['Encounter.reasonCode', 'Encounter.status'],
  'empty-array': 'DocumentReference.category[0].coding',
  'hakan-se': 'MedicationRequest.authoredOn',
  'resource-invalid-id-1': 'Location.id',
  'resource-invalid-id-3': 'Location.contained[0].id',
  'resource-invalid-eid-2': 'Location.position.id',
  'contained-resource-bad-id': 'Condition.contained[0].id',
  'patient-id-bad-1 / R4': 'Patient.id',
  'ai4': 'Patient.birthDate',
};

describe('HL7 validator cases (R4)', () => {
  it('has all 60 selected cases, and every listed exception names one of them', () => {
    expect(cases).toHaveLength(60);
    const names = new Set(cases.map((c) => c.name));
    for (const name of [...Object.keys(NOT_CHECKED), ...Object.keys(STRICTER), ...Object.keys(SAME_PLACE)]) {
      expect(names, name).toContain(name);
    }
  });

  for (const c of cases) {
    const javaHasErrors = hasErrors(readJson(c.expected_file) as Outcome);
    const reason = NOT_CHECKED[c.name] ?? STRICTER[c.name];
    const expected = NOT_CHECKED[c.name] ? false : STRICTER[c.name] ? true : javaHasErrors;
    const title = `${c.name}: Java ${javaHasErrors ? 'errors' : 'valid'}, ours ${expected ? 'errors' : 'valid'}${reason ? ` (${reason})` : ''}`;

    it(title, () => {
      if (reason !== undefined) expect(expected, 'an exception must be a real difference').not.toBe(javaHasErrors);
      const issues = validateResource(readInput(c.input_file));
      expect(issues.length > 0, JSON.stringify(issues, null, 1)).toBe(expected);
      for (const place of [SAME_PLACE[c.name] ?? []].flat()) {
        expect(issues.map((i) => i.expression?.[0])).toContain(place);
        expect(javaExpressions(readJson(c.expected_file) as Outcome)).toContain(place);
      }
    });
  }
});

function hasErrors(outcome: Outcome): boolean {
  return (outcome.issue ?? []).some((i) => i.severity === 'error' || i.severity === 'fatal');
}

function javaExpressions(outcome: Outcome): string[] {
  return (outcome.issue ?? []).flatMap((i) => i.expression ?? []).map((e) => e.replace(/\/\*.*?\*\//g, ''));
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8'));
}

/** One input (1.2 MB, a single huge id) is stored gzip-compressed; see the fixtures README. */
function readInput(file: string): unknown {
  const url = new URL(file, FIXTURES);
  if (existsSync(url)) return JSON.parse(readFileSync(url, 'utf8'));
  return JSON.parse(gunzipSync(readFileSync(new URL(`${file}.gz`, FIXTURES))).toString('utf8'));
}
