/**
 * Scores how likely two Patient records are the same person, in the manner of Fellegi and
 * Sunter: each compared field adds a weight, roughly log2(m/u), where m is how often the
 * field agrees that way when the records ARE the same person and u how often it does by
 * chance when they are not. Agreement on a rare value adds a lot, disagreement on a field that
 * often changes (surname, postcode) takes away little. Fields missing on either side add
 * nothing. The total gives the grade and a score from 0 to 1.
 *
 * Rules on top of the weights:
 * - The same NHS number, verified (status 01) on both records, is `certain` whatever else
 *   differs: both records were traced to that number on the national register.
 * - Two different valid NHS numbers are never more than `possible` (worth a human look when
 *   everything else agrees, as for a duplicate registration), else `certainly-not`.
 * - Without an NHS number on both records, given names that share nothing (no first, middle,
 *   familiar form or near spelling) cap the grade at `possible`: same surname, birth date, sex
 *   and address with a different first name is the pattern of twins.
 *
 * @see https://hl7.org/fhir/R4/patient-operation-match.html
 * @see https://hl7.org/fhir/R4/valueset-match-grade.html
 * @see Fellegi IP, Sunter AB. A theory for record linkage. JASA 1969;64(328):1183–1210.
 */
import type { Resource } from '../fhir/types.js';
import { demographicsOf, type BirthDate, type Demographics, type PersonName } from './demographics.js';
import { isNicknamePair } from './nicknames.js';
import type { Postcode } from './normalise.js';
import { editDistance, jaroWinkler } from './similarity.js';

/** https://hl7.org/fhir/R4/valueset-match-grade.html */
export type MatchGrade = 'certain' | 'probable' | 'possible' | 'certainly-not';

/** A compared field. */
export type MatchField = 'nhs-number' | 'birth-date' | 'family-name' | 'given-name' | 'sex' | 'postcode';

/** How each field compared, and the weight it added. */
export type MatchReason =
  | { readonly field: 'nhs-number'; readonly outcome: 'verified' | 'agree' | 'conflict'; readonly weight: number }
  | { readonly field: 'birth-date'; readonly outcome: 'exact' | 'day-month-swapped' | 'year-off' | 'one-digit' | 'partial' | 'disagree'; readonly weight: number }
  | { readonly field: 'family-name'; readonly outcome: 'exact' | 'typo' | 'part' | 'similar' | 'disagree'; readonly weight: number }
  | { readonly field: 'given-name'; readonly outcome: GivenOutcome; readonly weight: number }
  | { readonly field: 'sex'; readonly outcome: 'agree' | 'disagree'; readonly weight: number }
  | { readonly field: 'postcode'; readonly outcome: 'exact' | 'outward' | 'disagree'; readonly weight: number };

/**
 * Given names: the first names compared (`exact`, `nickname`, `typo`), or the first of one equal
 * to the middle of the other (`swapped`), or first names spelt alike (`similar`, Jaro–Winkler ≥
 * 0.88) or sharing an initial (`initial`), or nothing in common (`disagree`). When
 * both records have middle names and the first names agree, `+middle` or `-middle` says how the
 * middle names compared.
 */
export type GivenOutcome =
  | 'exact' | 'exact+middle' | 'exact-middle' | 'nickname' | 'nickname+middle' | 'nickname-middle'
  | 'typo' | 'typo+middle' | 'typo-middle' | 'swapped' | 'similar' | 'initial' | 'disagree';

/** The result of comparing two records. */
export interface MatchResult {
  /** 0 to 1, higher is more alike; the grade bands are in {@link MATCH_SCORE_BANDS}. */
  readonly score: number;
  readonly grade: MatchGrade;
  /** The summed field weights (log2 likelihood ratio units) before the score was scaled. */
  readonly weight: number;
  /** One reason per field compared on both records, in a fixed order. */
  readonly reasons: readonly MatchReason[];
}

/**
 * Field weights, in bits (log2 likelihood ratios), rounded. Derived from the m and u
 * probabilities in the comments for a regional population of about 100,000, then checked on
 * the generated population (`match-quality.int.test.ts`).
 */
