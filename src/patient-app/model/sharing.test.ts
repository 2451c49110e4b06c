import { describe, expect, it } from 'vitest';
import { choicesFromForm, currentChoices, planSharingChanges } from './sharing.js';

const now = new Date('2026-05-01T10:00:00Z');

describe('sharing choices as Consent', () => {
  it('creates what is newly chosen and inactivates what is no longer wanted', () => {
    const first = planSharingChanges('p1', [], { optedOut: true, categories: ['PSY'], sources: ['https://x/gp'] }, now);
    expect(first.inactivate).toEqual([]);
    expect(first.create).toHaveLength(3);
    const [ndoo, psy, src] = first.create.map((c, i) => ({ ...c, id: `c${i}` }));
    expect(ndoo).toMatchObject({ status: 'active', scope: { coding: [{ code: 'research' }] }, provision: { type: 'deny' }, patient: { reference: 'Patient/p1' } });
    expect(psy).toMatchObject({ scope: { coding: [{ code: 'patient-privacy' }] }, provision: { type: 'permit', provision: [{ type: 'deny', securityLabel: [{ code: 'PSY' }] }] } });
    expect(src).toMatchObject({ provision: { provision: [{ extension: [{ valueUri: 'https://x/gp' }] }] } });
    expect(currentChoices([ndoo!, psy!, src!])).toEqual({ optedOut: true, categories: ['PSY'], sources: ['https://x/gp'] });

    const second = planSharingChanges('p1', [ndoo!, psy!, src!], { optedOut: false, categories: ['PSY', 'HIV'], sources: [] }, now);
    expect(second.inactivate.map((c) => [c.id, c.status])).toEqual([['c0', 'inactive'], ['c2', 'inactive']]);
    expect(second.create).toHaveLength(1);
  });

  it('reads only known values from the form and insists on an opt-out answer', () => {
    expect(choicesFromForm([['category', 'PSY'], ['category', 'BOGUS'], ['source', 'https://evil'], ['ndoo', 'share']], ['https://x/gp'])).toEqual({ optedOut: false, categories: ['PSY'], sources: [] });
    expect(choicesFromForm([], [])).toEqual({ error: 'Select whether your data can be used for research and planning' });
  });
});
