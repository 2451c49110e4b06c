/**
 * Every UK Core example must pass `validateResource` and `validateProfiles` against the profile
 * it illustrates, with no error, except the few below that really are wrong: a false positive is
 * what would block a valid write, and the published examples are the best test of that.
 *
 * Most examples claim no profile (the guide links each to its profile), so the test claims it in
 * `meta.profile`: the profile the file name names, else the one the guide's page for the profile
 * lists it under (ILLUSTRATES), else for the `Extension-UKCore-*` examples the UK Core profile of
 * the resource type. Contained resources and Bundle entries claim the UK Core profile of their
 * type, so they are checked too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { OperationOutcomeIssue } from '../types.js';
import { validateResource } from '../validation/index.js';
import { UK_CORE_PROFILE_URLS, UK_CORE_STRUCTURE_DEFINITION, validateProfiles } from './index.js';

const FIXTURES = new URL('../../../test/fixtures/uk-core-examples/', import.meta.url);
const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();
const PROFILES = UK_CORE_PROFILE_URLS.map((url) => url.slice(UK_CORE_STRUCTURE_DEFINITION.length));

/**
 * Examples whose file name does not name their profile. The guide's page for the profile lists
 * the example (seen for ACVPU, AverageBloodPressure, EarlyWarningTotalScore and Group-Lab), and
 * the content is the profile's: the code the profile fixes or its value set names (ACVPU
 * 1104441000000107, Respiration rate LOINC 9279-1, Oxygen saturation LOINC 2708-6, …).
 * `UKCore-VitalSigns-Observation-OxygenSaturation-Example`, listed on no page, says of itself
 * "An example to illustrate an oxygen saturation vital sign".
 */
const ILLUSTRATES: Record<string, string> = {
  'UKCore-Observation-24HourBloodPressure-Example': 'UKCore-Observation-AverageBloodPressure',
  'UKCore-Observation-FastingTest-Example': 'UKCore-Observation-BloodGlucose',
  'UKCore-Observation-Group-FullBloodCount-Example': 'UKCore-Observation-Group-Lab',
  'UKCore-Observation-HeavyDrinker-Example': 'UKCore-Observation-AlcoholConsumption',
  'UKCore-Observation-NPEWSTotal-Example': 'UKCore-Observation-EarlyWarningTotalScore',
  'UKCore-Observation-OxygenTherapy-Example': 'UKCore-Observation-InspiredOxygen',
  'UKCore-Observation-PatientConsciousness-Example': 'UKCore-Observation-ACVPU',
  'UKCore-Observation-PipeSmoker-Example': 'UKCore-Observation-TobaccoConsumption',
  'UKCore-Observation-VitalSigns-RespiratoryRate-Example': 'UKCore-Observation-VitalSigns-RespirationRate',
  'UKCore-VitalSigns-Observation-OxygenSaturation-Example': 'UKCore-Observation-VitalSigns-OxygenSaturation',
};

/**
 * The examples that are rightly rejected: each error (`[code, expression]`) and why it is a real
 * error in the example. Checked against the published XML too, so none is a conversion artefact.
 */
const REJECTED: Record<string, { errors: [string, string][]; why: string }> = {
  'Extension-UKCore-ConditionEpisode-Example.json': {
    errors: [
      ['structure', 'Condition.extension[0].valueCodeableConcept'],
      ['structure', 'Condition.extension[0].valueCode'],
    ],
    why: 'The extension carries both valueCode "new" and valueCodeableConcept (so does the XML). ' +
      'R4 allows one type per choice element ("only one of the types can be used", ' +
      'https://hl7.org/fhir/R4/formats.html#choice), and Extension-UKCore-ConditionEpisode 3.1.0 ' +
      'says `Extension.value[x]` type: CodeableConcept, so valueCode is not allowed at all.',
  },
  'UKCore-Bundle-NEWS2Observations-Example.json': {
    errors: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ['value', `Bundle.entry[${i}].fullUrl`] as [string, string]),
    why: 'Every fullUrl is relative ("Observation/21344a45-…"). R4 Bundle.entry.fullUrl is ' +
      '"The Absolute URL for the resource" (https://hl7.org/fhir/R4/bundle-definitions.html#Bundle.entry.fullUrl); ' +
      'in a collection Bundle there is no request URL to resolve it against.',
  },
  'UKCore-MedicationDispense-Amoxicillin-Example.json': {
    errors: [['value', 'MedicationDispense.authorizingPrescription[0].reference']],
    why: 'The reference is "UKCore-MedicationRequest-Amoxicillin-Example": a bare id. A literal ' +
      'relative reference is [type]/[id] (https://hl7.org/fhir/R4/references.html#literal), ' +
      'so this should be "MedicationRequest/UKCore-MedicationRequest-Amoxicillin-Example".',
  },
  'UKCore-MedicationDispense-CiprofloxacinIV-Example.json': {
    errors: [['value', 'MedicationDispense.authorizingPrescription[0].reference']],
    why: 'As the Amoxicillin dispense: "UKCore-MedicationRequest-CiprofloxacinIV-Example" has no [type]/.',
  },
  'UKCore-MedicationDispense-CiprofloxacinOral-Example.json': {
    errors: [['value', 'MedicationDispense.authorizingPrescription[0].reference']],
    why: 'As the Amoxicillin dispense: "UKCore-MedicationRequest-CiprofloxacinOral-Example" has no [type]/.',
  },
  'UKCore-Provenance-RARecordConsent-Example.json': {
    errors: [['value', 'Provenance.agent[0].onBehalfOf.reference']],
    why: 'The reference is "Organization/https://fhir.hl7.org.uk/StructureDefinition/UKCore-Organization": ' +
      'the profile URL pasted where the id belongs. An id is [A-Za-z0-9\\-\\.]{1,64} ' +
      '(https://hl7.org/fhir/R4/datatypes.html#id), and neither is it an absolute URL of a resource.',
  },
};