export const MATCH_WEIGHTS = {
  /** m ≈ 0.99; u ≈ 1e-6. A wrong number keyed in happens, so the number alone is not certain. */
  nhsNumber: { agree: 20, conflict: -10 },
  /** Exact: u ≈ 1/30,000 (birthdays × ages). Swapped day and month: m ≈ 1%. */
  birthDate: { exact: 14, 'day-month-swapped': 8, 'year-off': 5, 'one-digit': 5, partial: 6, disagree: -8 },
  /**
   * Surnames change at marriage (m of disagreement ≈ 0.1), so disagreement costs little. Sharing
   * one word of a double-barrelled name (Jones, Ashworth-Jones) is weak: the word is often common.
   */
  familyName: { exact: 8, typo: 6, part: 2, similar: 2, disagree: -3 },
  /** u of an equal first name ≈ 1/100; m of total disagreement ≈ 0.02 once familiar forms are known. */
  givenName: { exact: 7, nickname: 5, typo: 5, swapped: 5, similar: 3, initial: 1, disagree: -6, middleAgree: 2, middleDisagree: -2 },
  /** u = 0.5. Disagreement: data entry error or change of recorded sex, m ≈ 0.02. */
  sex: { agree: 1, disagree: -5 },
  /** A full postcode holds about 15 households; people move (m of disagreement ≈ 0.5). */
  postcode: { exact: 8, outward: 2, disagree: -1 },
} as const;

/**
 * Grade thresholds on the summed weight. The prior log-odds that two records from a population
 * of ~100,000 are the same person is about −17, so `probable` (24) means posterior odds of about
 * 2^7 ≈ 128 : 1 and `certain` (34) about 2^17 : 1.
 *
 * | grade     | weight | score     | typical evidence                                                        |
 * |-----------|--------|-----------|-------------------------------------------------------------------------|
 * | certain   | ≥ 34   | ≥ 0.85    | same NHS number and birth date; or everything equal incl. full postcode |
 * | probable  | ≥ 24   | ≥ 0.60    | birth date, surname, first name and sex, postcode changed               |
 * | possible  | ≥ 16   | ≥ 0.40    | birth date and first name, but surname and address changed              |
 * | not shown | < 16   | < 0.40    | `certainly-not`                                                         |
 */
export const MATCH_THRESHOLDS = { certain: 34, probable: 24, possible: 16 } as const;

/** The weight that scores 1: every demographic field in full agreement (14 + 8 + 7 + 2 + 1 + 8). */
export const FULL_MATCH_WEIGHT = 40;

/** Lowest score of each grade: the thresholds over {@link FULL_MATCH_WEIGHT}. */
export const MATCH_SCORE_BANDS = {
  certain: MATCH_THRESHOLDS.certain / FULL_MATCH_WEIGHT,
  probable: MATCH_THRESHOLDS.probable / FULL_MATCH_WEIGHT,
  possible: MATCH_THRESHOLDS.possible / FULL_MATCH_WEIGHT,
} as const;

/** The grade the summed weight alone earns. */
export function gradeOfWeight(weight: number): MatchGrade {
  if (weight >= MATCH_THRESHOLDS.certain) return 'certain';
  if (weight >= MATCH_THRESHOLDS.probable) return 'probable';
  if (weight >= MATCH_THRESHOLDS.possible) return 'possible';
  return 'certainly-not';
}

/** Names one typing error apart (four or more letters, or three with the same first letter), or spelt almost alike. */
function isTypo(a: string, b: string): boolean {
  const longer = Math.max(a.length, b.length);
  // Three-letter names only with the first letter in common: Mia and Mai, not Ian and Jan.
  if ((longer >= 4 || (longer === 3 && a.charAt(0) === b.charAt(0))) && editDistance(a, b, 1) <= 1) return true;
  return Math.min(a.length, b.length) >= 4 && jaroWinkler(a, b) >= 0.94;
}

type NameLevel = 'exact' | 'nickname' | 'typo' | 'similar' | 'initial';

