import { describe, expect, it } from 'vitest';
import { demographicsOf } from './demographics.js';
import {
  FULL_MATCH_WEIGHT, gradeOfWeight, MATCH_SCORE_BANDS, MATCH_THRESHOLDS, MATCH_WEIGHTS, scoreDemographics, scorePatient, type MatchResult,
} from './score.js';
import { ANN, patient, type PatientSpec } from './testing.js';

/** Ann's record as another system holds it, changed by `changes` (undefined removes a field). */
function ann(changes: Partial<Record<keyof PatientSpec, unknown>> = {}): PatientSpec {
  const spec: Record<string, unknown> = { ...ANN, ...changes };
  for (const [k, v] of Object.entries(spec)) if (v === undefined) delete spec[k];
  return spec as PatientSpec;
}

function score(a: PatientSpec, b: PatientSpec): MatchResult {
  return scorePatient(patient(a), patient(b));
}

const outcomes = (r: MatchResult) => Object.fromEntries(r.reasons.map((x) => [x.field, x.outcome]));

describe('scorePatient: the NHS number rule', () => {
  it('is certain for the same NHS number verified on both records, whatever else differs', () => {
    const r = score(ANN, ann({ family: 'Brown', given: ['Zoe'], birthDate: '1990-01-01', postcode: 'BD1 1AA' }));
    expect(r.grade).toBe('certain');
    expect(r.score).toBeGreaterThanOrEqual(MATCH_SCORE_BANDS.certain);
    expect(r.reasons[0]).toEqual({ field: 'nhs-number', outcome: 'verified', weight: MATCH_WEIGHTS.nhsNumber.agree });
  });

  it('needs the demographics to agree when either record has the number unverified', () => {
    expect(score(ANN, ann({ status: '02' })).grade).toBe('certain'); // number and birth date agree
    const wrongPerson = score(ANN, ann({ status: '02', family: 'Brown', given: ['Zoe'], birthDate: '1990-01-01', postcode: 'BD1 1AA' }));
    expect(wrongPerson.reasons[0]!.outcome).toBe('agree');
    expect(wrongPerson.grade).toBe('certainly-not');
    expect(score(ann({ status: undefined }), ann({ status: undefined, birthDate: '1980-03-13', postcode: 'BD1 1AA' })).grade).toBe('certain');
  });

  it('is at most possible for two different valid NHS numbers', () => {
    const twin = score(ANN, ann({ nhs: '9990000018' }));
    expect(outcomes(twin)['nhs-number']).toBe('conflict');
    expect(twin.grade).toBe('possible');
    expect(twin.score).toBeLessThan(MATCH_SCORE_BANDS.probable);
    expect(score(ANN, ann({ nhs: '9990000018', given: ['Zoe'], postcode: 'BD1 1AA' })).grade).toBe('certainly-not');
  });

  it('ignores an invalid NHS number rather than calling it a conflict', () => {
    const r = score(ANN, ann({ nhs: '9434765918' }));
    expect(outcomes(r)['nhs-number']).toBeUndefined();
    expect(r.grade).toBe('certain'); // everything else agrees in full
  });
});

