import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import type { InputDefinition } from './types.js';
import { checkLimits, zodIssuesToOutcome } from './validation.js';

const inputs: InputDefinition[] = [
  { name: 'rate', type: 'integer', unit: '/min', min: 1, max: 80, required: true, description: 'A rate.' },
  { name: 'level', type: 'decimal', unitFrom: 'unit', limitsByUnit: { u1: { min: 1, max: 2 }, u2: { min: 10, max: 20 } }, required: true, description: 'A level.' },
  { name: 'unit', type: 'code', values: ['u1', 'u2'], required: true, description: 'Its unit.' },
];
const schema = z.strictObject({ rate: z.number().int(), level: z.number(), unit: z.enum(['u1', 'u2']) });

function issuesFor(input: unknown, hints = {}, keyHints = {}) {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error('expected a structural failure');
  return zodIssuesToOutcome(parsed.error.issues, input, inputs, hints, keyHints);
}

describe('zodIssuesToOutcome', () => {
  it('names the input in expression and classifies missing, wrong type and bad code', () => {
    expect(issuesFor({ rate: 'x', unit: 'c' })).toEqual([
      { severity: 'error', code: 'value', diagnostics: 'rate must be a whole number; got "x".', expression: ['rate'] },
      { severity: 'error', code: 'required', diagnostics: 'level is required.', expression: ['level'] },
      { severity: 'error', code: 'code-invalid', diagnostics: 'unit must be one of u1, u2; got "c".', expression: ['unit'] },
    ]);
  });

  it('does not echo long strings or objects', () => {
    const [first] = issuesFor({ rate: 'x'.repeat(500), level: { secret: 1 }, unit: 'u1' });
    expect(first?.diagnostics).toBe('rate must be a whole number; got a string.');
  });

  it('adds a hint for a number of the wrong kind, using the other inputs', () => {
    const [first] = issuesFor({ rate: 0.5, level: 1, unit: 'u1' }, { rate: (v: number, all: Record<string, unknown>) => `hint ${v} ${String(all['unit'])}` });
    expect(first?.diagnostics).toBe('rate must be a whole number; got 0.5. hint 0.5 u1');
  });

  it('lists at most 10 unknown keys, then a count, and truncates long names', () => {
    const extra = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, 1]));
    const issues = issuesFor({ rate: 1, level: 1, unit: 'u1', ...extra });
    expect(issues).toHaveLength(11);
    expect(issues[10]).toMatchObject({ code: 'structure', diagnostics: '2 more unknown inputs not listed.' });
    const long = issuesFor({ rate: 1, level: 1, unit: 'u1', ['y'.repeat(100)]: 1 });
    expect(long[0]?.expression?.[0]).toHaveLength(65);
  });

  it('explains a known-but-refused key', () => {
    const [first] = issuesFor({ rate: 1, level: 1, unit: 'u1', race: 'x' }, {}, { race: 'Not used.' });
    expect(first?.diagnostics).toMatch(/^Unknown input 'race'\. Not used\. Accepted inputs: rate, level, unit\.$/);
  });

  it('does not take hints from the prototype', () => {
    const [first] = issuesFor({ rate: 1, level: 1, unit: 'u1', toString: 1 });
    expect(first?.diagnostics).toBe("Unknown input 'toString'. Accepted inputs: rate, level, unit.");
  });

  it('a non-object has no expression', () => {
    expect(issuesFor('text')).toEqual([{ severity: 'error', code: 'structure', diagnostics: 'The input must be an object of named values.' }]);
  });
});

describe('checkLimits', () => {
  it('is inclusive at both ends', () => {
    expect(checkLimits({ rate: 1, level: 1, unit: 'u1' }, inputs)).toEqual([]);
    expect(checkLimits({ rate: 80, level: 2, unit: 'u1' }, inputs)).toEqual([]);
  });

  it('reports each value outside its limits, in display units', () => {
    expect(checkLimits({ rate: 0, level: 2.1, unit: 'u1' }, inputs)).toEqual([
      { severity: 'error', code: 'value', diagnostics: 'rate 0/min is outside the accepted range 1–80/min.', expression: ['rate'] },
      { severity: 'error', code: 'value', diagnostics: 'level 2.1 u1 is outside the accepted range 1–2 u1.', expression: ['level'] },
    ]);
  });

  it('takes limits from the unit another input names', () => {
    expect(checkLimits({ rate: 5, level: 15, unit: 'u2' }, inputs)).toEqual([]);
    expect(checkLimits({ rate: 5, level: 1.5, unit: 'u2' }, inputs)).toHaveLength(1);
  });
});