function givenLevel(a: string, b: string): NameLevel | undefined {
  if (a === b) return 'exact';
  if (a.length === 1 || b.length === 1) return a.charAt(0) === b.charAt(0) ? 'initial' : undefined;
  if (isNicknamePair(a, b)) return 'nickname';
  if (isTypo(a, b)) return 'typo';
  // Two different misspellings of one name (Jmaes, Jamees) are further apart than one typo.
  if (jaroWinkler(a, b) >= 0.88) return 'similar';
  return undefined;
}

const isFull = (level: NameLevel | undefined): level is 'exact' | 'nickname' | 'typo' => level === 'exact' || level === 'nickname' || level === 'typo';

function compareGiven(a: readonly string[], b: readonly string[]): { outcome: GivenOutcome; weight: number } {
  const w = MATCH_WEIGHTS.givenName;
  const first = givenLevel(a[0]!, b[0]!);
  if (isFull(first)) {
    if (a.length < 2 || b.length < 2) return { outcome: first, weight: w[first] };
    const middle = givenLevel(a[1]!, b[1]!);
    return middle !== undefined
      ? { outcome: `${first}+middle`, weight: w[first] + w.middleAgree }
      : { outcome: `${first}-middle`, weight: w[first] + w.middleDisagree };
  }
  // Given names in the other order, or a middle name used as the first name.
  if ((a.length > 1 && isFull(givenLevel(a[1]!, b[0]!))) || (b.length > 1 && isFull(givenLevel(a[0]!, b[1]!)))) {
    return { outcome: 'swapped', weight: w.swapped };
  }
  if (first === 'similar') return { outcome: 'similar', weight: w.similar };
  if (first === 'initial') return { outcome: 'initial', weight: w.initial };
  return { outcome: 'disagree', weight: w.disagree };
}

function compareFamily(a: PersonName, b: PersonName): Extract<MatchReason, { field: 'family-name' }>['outcome'] {
  if (a.family === b.family) return 'exact';
  if (isTypo(a.family, b.family)) return 'typo';
  // Double-barrelled or prefixed surnames recorded in part: Ashworth-Jones and Jones.
  if (a.familyTokens.some((t) => t.length >= 3 && b.familyTokens.includes(t))) return 'part';
  if (jaroWinkler(a.family, b.family) >= 0.88) return 'similar';
  return 'disagree';
}

function compareBirthDate(a: BirthDate, b: BirthDate): Extract<MatchReason, { field: 'birth-date' }>['outcome'] {
  if (a.day === undefined || b.day === undefined) {
    // Compare to the precision both have.
    const same = a.year === b.year && (a.month === undefined || b.month === undefined || a.month === b.month);
    return same ? 'partial' : 'disagree';
  }
  if (a.year === b.year && a.month === b.month && a.day === b.day) return 'exact';
  if (a.year === b.year && a.day === b.month && a.month === b.day) return 'day-month-swapped';
  if (a.month === b.month && a.day === b.day && (Math.abs(a.year - b.year) === 1 || digitsApart(a.year, b.year, 4) === 1)) return 'year-off';
  if (a.year === b.year && ((a.month === b.month && digitsApart(a.day, b.day!, 2) === 1) || (a.day === b.day && digitsApart(a.month!, b.month!, 2) === 1))) {
    return 'one-digit';
  }
  return 'disagree';
}

/** How many digits differ between `a` and `b` written with `width` digits. */
function digitsApart(a: number, b: number, width: number): number {
  const x = String(a).padStart(width, '0');
  const y = String(b).padStart(width, '0');
  let n = 0;
  for (let i = 0; i < width; i++) if (x.charAt(i) !== y.charAt(i)) n++;
  return n;
}

function comparePostcode(a: Postcode, b: Postcode): Extract<MatchReason, { field: 'postcode' }>['outcome'] {
  if (a.full === b.full) return 'exact';
  return a.outward === b.outward ? 'outward' : 'disagree';
}

