/**
 * Which long-term conditions a person has, and since when. Prevalence by age is a rough
 * match to England's QOF registers (hypertension about 14% of all ages, diabetes 7%, asthma
 * 6–7%, COPD 2%, AF 2%, CKD 3–5 about 4% of adults, depression 13% of adults), with the
 * usual links between them (diabetes raises the chance of high blood pressure and of CKD).
 * Approximate by design: the data are for testing software, not for epidemiology.
 */
import type { LongTermConditionKey } from '../code-lists/conditions.js';
import { addDays, addYears, atTime, earlier, YEAR_DAYS } from '../dates.js';
import type { Person } from '../person.js';
import type { Random } from '../random.js';
import { staffOf } from '../reference-data/staff.js';
import type { ConditionEvent } from './types.js';

/** Probability by age band: [minimum age, probability] pairs, highest band that applies. */
type AgeCurve = readonly (readonly [number, number])[];

function probability(curve: AgeCurve, age: number): number {
  let p = 0;
  for (const [minAge, value] of curve) if (age >= minAge) p = value;
  return p;
}

const DIABETES: AgeCurve = [[25, 0.01], [40, 0.06], [60, 0.15], [80, 0.17]];
const HYPERTENSION: AgeCurve = [[25, 0.02], [40, 0.12], [60, 0.38], [80, 0.55]];
const ASTHMA: AgeCurve = [[3, 0.07], [18, 0.08], [65, 0.07]];
const COPD: AgeCurve = [[40, 0.015], [60, 0.05], [75, 0.07]];
const AF: AgeCurve = [[55, 0.02], [65, 0.05], [75, 0.1], [85, 0.15]];
const CKD: AgeCurve = [[50, 0.02], [65, 0.07], [75, 0.15], [85, 0.25]];
const DEPRESSION: AgeCurve = [[16, 0.12], [65, 0.1]];

/**
 * Onset between `fromAge` and today, uniformly, and at least two weeks ago so that the
 * diagnosis has been recorded.
 */
function onsetBetween(person: Person, fromAge: number, now: Date, random: Random): Date {
  const earliest = addYears(person.birthDate, Math.min(fromAge, person.age));
  const latest = addDays(now, -14);
  // Onset is a day (midnight UTC): blood tests taken on the day of diagnosis come after it.
  if (earliest.getTime() >= latest.getTime()) return atTime(earliest, 0, 0);
  return atTime(addDays(earliest, random.next() * (latest.getTime() - earliest.getTime()) / 86_400_000), 0, 0);
}

/** The person's long-term conditions, in onset order. */
export function assignConditions(person: Person, now: Date, random: Random): ConditionEvent[] {
  const age = person.age;
  const gps = staffOf(person.practice.odsCode, 'gp');
  const out: ConditionEvent[] = [];
  const add = (key: LongTermConditionKey, onset: Date, abatement?: Date) => {
    out.push({ key, onset, ...(abatement !== undefined ? { abatement } : {}), recorder: random.pick(gps) });
  };
  const has = (key: LongTermConditionKey) => out.some((c) => c.key === key);

  if (random.chance(probability(DIABETES, age))) add('type2Diabetes', onsetBetween(person, Math.max(30, age - 25), now, random));
  const htnBoost = has('type2Diabetes') ? 1.6 : 1;
  if (random.chance(Math.min(0.9, probability(HYPERTENSION, age) * htnBoost))) add('hypertension', onsetBetween(person, Math.max(35, age - 30), now, random));
  if (random.chance(probability(ASTHMA, age))) add('asthma', onsetBetween(person, 2, now, random));
  if (random.chance(probability(COPD, age))) add('copd', onsetBetween(person, Math.max(45, age - 20), now, random));
  if (random.chance(probability(AF, age))) add('atrialFibrillation', onsetBetween(person, Math.max(55, age - 15), now, random));
  const ckdBoost = (has('type2Diabetes') ? 1.8 : 1) * (has('hypertension') ? 1.3 : 1);
  if (random.chance(Math.min(0.8, probability(CKD, age) * ckdBoost))) {
    const onset = onsetBetween(person, Math.max(55, age - 12), now, random);
    add(random.chance(0.12) ? 'ckdStage4' : 'ckdStage3', onset);
  }
  if (random.chance(probability(DEPRESSION, age))) {
    const onset = onsetBetween(person, Math.max(16, age - 30), now, random);
    const resolves = random.chance(0.45) ? addDays(onset, random.int(180, Math.round(2.5 * YEAR_DAYS))) : undefined;
    add('depression', onset, resolves !== undefined && resolves.getTime() < now.getTime() ? earlier(resolves, now) : undefined);
  }
  return out.sort((a, b) => a.onset.getTime() - b.onset.getTime());
}

/** The condition record for `key`, if the person has it. */
export function conditionOf(conditions: readonly ConditionEvent[], key: LongTermConditionKey): ConditionEvent | undefined {
  return conditions.find((c) => c.key === key);
}

/** True when the person has any CKD entry. */
export function hasCkd(conditions: readonly ConditionEvent[]): boolean {
  return conditions.some((c) => c.key === 'ckdStage3' || c.key === 'ckdStage4');
}
