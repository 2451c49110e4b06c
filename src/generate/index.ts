/**
 * Synthetic UK population generator: deterministic FHIR R4 test data split across GP,
 * hospital and laboratory source systems, with ground truth for record matching and the code
 * lists it uses. See README.md.
 */
export {
  checkOptions, generatePeople, generatePopulation, generateSharedBundle, groundTruthOf, MAX_PATIENTS,
  type GenerateOptions, type GeneratedPerson, type Population, type SourceBundle,
} from './population.js';
export type { GroundTruth, GroundTruthPerson, GroundTruthRecord } from './ground-truth.js';
export type { Perturbation } from './perturb.js';
export type { RequestStyle } from './emit/bundle-writer.js';
export { DIRECTORY_SOURCE, SYSTEMS_BASE, type SourceKind, type SourceSystem } from './sources.js';
export { CODE_LISTS, type CodeListEntry, type CodeListTable } from './code-lists/index.js';
export { Random } from './random.js';
