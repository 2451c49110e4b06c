import { describe, expect, it } from 'vitest';
import { createPerson, type Person } from './person.js';
import { recordDemographics, typo } from './perturb.js';
import { Random } from './random.js';

const NOW = new Date('2025-06-01T00:00:00Z');
const people: Person[] = (() => {
  const r = new Random(77);
  const nhs = new Set<string>();
  return Array.from({ length: 4000 }, (_, i) => createPerson(i, NOW, r.fork(`p${i}`), nhs));
})();

describe('typo', () => {
  it('always changes the name, a little', () => {
    const r = new Random(1);
    for (const name of ['Smith', 'Oliver', 'Li', "O'Brien", 'Ashworth-Jones', 'Wiśniewski']) {
      for (let i = 0; i < 200; i++) {
        const t = typo(name, r);
        expect(t).not.toBe(name);
        expect(Math.abs(t.length - name.length)).toBeLessThanOrEqual(1);
        expect(t.charAt(0)).toBe(name.charAt(0));
      }
    }
  });
});

describe('recordDemographics', () => {
  const rate = (kind: 'gp' | 'hospital' | 'laboratory', p: string) => {
    const r = new Random(5);
    return people.filter((person) => recordDemographics(person, kind, NOW, r).perturbations.includes(p as never)).length / people.length;
  };

  it('laboratories miss the NHS number about a quarter of the time, GP systems almost never', () => {
    expect(rate('laboratory', 'nhs-number-missing')).toBeGreaterThan(0.2);
    expect(rate('laboratory', 'nhs-number-missing')).toBeLessThan(0.3);
    expect(rate('gp', 'nhs-number-missing')).toBeLessThan(0.02);
  });

  it('laboratories hold surnames in capitals', () => {
    const d = recordDemographics(people[0]!, 'laboratory', NOW, new Random(1));
    expect(d.family).toBe(d.family.toUpperCase());
    expect(d.perturbations).toContain('family-name-upper-case');
  });

  it('lists exactly what it changed', () => {
    const r = new Random(9);
    for (const person of people.slice(0, 2000)) {
      for (const kind of ['gp', 'hospital', 'laboratory'] as const) {
        const d = recordDemographics(person, kind, new Date('2019-01-01T00:00:00Z'), r);
        const p = new Set(d.perturbations);
        expect(d.nhsNumber === undefined).toBe(p.has('nhs-number-missing'));
        expect(d.phone === undefined).toBe(p.has('phone-missing'));
        expect(d.address !== person.address).toBe(p.has('previous-address'));
        const birth = person.birthDate.toISOString().slice(0, 10);
        expect(d.birthDate !== birth).toBe(p.has('birth-date-day-month-swapped'));
        const untouchedFamily = !p.has('family-name-typo') && !p.has('previous-family-name');
        if (untouchedFamily) expect(d.family).toBe(p.has('family-name-upper-case') ? person.family.toUpperCase() : person.family);
        const untouchedGiven = ['given-names-swapped', 'middle-name-missing', 'given-name-short-form', 'given-name-typo'].every((x) => !p.has(x as never));
        if (untouchedGiven) expect(d.given).toEqual(person.given);
      }
    }
  });

  it('a source seen before a move keeps the old address only when the person moved after it', () => {
    const r = new Random(3);
    for (const person of people) {
      const d = recordDemographics(person, 'hospital', NOW, r);
      expect(d.perturbations).not.toContain('previous-address');
    }
  });

  it('swapped birth dates are still real dates', () => {
    const r = new Random(4);
    for (const person of people) {
      const d = recordDemographics(person, 'laboratory', NOW, r);
      expect(Number.isNaN(new Date(`${d.birthDate}T00:00:00Z`).getTime())).toBe(false);
      expect(new Date(`${d.birthDate}T00:00:00Z`).toISOString().slice(0, 10)).toBe(d.birthDate);
    }
  });
});
