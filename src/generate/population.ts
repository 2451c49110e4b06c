/**
 * The synthetic UK population generator. For each person it builds a true identity and a
 * clinical story, then writes what each source system would hold as its own FHIR transaction
 * Bundle: the GP system always, the hospital when the person had hospital care, the
 * laboratory when they had blood tests. Organisations and clinicians are in one shared bundle.
 *
 * Deterministic and pure: the same options give byte-identical output; randomness comes only
 * from a seeded PRNG and time only from `now`. No I/O.
 */
import type { Bundle } from '../fhir/types.js';
import { addDays, addYears, isoDateTime } from './dates.js';
import { transactionBundle, type RequestStyle } from './emit/bundle-writer.js';
import { writeGpRecord } from './emit/gp.js';
import { writeHospitalRecord } from './emit/hospital.js';
import { writeLaboratoryRecord } from './emit/laboratory.js';
import { sharedBundle } from './emit/shared.js';
import { SourceRecord } from './emit/source-record.js';
import type { GroundTruth, GroundTruthPerson, GroundTruthRecord } from './ground-truth.js';
import { recordDemographics, type SourceDemographics } from './perturb.js';
import { createPerson, type Person } from './person.js';
import { Random } from './random.js';
import { gpSystem, hospitalSystem, laboratorySystem, type SourceSystem } from './sources.js';
import { createStory } from './story/index.js';

/** What to generate. */
export interface GenerateOptions {
  /** How many people (0 to 1,000,000). */
  readonly patients: number;
  /** Any integer; only its low 32 bits matter. */
  readonly seed: number;
  /** The generation date: every event happens before it. */
  readonly now: Date;
  /**
   * How bundle entries are written: `conditional` (default) `PUT Type?identifier=system|value`,
   * or `id`, `PUT Type/<id derived from that identifier>`, which some servers process faster.
   */
  readonly requests?: RequestStyle;
}

/** One source system's bundle for one person. */
export interface SourceBundle {
  readonly source: SourceSystem;
  readonly bundle: Bundle;
}

/** One generated person: their bundles (GP first) and their ground truth. */
export interface GeneratedPerson {
  readonly personId: string;
  readonly bundles: readonly SourceBundle[];
  readonly truth: GroundTruthPerson;
}

/** A whole generated population. */
export interface Population {
  /** Organizations and Practitioners, to load before any person's bundles. */
  readonly shared: Bundle;
  readonly people: readonly GeneratedPerson[];
  readonly groundTruth: GroundTruth;
}

/** The most people one call generates. */
export const MAX_PATIENTS = 1_000_000;

/** Throws a RangeError for options that cannot be generated from. */
export function checkOptions(options: GenerateOptions): void {
  if (!Number.isInteger(options.patients) || options.patients < 0 || options.patients > MAX_PATIENTS) {
    throw new RangeError(`patients must be a whole number from 0 to ${MAX_PATIENTS}, not ${options.patients}`);
  }
  if (!Number.isSafeInteger(options.seed)) throw new RangeError(`seed must be an integer, not ${options.seed}`);
  if (!(options.now instanceof Date) || Number.isNaN(options.now.getTime())) throw new RangeError('now must be a valid Date');
  if (options.requests !== undefined && options.requests !== 'conditional' && options.requests !== 'id') {
    throw new RangeError(`requests must be 'conditional' or 'id', not ${String(options.requests)}`);
  }
}

/**
 * Local record numbers: `(index × multiplier + offset) mod 10^digits` is a bijection on
 * indexes below 10^digits when the multiplier is coprime with 10, so numbers never repeat within
 * a run, and the offset (from the seed) makes different seeds give different numbers.
 */
function localNumber(index: number, multiplier: number, offset: number, digits: number): string {
  const modulus = 10 ** digits;
  return String((index * multiplier + offset) % modulus).padStart(digits, '0');
}

/** The shared bundle of organisations and clinicians, for `now`, entries written in `requests` style. */
export function generateSharedBundle(now: Date, requests: RequestStyle = 'conditional'): Bundle {
  return sharedBundle(now, requests);
}

