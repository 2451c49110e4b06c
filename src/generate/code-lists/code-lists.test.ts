import { describe, expect, it } from 'vitest';
import { CODE_LISTS, DMD, LOINC, MEDICATIONS, OBSERVATIONS, PANELS, SNOMED, UCUM, VACCINES } from './index.js';

// Verhoeff tables (SNOMED CT identifiers end in a Verhoeff check digit).
const D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1], [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1], [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
function verhoeffValid(id: string): boolean {
  let c = 0;
  [...id].reverse().forEach((ch, i) => {
    c = D[c]![P[i % 8]![Number(ch)]!]!;
  });
  return c === 0;
}

/** LOINC's check digit is the Luhn (mod 10) digit of the number before the hyphen. */
function loincValid(code: string): boolean {
  const m = /^(\d+)-(\d)$/.exec(code);
  if (m === null) return false;
  let sum = 0;
  [...m[1]!].reverse().forEach((ch, i) => {
    let d = Number(ch);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  });
  return (10 - (sum % 10)) % 10 === Number(m[2]);
}

const all = CODE_LISTS.flatMap((t) => t.entries.map((e) => ({ table: t.name, ...e })));

describe('code lists', () => {
  it('cover every table the generator writes codes from', () => {
    expect(CODE_LISTS.map((t) => t.name)).toEqual([
      'long-term-conditions', 'acute-problems', 'admission-reasons', 'medications', 'allergens', 'allergy-reactions', 'vaccines',
      'vaccine-target-diseases', 'vaccination-details', 'observations', 'lab-panels', 'encounter-types', 'document-types',
    ]);
    for (const t of CODE_LISTS) expect(t.entries.length, t.name).toBeGreaterThan(0);
  });

  it('use only SNOMED CT, dm+d and LOINC', () => {
    for (const e of all) expect([SNOMED, DMD, LOINC], `${e.table} ${e.code}`).toContain(e.system);
  });

  it.each(all.filter((e) => e.system === SNOMED || e.system === DMD).map((e) => [e.table, e.code, e.display] as const))(
    '%s: %s (%s) is a well-formed SCTID: Verhoeff check digit, concept partition', (_table, code) => {
      expect(code).toMatch(/^[1-9]\d{5,17}$/);
      expect(verhoeffValid(code)).toBe(true);
      // Partition identifier: 00 for an international-release concept, 10 for an extension concept.
      expect(['00', '10']).toContain(code.slice(-3, -1));
    },
  );

  it('SNOMED CT codes are international-release concepts (short form); extension ids only for dm+d', () => {
    for (const e of all.filter((x) => x.system === SNOMED)) expect(e.code.slice(-3, -1), `${e.code} ${e.display}`).toBe('00');
    for (const e of all.filter((x) => x.system === DMD)) expect(e.code.slice(-10, -3), `${e.code} ${e.display}`).toBe('1000001');
  });

  it.each(all.filter((e) => e.system === LOINC).map((e) => [e.code, e.display] as const))('LOINC %s (%s) has a valid check digit', (code) => {
    expect(loincValid(code)).toBe(true);
  });

  it('have no code twice with different displays', () => {
    const displays = new Map<string, string>();
    for (const e of all) {
      const key = `${e.system}|${e.code}`;
      const seen = displays.get(key);
      if (seen !== undefined) expect(e.display, key).toBe(seen);
      displays.set(key, e.display);
    }
  });

  it('every code has a display and a short plain-English description', () => {
    for (const e of all) {
      expect(e.display.trim(), e.code).not.toBe('');
      expect(e.description, e.code).toMatch(/^(?:[A-Z0-9"'(]|eGFR).*[.)]$/s);
      expect(e.description.length, `${e.code} description length`).toBeLessThanOrEqual(200);
      expect(e.description.length, `${e.code} description length`).toBeGreaterThanOrEqual(10);
    }
  });

  it('descriptions avoid clinical jargon a patient would not know', () => {
    const jargon = /\b(aetiology|etiology|idiopathic|renal|hepatic|pathology|prophylaxis|contraindicated|mellitus|hypertensive|myocardial)\b/i;
    for (const e of all) expect(e.description, `${e.code} ${e.display}`).not.toMatch(jargon);
  });

  it('every medicine has dosage text and a quantity; repeat medicines are continuous', () => {
    for (const m of Object.values(MEDICATIONS)) {
      expect(m.dosageText).not.toBe('');
      expect(m.quantity.value).toBeGreaterThan(0);
      expect(['continuous', 'acute']).toContain(m.course);
    }
    expect(MEDICATIONS.amoxicillin.course).toBe('acute');
    expect(MEDICATIONS.metformin.course).toBe('continuous');
  });

  it('every measurement with a value has a UCUM unit; panels list known members', () => {
    for (const [key, o] of Object.entries(OBSERVATIONS)) {
      if (key === 'bloodPressure') expect(o.ucum).toBe('');
      else expect(o.ucum, key).not.toBe('');
    }
    for (const p of Object.values(PANELS)) for (const m of p.members) expect(OBSERVATIONS[m]).toBeDefined();
    expect(UCUM).toBe('http://unitsofmeasure.org');
  });

  it('the brief\'s codes: BP panel 85354-9 with 8480-6 and 8462-4; HbA1c in mmol/mol; eGFR in mL/min/1.73m2', () => {
    expect(OBSERVATIONS.bloodPressure.code).toBe('85354-9');
    expect(OBSERVATIONS.systolic.code).toBe('8480-6');
    expect(OBSERVATIONS.diastolic.code).toBe('8462-4');
    expect(OBSERVATIONS.hba1c.ucum).toBe('mmol/mol');
    expect(OBSERVATIONS.egfr.ucum).toBe('mL/min/{1.73_m2}');
    expect(OBSERVATIONS.creatinine.ucum).toBe('umol/L');
    expect(OBSERVATIONS.totalCholesterol.ucum).toBe('mmol/L');
  });

  it('every vaccine names the disease it protects against', () => {
    for (const v of Object.values(VACCINES)) expect(v.targetDisease.system).toBe(SNOMED);
  });
});
