/**
 * When a person has blood tests, and which: HbA1c every six months with diabetes; kidney
 * function every six months with CKD and yearly with diabetes, high blood pressure or on an
 * ACE inhibitor or anticoagulant; cholesterol yearly with diabetes or CKD; an NHS Health
 * Check (cholesterol and HbA1c) every five years for other people aged 40–74; and an
 * occasional one-off kidney test for other adults. Results cover at most the last six years.
 *
 * @see https://www.nice.org.uk/guidance/ng28 (HbA1c every 3–6 months)
 * @see https://www.nice.org.uk/guidance/ng203 (monitoring eGFR in CKD)
 * @see https://www.healthcheck.nhs.uk/ (NHS Health Check, ages 40–74, every 5 years)
 */
import type { PanelKey } from '../code-lists/observations.js';
import { PANELS } from '../code-lists/observations.js';
import { addDays, addYears, ageOn, atTime, later } from '../dates.js';
import type { Person } from '../person.js';
import type { Random } from '../random.js';
import { conditionOf, hasCkd } from './conditions.js';
import { treatmentOn } from './medications.js';
import { labValuesAt, type Physiology } from './physiology.js';
import type { ConditionEvent, LabEvent, MedicationCourse } from './types.js';

/** How many years of results are kept. */
export const LAB_HISTORY_YEARS = 6;

/** One day's tests before values are filled in. */
interface Draw { date: Date; panels: Set<PanelKey>; requestedBy: 'gp' | 'hospital' }

/**
 * The person's GP-requested blood tests, with values. `extra` adds draws requested elsewhere
 * (hospital admissions), which are valued the same way.
 */
export function planLabEvents(
  person: Person, conditions: readonly ConditionEvent[], medications: readonly MedicationCourse[], physiology: Physiology,
  now: Date, random: Random, extra: readonly { date: Date; panels: readonly PanelKey[]; requestedBy: 'gp' | 'hospital' }[] = [],
): LabEvent[] {
  const adult = addYears(person.birthDate, 18);
  const windowStart = later(addYears(now, -LAB_HISTORY_YEARS), adult);
  const draws: Draw[] = [];
  const add = (date: Date, panels: readonly PanelKey[], requestedBy: 'gp' | 'hospital' = 'gp') => {
    if (date.getTime() < windowStart.getTime() || date.getTime() >= now.getTime()) return;
    const day = atTime(date, random.int(8, 11), random.int(0, 59));
    const same = draws.find((d) => d.requestedBy === requestedBy && Math.abs(d.date.getTime() - day.getTime()) < 86_400_000);
    if (same) for (const p of panels) same.panels.add(p);
    else draws.push({ date: day, panels: new Set(panels), requestedBy });
  };
  const every = (from: Date, intervalDays: number, panels: readonly PanelKey[]) => {
    for (let d = addDays(later(from, windowStart), random.int(0, intervalDays)); d.getTime() < now.getTime(); d = addDays(d, intervalDays + random.int(-20, 20))) add(d, panels);
  };

  const diabetes = conditionOf(conditions, 'type2Diabetes');
  if (diabetes) {
    add(diabetes.onset, ['hba1c', 'renal', 'lipids']);
    every(diabetes.onset, 182, ['hba1c']);
    every(diabetes.onset, 365, ['renal', 'lipids']);
  }
  const ckd = conditions.find((c) => c.key === 'ckdStage3' || c.key === 'ckdStage4');
  if (ckd) {
    add(ckd.onset, ['renal']);
    every(ckd.onset, 182, ['renal']);
    every(ckd.onset, 365, ['lipids']);
  }
  const monitored = conditions.some((c) => c.key === 'hypertension' || c.key === 'atrialFibrillation')
    || medications.some((m) => m.key === 'ramipril' || m.key === 'apixaban');
  if (monitored && !diabetes && !hasCkd(conditions)) {
    const first = conditions.filter((c) => c.key === 'hypertension' || c.key === 'atrialFibrillation')[0]?.onset ?? windowStart;
    every(first, 365, ['renal']);
  }
  if (!diabetes && !ckd) {
    const checkStart = addYears(person.birthDate, 40);
    for (let d = addDays(later(checkStart, addYears(windowStart, -5)), random.int(0, 5 * 365)); d.getTime() < now.getTime(); d = addYears(d, 5)) {
      if (ageOn(person.birthDate, d) <= 74 && random.chance(0.6)) add(d, ['lipids', 'hba1c']);
    }
    if (!monitored && random.chance(0.3)) add(addDays(windowStart, random.next() * (now.getTime() - windowStart.getTime()) / 86_400_000), ['renal']);
  }
  for (const e of extra) {
    if (e.date.getTime() >= adult.getTime() && e.date.getTime() < now.getTime()) {
      draws.push({ date: e.date, panels: new Set(e.panels), requestedBy: e.requestedBy });
    }
  }

  return draws
    .sort((a, b) => a.date.getTime() - b.date.getTime())
    .map((d) => {
      const panels = (['hba1c', 'renal', 'lipids'] as const).filter((p) => d.panels.has(p));
      const keys = panels.flatMap((p) => PANELS[p].members);
      return { date: d.date, panels, values: labValuesAt(physiology, person, d.date, keys, treatmentOn(medications, d.date), random), requestedBy: d.requestedBy };
    });
}