/**
 * Generates people one at a time, for callers that write them out as they go (memory stays
 * flat). Yields exactly `options.patients` people, in order.
 */
export function* generatePeople(options: GenerateOptions): Generator<GeneratedPerson> {
  checkOptions(options);
  const root = new Random(options.seed);
  const ids = root.fork('local-numbers');
  const offsets = { gp: ids.uint32() % 10_000_000, trust: ids.uint32() % 10_000_000, lab: ids.uint32() % 100_000_000 };
  const nhsNumbers = new Set<string>();
  const timestamp = isoDateTime(options.now);
  for (let index = 0; index < options.patients; index++) {
    const random = root.fork(`person-${index}`);
    const person = createPerson(index, options.now, random.fork('identity'), nhsNumbers);
    const { story } = createStory(person, options.now, random.fork('story'));
    const bundles: SourceBundle[] = [];
    const records: GroundTruthRecord[] = [];
    const perturb = random.fork('perturbations');
    const write = (source: SourceSystem, localId: string, lastContact: Date, fill: (record: SourceRecord, demographics: SourceDemographics) => string) => {
      const demographics = recordDemographics(person, source.kind, lastContact, perturb);
      const record = new SourceRecord(source, localId, random.fork(`uuids-${source.kind}`), options.requests);
      const fullUrl = fill(record, demographics);
      bundles.push({ source, bundle: transactionBundle(record.writer.entries, timestamp, source.uri) });
      records.push({
        source: source.uri, kind: source.kind, patient: { system: source.patientIdentifierSystem, value: localId }, fullUrl,
        hasNhsNumber: demographics.nhsNumber !== undefined, perturbations: demographics.perturbations,
      });
    };

    const lastConsultation = story.consultations[story.consultations.length - 1]?.date;
    write(gpSystem(person.practice), localNumber(index, 7_654_321, offsets.gp, 7), lastConsultation ?? lastSeen(person, options.now, perturb),
      (record, demographics) => writeGpRecord(record, person, story, demographics, random.fork('gp-letters')));
    const lastEpisode = story.hospitalEpisodes[story.hospitalEpisodes.length - 1];
    if (lastEpisode !== undefined) {
      write(hospitalSystem(person.trust), `N${localNumber(index, 3_141_593, offsets.trust, 7)}`, lastEpisode.end,
        (record, demographics) => writeHospitalRecord(record, person, story.hospitalEpisodes, demographics));
    }
    const lastLab = story.labEvents[story.labEvents.length - 1];
    if (lastLab !== undefined) {
      write(laboratorySystem(person.laboratory), `L${localNumber(index, 2_718_281, offsets.lab, 8)}`, lastLab.date,
        (record, demographics) => writeLaboratoryRecord(record, person, story.labEvents, demographics, random.fork('lab-times')));
    }
    yield { personId: person.personId, bundles, truth: { personId: person.personId, nhsNumber: person.nhsNumber, records } };
  }
}

/** When the GP last updated a record of someone with no recent consultation. */
function lastSeen(person: Person, now: Date, random: Random): Date {
  const earliest = addYears(now, -5);
  const from = earliest.getTime() > person.birthDate.getTime() ? earliest : person.birthDate;
  return addDays(from, random.next() * (now.getTime() - from.getTime()) / 86_400_000);
}

/**
 * Generates a whole population in memory: the shared bundle, every person's bundles and the
 * ground truth. For large populations written to files, use {@link generatePeople}.
 */
export function generatePopulation(options: GenerateOptions): Population {
  checkOptions(options);
  const people = [...generatePeople(options)];
  return {
    shared: generateSharedBundle(options.now, options.requests),
    people,
    groundTruth: groundTruthOf(options, people.map((p) => p.truth)),
  };
}

/** The ground truth document for `people` generated with `options`. */
export function groundTruthOf(options: GenerateOptions, people: readonly GroundTruthPerson[]): GroundTruth {
  return { generator: 'tessera-generate', version: 1, seed: options.seed, now: options.now.toISOString(), patients: options.patients, people };
}