/**
 * Warnings are not rejections, but these are real defects too, and listing them keeps the test
 * honest about what the validator says.
 */
const WARNED: Record<string, [string, string][]> = {
  // The extension URL is misspelt "Extension-UKCore-RcordingSetting" (so in the XML): no such
  // extension exists, so it cannot be checked against Extension-UKCore-RecordingSetting.
  'Extension-UKCore-RecordingSetting-Example.json': [['extension', 'Observation.extension[0]']],
  // status "final" and no `issued`: ukcore-diag-lab-001 (severity warning) "An issued time SHOULD be
  // present if status = partial, preliminary, final, amended, corrected or appended".
  'UKCore-DiagnosticReport-Lab-DiagnosticStudiesReport-Example.json': [['invariant', 'DiagnosticReport']],
};

function profileOf(file: string, resourceType: string): string | undefined {
  const name = file.replace(/\.json$/, '');
  const named = ILLUSTRATES[name] ?? PROFILES.filter((p) => name.startsWith(`${p}-`)).sort((a, b) => b.length - a.length)[0];
  return named ?? ofType(resourceType);
}

function ofType(resourceType: string): string | undefined {
  return PROFILES.includes(`UKCore-${resourceType}`) ? `UKCore-${resourceType}` : undefined;
}

type Json = Record<string, unknown>;

function claim(resource: Json, profile: string | undefined): void {
  if (profile === undefined) return;
  const meta = (resource['meta'] ??= {}) as { profile?: string[] };
  meta.profile = [...(meta.profile ?? []), `${UK_CORE_STRUCTURE_DEFINITION}${profile}`];
}

/** Contained resources and Bundle entries claim the UK Core profile of their type. */
function claimNested(resource: Json): void {
  const entries = (resource['entry'] as { resource?: Json }[] | undefined) ?? [];
  const nested: Json[] = [
    ...((resource['contained'] as Json[] | undefined) ?? []),
    ...entries.flatMap((e) => (e.resource === undefined ? [] : [e.resource])),
  ];
  for (const r of nested) {
    claim(r, ofType(r['resourceType'] as string));
    claimNested(r);
  }
}

function load(file: string): { resource: Json; profile: string | undefined } {
  const resource = JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as Json;
  const profile = profileOf(file, resource['resourceType'] as string);
  claim(resource, profile);
  claimNested(resource);
  return { resource, profile };
}

function issuesOf(resource: Json): OperationOutcomeIssue[] {
  return [...validateResource(resource), ...validateProfiles(resource)];
}

const pairs = (issues: OperationOutcomeIssue[]): [string, string | undefined][] => issues.map((i) => [i.code, i.expression?.[0]]);

describe('UK Core examples', () => {
  it('are all there, and each illustrates a UK Core profile', () => {
    expect(files).toHaveLength(215);
    const profiles = files.map((f) => load(f).profile);
    expect(profiles.filter((p) => p === undefined)).toEqual([]);
    // All but UKCore-OrganizationAffiliation (no example) and UKCore-Observation-VitalSigns
    // (abstract in practice: each vital sign has its own profile) are exercised.
    expect(new Set(profiles).size).toBe(68);
    for (const file of [...Object.keys(REJECTED), ...Object.keys(WARNED)]) expect(files).toContain(file);
    for (const name of Object.keys(ILLUSTRATES)) expect(files).toContain(`${name}.json`);
  });

  it('209 are accepted and 6 rejected', () => {
    const rejected = files.filter((f) => issuesOf(load(f).resource).some((i) => i.severity === 'error'));
    expect(rejected).toEqual(Object.keys(REJECTED).sort());
    expect(files.length - rejected.length).toBe(209);
  });

  it.each(files)('%s', (file) => {
    const { resource } = load(file);
    const issues = issuesOf(resource);
    expect(pairs(issues.filter((i) => i.severity === 'error'))).toEqual(REJECTED[file]?.errors ?? []);
    expect(pairs(issues.filter((i) => i.severity !== 'error'))).toEqual(WARNED[file] ?? []);
  });
});
