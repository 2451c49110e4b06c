/**
 * Vaccinations, following the shape of England's programmes: a flu vaccine each autumn for
 * people aged 65 and over or with a long-term condition; COVID-19 vaccines from January 2021
 * (two primary doses, then autumn boosters for older and at-risk people); and the
 * pneumococcal conjugate vaccine for babies at 12 weeks and one year. Only vaccinations
 * before the generation date are recorded.
 *
 * @see https://www.gov.uk/government/publications/the-complete-routine-immunisation-schedule
 */
import type { VaccineKey } from '../code-lists/immunisations.js';
import { INJECTION_SITES } from '../code-lists/immunisations.js';
import { addDays, ageOn, utcDay } from '../dates.js';
import type { Person } from '../person.js';
import type { Random } from '../random.js';
import { staffOf } from '../reference-data/staff.js';
import type { ConditionEvent, ImmunisationEvent } from './types.js';

/** The person's vaccinations, oldest first. */
export function planImmunisations(person: Person, conditions: readonly ConditionEvent[], now: Date, random: Random): ImmunisationEvent[] {
  const nurse = staffOf(person.practice.odsCode, 'practice-nurse')[0]!;
  const out: ImmunisationEvent[] = [];
  const give = (vaccine: VaccineKey, date: Date, doseNumber: number) => {
    if (date.getTime() >= now.getTime() || date.getTime() < person.birthDate.getTime()) return;
    const lotNumber = `${vaccine === 'influenza' ? 'FL' : vaccine === 'covid19' ? 'CV' : 'PN'}${random.digits(4)}${String.fromCharCode(65 + random.int(0, 25))}`;
    out.push({ vaccine, date, doseNumber, site: random.pick(INJECTION_SITES), lotNumber, performer: nurse });
  };
  const atRisk = (date: Date) => conditions.some((c) => c.key !== 'depression' && c.onset.getTime() <= date.getTime());
  const year = now.getUTCFullYear();
  const uptake = random.between(0.55, 0.95);

  for (let season = year - 5; season <= year; season++) {
    const date = addDays(utcDay(season, 9, 20), random.int(0, 80));
    const age = ageOn(person.birthDate, date);
    if ((age >= 65 || (age >= 18 && atRisk(date))) && random.chance(uptake)) give('influenza', date, 1);
  }

  const ageIn2021 = ageOn(person.birthDate, utcDay(2021, 1, 1));
  if (ageIn2021 >= 18 && random.chance(0.88)) {
    // Older people were offered their first dose first (January), younger adults by June 2021.
    const first = addDays(utcDay(2021, 1, 8), Math.max(0, 90 - ageIn2021) * 2 + random.int(0, 20));
    give('covid19', first, 1);
    give('covid19', addDays(first, random.int(56, 84)), 2);
    let dose = 3;
    for (let autumn = 2021; autumn <= year; autumn++) {
      const date = addDays(utcDay(autumn, 9, 15), random.int(0, 75));
      const age = ageOn(person.birthDate, date);
      const eligibleAge = autumn <= 2022 ? 50 : autumn === 2023 ? 65 : 75;
      if ((age >= eligibleAge || atRisk(date)) && random.chance(uptake)) give('covid19', date, dose++);
    }
  }

  if (random.chance(0.92)) {
    give('pneumococcal', addDays(person.birthDate, 84 + random.int(0, 14)), 1);
    give('pneumococcal', addDays(person.birthDate, 365 + random.int(0, 21)), 2);
  }
  return out
    .filter((e) => e.vaccine !== 'pneumococcal' || ageOn(person.birthDate, now) < 10)
    .sort((a, b) => a.date.getTime() - b.date.getTime());
}
