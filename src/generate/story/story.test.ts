import { describe, expect, it } from 'vitest';
import { createPerson, type Person } from '../person.js';
import { Random } from '../random.js';
import { createStory } from './index.js';
import type { ClinicalStory } from './types.js';

const NOW = new Date('2025-06-01T00:00:00Z');

/** Many people with their stories, generated once: enough for rare conditions to appear. */
const people: { person: Person; story: ClinicalStory }[] = (() => {
  const root = new Random(2025);
  const nhs = new Set<string>();
  return Array.from({ length: 3000 }, (_, i) => {
    const r = root.fork(`p${i}`);
    const person = createPerson(i, NOW, r.fork('identity'), nhs);
    return { person, story: createStory(person, NOW, r.fork('story')).story };
  });
})();

const has = (story: ClinicalStory, key: string) => story.conditions.some((c) => c.key === key);
const count = (key: string) => people.filter((p) => has(p.story, key)).length;

describe('clinical stories: prevalence', () => {
  it('long-term conditions appear at roughly English prevalence (QOF, all ages)', () => {
    const pct = (key: string) => (100 * count(key)) / people.length;
    expect(pct('hypertension')).toBeGreaterThan(8);
    expect(pct('hypertension')).toBeLessThan(22);
    expect(pct('type2Diabetes')).toBeGreaterThan(3);
    expect(pct('type2Diabetes')).toBeLessThan(11);
    expect(pct('asthma')).toBeGreaterThan(3);
    expect(pct('copd')).toBeGreaterThan(0.5);
    expect(pct('atrialFibrillation')).toBeGreaterThan(0.5);
    expect(count('ckdStage3') + count('ckdStage4')).toBeGreaterThan(30);
    expect(count('ckdStage4')).toBeGreaterThan(0);
    expect(pct('depression')).toBeGreaterThan(5);
  });
});

