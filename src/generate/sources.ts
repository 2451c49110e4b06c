/**
 * The source systems whose records the generator writes: one GP system per practice, one
 * PAS/EPR per trust and one laboratory information system per laboratory. Each has a URI,
 * written to `meta.source` of every resource it holds, and its own identifier systems.
 *
 * @see https://hl7.org/fhir/R4/resource-definitions.html#Meta.source
 */
import { laboratoryByCode, trustByCode, type Laboratory, type Practice, type Trust } from './reference-data/organisations.js';

/** Where every synthetic source system lives. Not a real host: `.example` is reserved (RFC 2606). */
export const SYSTEMS_BASE = 'https://tessera.example/systems';

/** The kind of system a record comes from. */
export type SourceKind = 'gp' | 'hospital' | 'laboratory';

/** A source system. */
export interface SourceSystem {
  /** Short stable key, used in file names: `gp-A99001`, `trust-R9A`, `lab-R9A01`. */
  readonly key: string;
  readonly kind: SourceKind;
  /** `meta.source` of its resources. */
  readonly uri: string;
  /** A description people can read. */
  readonly name: string;
  /** ODS code of the organisation that runs it (practice, trust, or laboratory site). */
  readonly organisationCode: string;
  /** The identifier system of its local patient numbers. */
  readonly patientIdentifierSystem: string;
}

function make(kind: SourceKind, key: string, name: string, organisationCode: string, patientId: string): SourceSystem {
  const uri = `${SYSTEMS_BASE}/${key}`;
  return { key, kind, uri, name, organisationCode, patientIdentifierSystem: `${uri}/Id/${patientId}` };
}

/** The GP system of a practice. */
export function gpSystem(practice: Practice): SourceSystem {
  return make('gp', `gp-${practice.odsCode}`, `${practice.vendor} GP system at ${practice.name} (${practice.odsCode})`, practice.odsCode, 'patient-number');
}

/** The patient administration system / EPR of a trust. */
export function hospitalSystem(trust: Trust | string): SourceSystem {
  const t = typeof trust === 'string' ? trustByCode(trust) : trust;
  return make('hospital', `trust-${t.odsCode}`, `${t.system} of ${t.name} (${t.odsCode})`, t.odsCode, 'mrn');
}

/** The laboratory information system of a laboratory. */
export function laboratorySystem(laboratory: Laboratory | string): SourceSystem {
  const l = typeof laboratory === 'string' ? laboratoryByCode(laboratory) : laboratory;
  return make('laboratory', `lab-${l.siteCode}`, `${l.name} ${l.system} (${l.siteCode})`, l.siteCode, 'lab-patient-number');
}

/** The identifier system for resources of `type` (e.g. `encounter`) held by `source`. */
export function identifierSystem(source: SourceSystem, type: string): string {
  return `${source.uri}/Id/${type}`;
}

/** The source of the shared Organization and Practitioner directory bundle. */
export const DIRECTORY_SOURCE = `${SYSTEMS_BASE}/directory`;
