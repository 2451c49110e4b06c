import { describe, expect, it } from 'vitest';
import type { Resource } from './types.js';
import {
  formatNhsNumber,
  generateTestNhsNumber,
  isTestRangeNhsNumber,
  isValidNhsNumber,
  NHS_NUMBER_SYSTEM,
  nhsNumberCheckDigit,
  nhsNumberIssues,
  nhsNumberProblem,
  normaliseNhsNumber,
} from './nhs-number.js';

/** mulberry32: a small seeded PRNG, so the property loops below are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A valid number from any source of nine random digits (not only the test range). */
function randomValidNumber(random: () => number): string {
  for (;;) {
    const nine = Math.floor(random() * 1e9).toString().padStart(9, '0');
    const check = nhsNumberCheckDigit(nine);
    const candidate = check === undefined ? undefined : nine + String(check);
    if (candidate !== undefined && isValidNhsNumber(candidate)) return candidate;
  }
}

describe('NHS number fixtures (nhs-domain.md Appendix B and §1.3)', () => {
  it.each([
    '9434765919', '9434765870', '9999999999', '9999999468', '9990000018', '9990000026',
    '9998887771', '9990548609', '4857773457', '9000000009',
  ])('nhs-domain.md Appendix B: %s is valid', (n) => {
    expect(isValidNhsNumber(n)).toBe(true);
    expect(nhsNumberProblem(n)).toBeUndefined();
  });

  it.each([
    ['9434765918', 'check-digit-mismatch'],
    ['9991234560', 'check-digit-10'],
    ['9876544321', 'check-digit-mismatch'],
    ['4857773456', 'check-digit-mismatch'],
    ['1234567890', 'check-digit-10'],
    ['123456789', 'format'],
    ['94347659190', 'format'],
    ['943476591A', 'format'],
    ['0000000000', 'placeholder'],
  ] as const)('nhs-domain.md Appendix B: %s is invalid (%s)', (n, problem) => {
    expect(isValidNhsNumber(n)).toBe(false);
    expect(nhsNumberProblem(n)).toBe(problem);
  });

  it('nhs-domain.md §1.3: 943 476 5870 tests the 11 → 0 rule', () => {
    expect(nhsNumberCheckDigit('943476587')).toBe(0);
  });

  it('nhs-domain.md §1.3: no valid number has the prefix 999000000 (check digit 10)', () => {
    expect(nhsNumberCheckDigit('999000000')).toBeUndefined();
    for (let d = 0; d <= 9; d++) expect(isValidNhsNumber(`999000000${d}`)).toBe(false);
  });

  it('nhs-domain.md §1.3 worked sums: the check digit of each listed prefix', () => {
    expect(nhsNumberCheckDigit('943476591')).toBe(9); // sum 299, remainder 2
    expect(nhsNumberCheckDigit('999999999')).toBe(9); // sum 486, remainder 2
    expect(nhsNumberCheckDigit('999999946')).toBe(8); // sum 465, remainder 3
    expect(nhsNumberCheckDigit('987654432')).toBe(2); // sum 339, remainder 9
    expect(nhsNumberCheckDigit('485777345')).toBe(7); // sum 312, remainder 4
  });
});

describe('policy: ten identical digits are placeholders', () => {
  it.each(['0000000000', '1111111111', '2222222222', '4444444444', '8888888888'])(
    '%s passes Modulus 11 but is rejected as a placeholder', (n) => {
      expect(nhsNumberCheckDigit(n.slice(0, 9))).toBe(Number(n[0]));
      expect(nhsNumberProblem(n)).toBe('placeholder');
    },
  );

  it('9999999999 stays valid: it is in the 999 test range and an Appendix B fixture', () => {
    expect(isValidNhsNumber('9999999999')).toBe(true);
    expect(isTestRangeNhsNumber('9999999999')).toBe(true);
  });
});