/** The best of `compare` over every pair from `as` × `bs`, by weight. */
function best<A, B, R extends { weight: number }>(as: readonly A[], bs: readonly B[], compare: (a: A, b: B) => R | undefined): R | undefined {
  let top: R | undefined;
  for (const a of as) {
    for (const b of bs) {
      const r = compare(a, b);
      if (r !== undefined && (top === undefined || r.weight > top.weight)) top = r;
    }
  }
  return top;
}

/**
 * Compares two sets of demographics (see {@link demographicsOf}); symmetric except where the
 * two records are equally good and the first found wins (it does not change the result).
 */
export function scoreDemographics(a: Demographics, b: Demographics): MatchResult {
  const reasons: MatchReason[] = [];
  const W = MATCH_WEIGHTS;

  let nhs: 'verified' | 'agree' | 'conflict' | undefined;
  if (a.nhsNumbers.length > 0 && b.nhsNumbers.length > 0) {
    const shared = a.nhsNumbers.filter((x) => b.nhsNumbers.some((y) => y.value === x.value));
    if (shared.length === 0) nhs = 'conflict';
    else nhs = shared.some((x) => x.verified && b.nhsNumbers.some((y) => y.value === x.value && y.verified)) ? 'verified' : 'agree';
    reasons.push({ field: 'nhs-number', outcome: nhs, weight: nhs === 'conflict' ? W.nhsNumber.conflict : W.nhsNumber.agree });
  }

  if (a.birthDate !== undefined && b.birthDate !== undefined) {
    const outcome = compareBirthDate(a.birthDate, b.birthDate);
    reasons.push({ field: 'birth-date', outcome, weight: W.birthDate[outcome] });
  }

  const withFamily = (names: readonly PersonName[]) => names.filter((n) => n.family !== '');
  const family = best(withFamily(a.names), withFamily(b.names), (x, y) => {
    const outcome = compareFamily(x, y);
    return { field: 'family-name' as const, outcome, weight: W.familyName[outcome] };
  });
  if (family) reasons.push(family);

  const withGiven = (names: readonly PersonName[]) => names.filter((n) => n.given.length > 0);
  const given = best(withGiven(a.names), withGiven(b.names), (x, y) => ({ field: 'given-name' as const, ...compareGiven(x.given, y.given) }));
  if (given) reasons.push(given);

  if (a.gender !== undefined && b.gender !== undefined) {
    const outcome = a.gender === b.gender ? 'agree' : 'disagree';
    reasons.push({ field: 'sex', outcome, weight: W.sex[outcome] });
  }

  const postcode = best(a.postcodes, b.postcodes, (x, y) => {
    const outcome = comparePostcode(x, y);
    return { field: 'postcode' as const, outcome, weight: W.postcode[outcome] };
  });
  if (postcode) reasons.push(postcode);

  const weight = reasons.reduce((sum, r) => sum + r.weight, 0);
  let grade = gradeOfWeight(weight);
  let score = Math.min(1, Math.max(0, weight / FULL_MATCH_WEIGHT));
  const capAtPossible = () => {
    grade = 'possible';
    score = Math.min(score, MATCH_SCORE_BANDS.probable - 0.01);
  };
  if (nhs === 'conflict') {
    if (grade !== 'certainly-not') capAtPossible();
  } else if (nhs === 'verified') {
    grade = 'certain';
    score = Math.max(score, MATCH_SCORE_BANDS.certain);
  } else if (nhs === undefined && given?.outcome === 'disagree' && (grade === 'certain' || grade === 'probable')) {
    capAtPossible();
  }
  return { score: Math.round(score * 1000) / 1000, grade, weight, reasons };
}

/**
 * Scores one input Patient against one candidate Patient: a score from 0 to 1, its grade
 * (`certain`, `probable`, `possible`, `certainly-not`) and the reason for each field's weight.
 * To score one input against many candidates, read the input once with {@link demographicsOf}
 * and call {@link scoreDemographics}.
 */
export function scorePatient(input: Resource, candidate: Resource): MatchResult {
  return scoreDemographics(demographicsOf(input), demographicsOf(candidate));
}
