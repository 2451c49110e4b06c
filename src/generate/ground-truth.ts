/**
 * The ground truth of a generated population: which source systems' Patient records belong to
 * the same person, and what was changed in each copy of their demographics. Record-matching
 * (MPI) tests compare their links with this.
 */
import type { IdentifierValue } from './emit/bundle-writer.js';
import type { Perturbation } from './perturb.js';
import type { SourceKind } from './sources.js';

/** One source system's Patient record of a person. */
export interface GroundTruthRecord {
  /** The source system's URI (`meta.source` of the record). */
  readonly source: string;
  readonly kind: SourceKind;
  /** The record's local identifier, which finds it after import: `Patient?identifier=system|value`. */
  readonly patient: IdentifierValue;
  /** Its `urn:uuid:` full URL in the generated bundle. */
  readonly fullUrl: string;
  readonly hasNhsNumber: boolean;
  /** What differs from the true demographics in this record. */
  readonly perturbations: readonly Perturbation[];
}

/** One person and every record of them. */
export interface GroundTruthPerson {
  readonly personId: string;
  /** The true NHS number (some records lack it). */
  readonly nhsNumber: string;
  readonly records: readonly GroundTruthRecord[];
}

/** The ground truth file (`ground-truth.json`). */
export interface GroundTruth {
  readonly generator: 'tessera-generate';
  readonly version: 1;
  readonly seed: number;
  /** The generation date, ISO 8601. */
  readonly now: string;
  readonly patients: number;
  readonly people: readonly GroundTruthPerson[];
}