describe('normalisation and display (NHS CUI NUM-0002: 3 3 4 with single spaces)', () => {
  it.each([
    ['943 476 5919', '9434765919'],
    ['943-476-5919', '9434765919'],
    [' 9434765919 ', '9434765919'],
    ['943\t476\u00a05919', '9434765919'],
    ['94 34 76 59 19', '9434765919'],
  ])('normalises %j to %s', (input, digits) => {
    expect(normaliseNhsNumber(input)).toBe(digits);
    expect(isValidNhsNumber(input)).toBe(true);
  });

  it.each(['943.476.5919', '943 476 591', '+449434765919', '', 'nine four three'])('rejects %j', (input) => {
    expect(normaliseNhsNumber(input)).toBeUndefined();
    expect(isValidNhsNumber(input)).toBe(false);
  });

  it('formats as 3-3-4', () => {
    expect(formatNhsNumber('9434765919')).toBe('943 476 5919');
    expect(formatNhsNumber('943-476-5919')).toBe('943 476 5919');
    expect(formatNhsNumber('12345')).toBeUndefined();
  });

  it('formats what it is given, without correcting the check digit', () => {
    expect(formatNhsNumber('9434765918')).toBe('943 476 5918');
  });

  it('nhsNumberProblem takes stored values only: a value with spaces is a format problem', () => {
    expect(nhsNumberProblem('943 476 5919')).toBe('format');
  });
});

describe('Modulus 11 properties (seeded loops)', () => {
  it('any change of a single digit of a valid number is caught', () => {
    const random = seeded(20240501);
    let checked = 0;
    for (let n = 0; n < 500; n++) {
      const valid = randomValidNumber(random);
      for (let pos = 0; pos < 10; pos++) {
        for (let d = 0; d <= 9; d++) {
          if (String(d) === valid[pos]) continue;
          const changed = valid.slice(0, pos) + String(d) + valid.slice(pos + 1);
          expect(isValidNhsNumber(changed), `${valid} → ${changed}`).toBe(false);
          checked++;
        }
      }
    }
    expect(checked).toBe(500 * 10 * 9);
  });

  it('any transposition of two different adjacent digits of a valid number is caught', () => {
    const random = seeded(7);
    for (let n = 0; n < 500; n++) {
      const valid = randomValidNumber(random);
      for (let pos = 0; pos < 9; pos++) {
        if (valid[pos] === valid[pos + 1]) continue;
        const swapped = valid.slice(0, pos) + valid[pos + 1] + valid[pos] + valid.slice(pos + 2);
        expect(isValidNhsNumber(swapped), `${valid} → ${swapped}`).toBe(false);
      }
    }
  });

  it('exactly one tenth digit completes any nine digits, or none when the check is 10', () => {
    const random = seeded(99);
    for (let n = 0; n < 2000; n++) {
      const nine = Math.floor(random() * 1e9).toString().padStart(9, '0');
      const completions = [...'0123456789'].filter((d) => nhsNumberProblem(nine + d) === undefined || nhsNumberProblem(nine + d) === 'placeholder');
      const check = nhsNumberCheckDigit(nine);
      expect(completions).toEqual(check === undefined ? [] : [String(check)]);
    }
  });

  it('generated numbers are valid, in the 999 test range, and spread over it', () => {
    const random = seeded(1);
    const seen = new Set<string>();
    for (let n = 0; n < 5000; n++) {
      const generated = generateTestNhsNumber(random);
      expect(generated).toMatch(/^999\d{7}$/);
      expect(isValidNhsNumber(generated)).toBe(true);
      expect(isTestRangeNhsNumber(generated)).toBe(true);
      seen.add(generated);
    }
    expect(seen.size).toBeGreaterThan(4900);
  });

  it('the same seed generates the same numbers', () => {
    const a = seeded(42);
    const b = seeded(42);
    for (let n = 0; n < 100; n++) expect(generateTestNhsNumber(a)).toBe(generateTestNhsNumber(b));
  });

  it('skips prefixes whose check digit would be 10', () => {
    // First draw gives prefix 999000000 (no valid number), the second 999000001 (check 8).
    const draws = [0, 1.5e-6];
    expect(generateTestNhsNumber(() => draws.shift() ?? 0.5)).toBe('9990000018');
  });

  it('test-range numbers are told apart from issued ranges', () => {
    expect(isTestRangeNhsNumber('9434765919')).toBe(false);
    expect(isTestRangeNhsNumber('999 000 0018')).toBe(true);
    expect(isTestRangeNhsNumber('9990000019')).toBe(false);
  });
});

