/**
 * A person's whole clinical story, built in dependency order: conditions, then the body's
 * measurements and the medicines they lead to, allergies, vaccinations, hospital care, blood
 * tests and GP consultations. Each part draws from its own random stream, so changing how one
 * part is generated does not change the others.
 */
import type { Person } from '../person.js';
import type { Random } from '../random.js';
import { assignAllergies } from './allergies.js';
import { assignConditions } from './conditions.js';
import { planConsultations } from './consultations.js';
import { planHospitalEpisodes } from './hospital.js';
import { planImmunisations } from './immunisations.js';
import { planLabEvents } from './lab-schedule.js';
import { planRepeatMedications } from './medications.js';
import { createPhysiology, type Physiology } from './physiology.js';
import type { ClinicalStory, MedicationCourse } from './types.js';

export type * from './types.js';

/** A story and the physiology it was drawn from (kept for tests of consistency). */
export interface StoryWithPhysiology {
  readonly story: ClinicalStory;
  readonly physiology: Physiology;
}

/** The clinical story of `person` up to `now`. */
export function createStory(person: Person, now: Date, random: Random): StoryWithPhysiology {
  const conditions = assignConditions(person, now, random.fork('conditions'));
  const physiology = createPhysiology(person, conditions, random.fork('physiology'));
  const repeats = planRepeatMedications(person, conditions, physiology, now, random.fork('medications'));
  const allergies = assignAllergies(person, now, random.fork('allergies'));
  const immunisations = planImmunisations(person, conditions, now, random.fork('immunisations'));
  const hospitalEpisodes = planHospitalEpisodes(person, conditions, repeats, physiology, now, random.fork('hospital'));
  const admissionBloods = hospitalEpisodes
    .filter((e) => e.encounterClass === 'IMP')
    .map((e) => ({ date: e.start, panels: ['renal'] as const, requestedBy: 'hospital' as const }));
  const labEvents = planLabEvents(person, conditions, repeats, physiology, now, random.fork('labs'), admissionBloods);
  const consultations = planConsultations(person, conditions, repeats, allergies, labEvents, physiology, now, random.fork('consultations'));
  const acute: MedicationCourse[] = consultations.flatMap((c) => (c.prescription ? [c.prescription] : []));
  const medications = [...repeats, ...acute].sort((a, b) => a.start.getTime() - b.start.getTime());
  return { story: { conditions, medications, allergies, immunisations, consultations, labEvents, hospitalEpisodes }, physiology };
}