describe('clinical stories: consistency', () => {
  it('every event lies between birth and the generation date', () => {
    for (const { person, story } of people) {
      const dates = [
        ...story.conditions.map((c) => c.onset), ...story.medications.map((m) => m.start), ...story.allergies.map((a) => a.recorded),
        ...story.immunisations.map((i) => i.date), ...story.consultations.map((c) => c.date), ...story.labEvents.map((l) => l.date),
        ...story.hospitalEpisodes.flatMap((e) => [e.start, e.end]),
      ];
      for (const d of dates) {
        expect(d.getTime()).toBeGreaterThanOrEqual(person.birthDate.getTime());
        expect(d.getTime()).toBeLessThan(NOW.getTime());
      }
    }
  });

  it('people with diabetes have HbA1c results; after diagnosis they are in the diabetic range at first, then fall on treatment', () => {
    let checked = 0;
    for (const { story } of people) {
      const diabetes = story.conditions.find((c) => c.key === 'type2Diabetes');
      const hba1c = story.labEvents.filter((l) => l.values.hba1c !== undefined);
      if (diabetes === undefined) {
        for (const l of hba1c) expect(l.values.hba1c).toBeLessThan(48);
        continue;
      }
      const before = hba1c.filter((l) => l.date < diabetes.onset);
      for (const l of before) expect(l.values.hba1c).toBeLessThan(48);
      const atDiagnosis = hba1c.find((l) => Math.abs(l.date.getTime() - diabetes.onset.getTime()) < 2 * 86_400_000);
      if (atDiagnosis !== undefined) {
        expect(atDiagnosis.values.hba1c).toBeGreaterThanOrEqual(48);
        const later = hba1c.filter((l) => l.date.getTime() - diabetes.onset.getTime() > 270 * 86_400_000 && l.date.getTime() - diabetes.onset.getTime() < 500 * 86_400_000);
        for (const l of later) expect(l.values.hba1c!).toBeLessThan(atDiagnosis.values.hba1c!);
        checked++;
      }
      if (diabetes.onset.getTime() < NOW.getTime() - 365 * 86_400_000) expect(hba1c.length).toBeGreaterThan(0);
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('people with CKD have eGFR below 60 after diagnosis (below 30 at stage 4); everyone else 60 or more', () => {
    let ckdResults = 0;
    for (const { story } of people) {
      const ckd = story.conditions.find((c) => c.key === 'ckdStage3' || c.key === 'ckdStage4');
      for (const l of story.labEvents) {
        const egfr = l.values.egfr;
        if (egfr === undefined) continue;
        if (ckd !== undefined && l.date >= ckd.onset) {
          expect(egfr).toBeLessThan(ckd.key === 'ckdStage4' ? 30 : 60);
          expect(egfr).toBeGreaterThanOrEqual(ckd.key === 'ckdStage4' ? 15 : 30);
          ckdResults++;
        } else expect(egfr).toBeGreaterThanOrEqual(60);
      }
    }
    expect(ckdResults).toBeGreaterThan(50);
  });

  it('creatinine and eGFR of one sample agree: lower eGFR, higher creatinine for the same person', () => {
    for (const { story } of people) {
      const renal = story.labEvents.filter((l) => l.values.egfr !== undefined && l.values.creatinine !== undefined);
      for (let i = 1; i < renal.length; i++) {
        const [a, b] = [renal[i - 1]!, renal[i]!];
        if (a.values.egfr! > b.values.egfr! + 3) expect(a.values.creatinine!).toBeLessThanOrEqual(b.values.creatinine!);
      }
    }
  });

  it('medicines follow the conditions they treat and start after the diagnosis', () => {
    const treats: Record<string, string[]> = {
      metformin: ['type2Diabetes'], gliclazide: ['type2Diabetes'], apixaban: ['atrialFibrillation'], salbutamol: ['asthma', 'copd'],
      amlodipine: ['hypertension'], ramipril: ['hypertension', 'ckdStage3', 'ckdStage4'], atorvastatin: ['type2Diabetes', 'ckdStage3', 'ckdStage4'],
    };
    for (const { story } of people) {
      for (const m of story.medications) {
        const reasons = treats[m.key];
        if (reasons === undefined) continue;
        const condition = story.conditions.find((c) => c.key === m.reason);
        expect(reasons).toContain(m.reason);
        expect(condition).toBeDefined();
        expect(m.start.getTime()).toBeGreaterThanOrEqual(condition!.onset.getTime());
      }
    }
  });

  it('no metformin with stage 4 CKD; no two active courses of the same medicine', () => {
    for (const { story } of people) {
      if (has(story, 'ckdStage4')) expect(story.medications.some((m) => m.key === 'metformin')).toBe(false);
      const active = story.medications.filter((m) => m.status === 'active' && m.end === undefined).map((m) => m.key);
      expect(new Set(active).size).toBe(active.length);
    }
  });

  it('people allergic to penicillin are never prescribed amoxicillin (doxycycline instead)', () => {
    let allergic = 0;
    for (const { story } of people) {
      if (!story.allergies.some((a) => a.allergen?.code === '764146007')) continue;
      allergic++;
      expect(story.medications.some((m) => m.key === 'amoxicillin')).toBe(false);
    }
    expect(allergic).toBeGreaterThan(50);
    expect(people.some(({ story }) => story.medications.some((m) => m.key === 'doxycycline'))).toBe(true);
  });

  it('blood pressure is high at a hypertension diagnosis before treatment, and lower once treated', () => {
    const treatedSystolic: number[] = [];
    const untreatedNormal: number[] = [];
    for (const { story } of people) {
      const htn = story.conditions.find((c) => c.key === 'hypertension');
      for (const c of story.consultations) {
        const sys = c.vitals?.systolic;
        if (sys === undefined) continue;
        const onTreatment = story.medications.some((m) => (m.key === 'ramipril' || m.key === 'amlodipine') && m.start <= c.date && (m.end === undefined || c.date < m.end));
        if (htn !== undefined && c.date >= htn.onset && onTreatment) treatedSystolic.push(sys);
        if (htn === undefined) untreatedNormal.push(sys);
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(treatedSystolic.length).toBeGreaterThan(30);
    expect(mean(treatedSystolic)).toBeGreaterThan(120);
    expect(mean(treatedSystolic)).toBeLessThan(145);
    expect(Math.max(...untreatedNormal)).toBeLessThan(160);
  });

  it('the flu vaccine is given in autumn to people aged 65 and over or with a long-term condition', () => {
    for (const { person, story } of people) {
      for (const i of story.immunisations.filter((x) => x.vaccine === 'influenza')) {
        expect([8, 9, 10, 11, 0]).toContain(i.date.getUTCMonth());
        const ageThen = (i.date.getTime() - person.birthDate.getTime()) / (365.25 * 86_400_000);
        const atRisk = story.conditions.some((c) => c.key !== 'depression' && c.onset <= i.date);
        expect(ageThen >= 64.9 || atRisk).toBe(true);
      }
    }
  });

  it('hospital admissions follow the conditions: COPD flare-ups only with COPD', () => {
    for (const { story } of people) {
      for (const e of story.hospitalEpisodes) {
        if (e.reason.code === '195951007') expect(has(story, 'copd')).toBe(true);
        expect(e.end.getTime()).toBeGreaterThan(e.start.getTime());
      }
    }
    expect(people.some(({ story }) => story.hospitalEpisodes.some((e) => e.encounterClass === 'IMP'))).toBe(true);
    expect(people.some(({ story }) => story.hospitalEpisodes.some((e) => e.encounterClass === 'AMB'))).toBe(true);
  });

  it('review notes quote the results they mention', () => {
    const withHba1c = people.flatMap(({ story }) => story.consultations.filter((c) => /Last HbA1c (\d+)/.test(c.note)).map((c) => ({ c, story })));
    expect(withHba1c.length).toBeGreaterThan(5);
    for (const { c, story } of withHba1c) {
      const quoted = Number(/Last HbA1c (\d+)/.exec(c.note)![1]);
      expect(story.labEvents.some((l) => l.values.hba1c === quoted && l.date <= c.date)).toBe(true);
    }
  });
});