describe('scorePatient: demographics without a shared NHS number', () => {
  const noNumber = ann({ nhs: undefined, status: undefined });

  it.each<[string, Partial<Record<keyof PatientSpec, unknown>>, string, Record<string, string>]>([
    ['everything equal', {}, 'certain', { 'birth-date': 'exact', 'family-name': 'exact', 'given-name': 'exact+middle', sex: 'agree', postcode: 'exact' }],
    ['surname in capitals, accents and punctuation', { family: 'SMITH' }, 'certain', { 'family-name': 'exact' }],
    ['moved house (old postcode)', { postcode: 'BD1 1AA' }, 'probable', { postcode: 'disagree' }],
    ['moved within the district (full names and birth date agree)', { postcode: 'LS6 4QT' }, 'certain', { postcode: 'outward' }],
    ['moved within the district, middle name missing', { postcode: 'LS6 4QT', given: ['Ann'] }, 'probable', { postcode: 'outward' }],
    ['moved, surname mistyped', { postcode: 'BD1 1AA', family: 'Simth' }, 'probable', { 'family-name': 'typo' }],
    ['moved, given names swapped', { postcode: 'BD1 1AA', given: ['Jane', 'Ann'] }, 'probable', { 'given-name': 'swapped' }],
    ['moved, known by the middle name', { postcode: 'BD1 1AA', given: ['Jane'] }, 'probable', { 'given-name': 'swapped' }],
    ['moved, middle name missing', { postcode: 'BD1 1AA', given: ['Ann'] }, 'probable', { 'given-name': 'exact' }],
    ['moved, first name mistyped', { postcode: 'BD1 1AA', given: ['Anne', 'Jane'] }, 'probable', { 'given-name': 'typo+middle' }],
    ['day and month of birth swapped (all else agrees)', { birthDate: '1980-12-03' }, 'certain', { 'birth-date': 'day-month-swapped' }],
    ['moved, day and month swapped', { birthDate: '1980-12-03', postcode: 'BD1 1AA' }, 'probable', { 'birth-date': 'day-month-swapped' }],
    ['moved, day and month swapped, middle name missing', { birthDate: '1980-12-03', postcode: 'BD1 1AA', given: ['Ann'] }, 'possible', { 'birth-date': 'day-month-swapped' }],
    ['year of birth one out', { birthDate: '1981-03-12' }, 'probable', { 'birth-date': 'year-off' }],
    ['day of birth one digit out', { birthDate: '1980-03-13' }, 'probable', { 'birth-date': 'one-digit' }],
    ['maiden name and old address', { family: 'Jones', postcode: 'BD1 1AA' }, 'possible', { 'family-name': 'disagree' }],
    ['double-barrelled surname recorded in part', { family: 'Ashworth-Smith', postcode: 'BD1 1AA' }, 'probable', { 'family-name': 'part' }],
    ['different birth date', { birthDate: '1962-07-30' }, 'possible', { 'birth-date': 'disagree' }],
    ['only the year of birth known', { birthDate: '1980' }, 'probable', { 'birth-date': 'partial' }],
  ])('%s: %s', (_, changes, grade, expected) => {
    const r = score(noNumber, ann({ nhs: undefined, status: undefined, ...changes }));
    expect(outcomes(r)).toMatchObject(expected);
    expect(r.grade).toBe(grade);
  });

  it('knows familiar forms of given names', () => {
    const r = score(ann({ nhs: undefined, given: ['William'], gender: 'male' }), ann({ nhs: undefined, given: ['Bill'], gender: 'male', postcode: 'BD1 1AA' }));
    expect(outcomes(r)['given-name']).toBe('nickname');
    expect(r.grade).toBe('probable');
  });

  // Both cases seen when matching 100,000 generated people.
  it('matches two different misspellings of one first name', () => {
    const r = score({ family: 'Murphy', given: ['Jmaes'], birthDate: '1961-09-29', gender: 'male', postcode: 'LS9 7SR' }, { family: 'MURPHY', given: ['Jamees'], birthDate: '1961-09-29', gender: 'male', postcode: 'LS10 9XQ' });
    expect(outcomes(r)['given-name']).toBe('similar');
    expect(r.grade).toBe('probable');
  });

  it('gives little for sharing one word of a double-barrelled surname', () => {
    const r = score({ family: 'JONES', given: ['Jennifer'], birthDate: '1969-10-21', gender: 'female', postcode: 'LS14 3NG' }, { family: 'Ashworth-Jones', given: ['Jennifer'], birthDate: '1969-10-21', gender: 'female', postcode: 'BD1 1HT' });
    expect(outcomes(r)['family-name']).toBe('part');
    expect(r.grade).toBe('possible');
  });

  it('caps twins (different first name, everything else equal) at possible', () => {
    const r = score(noNumber, ann({ nhs: undefined, given: ['Beatrice', 'Jane'] }));
    expect(outcomes(r)['given-name']).toBe('disagree');
    expect(r.weight).toBeGreaterThanOrEqual(MATCH_THRESHOLDS.probable);
    expect(r.grade).toBe('possible');
  });

  it('does not match a different person with a common surname and the same sex', () => {
    const r = score(noNumber, { family: 'Smith', given: ['Margaret'], birthDate: '1951-10-02', gender: 'female', postcode: 'LS6 2AB' });
    expect(r.grade).toBe('certainly-not');
    expect(r.score).toBeLessThan(MATCH_SCORE_BANDS.possible);
  });

  it('counts a different sex heavily against', () => {
    const r = score(noNumber, ann({ nhs: undefined, gender: 'male', postcode: 'BD1 1AA', given: ['Ann'] }));
    expect(outcomes(r)['sex']).toBe('disagree');
    expect(r.grade).toBe('possible');
    expect(score(noNumber, ann({ nhs: undefined, postcode: 'BD1 1AA', given: ['Ann'] })).grade).toBe('probable');
  });

  it('compares only what both records hold', () => {
    const r = score({ family: 'Smith', birthDate: '1980-03-12' }, ANN);
    expect(r.reasons.map((x) => x.field)).toEqual(['birth-date', 'family-name']);
    expect(r.weight).toBe(MATCH_WEIGHTS.birthDate.exact + MATCH_WEIGHTS.familyName.exact);
    expect(score({}, ANN)).toEqual({ score: 0, grade: 'certainly-not', weight: 0, reasons: [] });
  });
});