describe('nhsNumberIssues', () => {
  const patient = (identifier: unknown[]): Resource => ({ resourceType: 'Patient', identifier });

  it('gives no issues for a valid NHS number and for other identifier systems', () => {
    expect(nhsNumberIssues(patient([
      { system: 'https://fhir.example-trust.nhs.uk/Id/mrn', value: 'not a number' },
      { system: NHS_NUMBER_SYSTEM, value: '9434765919' },
    ]))).toEqual([]);
  });

  it('gives no issues for a resource without identifiers', () => {
    expect(nhsNumberIssues({ resourceType: 'Patient' })).toEqual([]);
  });

  it('points each invalid value at Patient.identifier[i].value', () => {
    const issues = nhsNumberIssues(patient([
      { system: 'https://fhir.example-trust.nhs.uk/Id/mrn', value: 'RX1' },
      { system: NHS_NUMBER_SYSTEM, value: '9434765918' },
      { system: NHS_NUMBER_SYSTEM, value: '9434765870' },
      { system: NHS_NUMBER_SYSTEM, value: '943 476 5919' },
      { system: NHS_NUMBER_SYSTEM, value: '9991234560' },
      { system: NHS_NUMBER_SYSTEM, value: '0000000000' },
    ]));
    expect(issues.map((i) => [i.severity, i.code, i.expression])).toEqual([
      ['error', 'value', ['Patient.identifier[1].value']],
      ['error', 'value', ['Patient.identifier[3].value']],
      ['error', 'value', ['Patient.identifier[4].value']],
      ['error', 'value', ['Patient.identifier[5].value']],
    ]);
    expect(issues[0]!.diagnostics).toMatch(/check digit does not match/);
    expect(issues[1]!.diagnostics).toMatch(/exactly 10 digits/);
    expect(issues[2]!.diagnostics).toMatch(/check digit of 10/);
    expect(issues[3]!.diagnostics).toMatch(/placeholder/);
  });

  it('never repeats the number in the diagnostics', () => {
    const [found] = nhsNumberIssues(patient([{ system: NHS_NUMBER_SYSTEM, value: '9434765918' }]));
    expect(found?.diagnostics).not.toContain('9434765918');
  });

  it('reports a missing value as required and a non-string value as a format problem', () => {
    const issues = nhsNumberIssues(patient([
      { system: NHS_NUMBER_SYSTEM },
      { system: NHS_NUMBER_SYSTEM, value: 9434765919 },
    ]));
    expect(issues.map((i) => [i.code, i.expression])).toEqual([
      ['required', ['Patient.identifier[0].value']],
      ['value', ['Patient.identifier[1].value']],
    ]);
  });

  it('names the resource type of other resources that carry NHS numbers', () => {
    const issues = nhsNumberIssues({ resourceType: 'RelatedPerson', identifier: [{ system: NHS_NUMBER_SYSTEM, value: '123' }] });
    expect(issues[0]?.expression).toEqual(['RelatedPerson.identifier[0].value']);
  });

  it('ignores malformed identifier entries instead of throwing', () => {
    expect(nhsNumberIssues({ resourceType: 'Patient', identifier: [null, 'x', 3] })).toEqual([]);
    expect(nhsNumberIssues({ resourceType: 'Patient', identifier: 'x' })).toEqual([]);
  });
});
