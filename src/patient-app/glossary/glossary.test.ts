import { describe, expect, it } from 'vitest';
import { CODE_LISTS } from '../../generate/code-lists/index.js';
import { defaultGlossary } from './glossary.js';

describe('glossary', () => {
  const g = defaultGlossary();

  it('explains every code the UK demo population uses', () => {
    const missing = CODE_LISTS.flatMap((t) => t.entries).filter((e) => !g.entry(e.system, e.code)).map((e) => `${e.system}|${e.code}`);
    expect(missing).toEqual([]);
  });

  it('keeps the clinical term and falls back honestly for unknown codes', () => {
    expect(g.explain({ coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes mellitus type 2' }] })).toMatchObject({ title: 'Type 2 diabetes', clinicalTerm: 'Diabetes mellitus type 2', known: true });
    expect(g.explain({ coding: [{ system: 'http://snomed.info/sct', code: '1', display: 'Something rare' }] })).toEqual({ title: 'Something rare', clinicalTerm: 'Something rare', known: false });
    expect(g.explain(undefined, 'Not named')).toEqual({ title: 'Not named', clinicalTerm: 'Not named', known: false });
  });
});
