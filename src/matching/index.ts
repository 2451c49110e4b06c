/**
 * Patient record matching (pure, no I/O): normalisation, similarity, the scoring model and
 * grades. See README.md.
 */
export {
  demographicsOf, NHS_NUMBER_VERIFICATION_EXTENSION, NHS_NUMBER_VERIFIED,
  type BirthDate, type Demographics, type NhsNumberEvidence, type PersonName,
} from './demographics.js';
export { isNicknamePair } from './nicknames.js';
export { isPseudoPostcode, nameKey, nameTokens, normaliseName, normalisePostcode, type Postcode } from './normalise.js';
export {
  FULL_MATCH_WEIGHT, gradeOfWeight, MATCH_SCORE_BANDS, MATCH_THRESHOLDS, MATCH_WEIGHTS, scoreDemographics, scorePatient,
  type GivenOutcome, type MatchField, type MatchGrade, type MatchReason, type MatchResult,
} from './score.js';
export { editDistance, jaro, jaroWinkler } from './similarity.js';
