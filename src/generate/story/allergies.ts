/**
 * Allergy records: about one person in eight has a recorded allergy or intolerance, most often
 * to penicillin; most of the rest have "no known allergy" recorded, and some have nothing.
 */
import { ALLERGENS, REACTIONS, type AllergenEntry } from '../code-lists/allergies.js';
import { addDays, later } from '../dates.js';
import type { Person } from '../person.js';
import type { Random } from '../random.js';
import { staffOf } from '../reference-data/staff.js';
import type { AllergyRecord } from './types.js';

const WEIGHTS: Readonly<Record<string, number>> = { '764146007': 60, '387494007': 15, '387458008': 10, '111088007': 15 };

/** The person's allergy records. */
export function assignAllergies(person: Person, now: Date, random: Random): AllergyRecord[] {
  const gps = staffOf(person.practice.odsCode, 'gp');
  const recordedAfter = later(person.birthDate, addDays(now, -25 * 365));
  const recordedOn = () => addDays(recordedAfter, random.next() * (now.getTime() - recordedAfter.getTime()) / 86_400_000);
  const roll = random.next();
  if (roll < 0.13) {
    const allergens = new Set<AllergenEntry>([random.weighted(ALLERGENS.map((a) => [a, WEIGHTS[a.code] ?? 1] as const))]);
    if (random.chance(0.15)) allergens.add(random.pick(ALLERGENS));
    return [...allergens].map((allergen) => {
      const reactionCode = random.pick(allergen.reactions);
      const reaction = REACTIONS[reactionCode]!;
      const severity = reactionCode === '39579001' ? 'severe' : random.chance(0.7) ? 'mild' : 'moderate';
      return { allergen, reaction, severity, recorded: recordedOn(), recorder: random.pick(gps) };
    });
  }
  if (roll < 0.75) return [{ recorded: recordedOn(), recorder: random.pick(gps) }];
  return [];
}

/** True when the person is recorded as allergic to penicillin (so amoxicillin must not be prescribed). */
export function isPenicillinAllergic(allergies: readonly AllergyRecord[]): boolean {
  return allergies.some((a) => a.allergen?.code === '764146007');
}