describe('scores and grades', () => {
  it('scales the weight to 0–1 and keeps the score inside the grade band', () => {
    expect(score(ann({ nhs: undefined }), ann({ nhs: undefined })).score).toBe(1);
    expect(FULL_MATCH_WEIGHT).toBe(14 + 8 + 7 + 2 + 1 + 8);
    const bands = [['certain', MATCH_SCORE_BANDS.certain, 1], ['probable', MATCH_SCORE_BANDS.probable, MATCH_SCORE_BANDS.certain], ['possible', MATCH_SCORE_BANDS.possible, MATCH_SCORE_BANDS.probable]] as const;
    const variants: PatientSpec[] = [
      ann(), ann({ status: '02' }), ann({ nhs: '9990000018' }), ann({ nhs: undefined, postcode: 'BD1 1AA' }), ann({ nhs: undefined, given: ['Zoe'] }),
      ann({ nhs: undefined, family: 'Jones', postcode: 'BD1 1AA' }), ann({ nhs: undefined, birthDate: '1980-12-03', given: ['Jane'] }),
    ];
    for (const a of variants) {
      for (const b of variants) {
        const r = score(a, b);
        const band = bands.find(([g]) => g === r.grade);
        if (band) {
          expect(r.score).toBeGreaterThanOrEqual(band[1]);
          expect(r.score).toBeLessThanOrEqual(band[2]);
        } else expect(r.score).toBeLessThan(MATCH_SCORE_BANDS.possible);
        // Symmetric: the same answer whichever record is the input.
        expect(score(b, a)).toEqual(r);
      }
    }
  });

  it.each([[40, 'certain'], [34, 'certain'], [33, 'probable'], [24, 'probable'], [23, 'possible'], [16, 'possible'], [15, 'certainly-not'], [-20, 'certainly-not']])(
    'weight %i is %s',
    (weight, grade) => {
      expect(gradeOfWeight(weight)).toBe(grade);
    },
  );

  it('gives the same result from read demographics as from the resources', () => {
    const a = patient(ANN);
    const b = patient(ann({ status: '02', postcode: 'BD1 1AA' }));
    expect(scoreDemographics(demographicsOf(a), demographicsOf(b))).toEqual(scorePatient(a, b));
  });
});
