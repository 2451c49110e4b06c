import { describe, expect, it } from 'vitest';
import type { Resource } from '../../fhir/types.js';
import { lastUpdatedBySource, sectionCoverage, sourceName, type SourceSystemInfo } from './sources.js';

const GP = 'https://tessera.example/systems/gp-A1';
const TRUST = 'https://tessera.example/systems/trust-R1';
const directory: SourceSystemInfo[] = [
  { uri: GP, name: 'your GP practice', kind: 'gp', status: 'connected' },
  { uri: TRUST, name: 'Leeds hospital', kind: 'hospital', status: 'connected' },
  { uri: 'https://tessera.example/systems/dentist', name: 'your dentist', kind: 'other', status: 'not-connected' },
  { uri: 'https://tessera.example/systems/mh', name: 'the mental health trust', kind: 'other', status: 'unavailable', asOf: '2026-04-01T00:00:00Z' },
];
const item = (source: string, updated: string, type = 'AllergyIntolerance'): Resource => ({ resourceType: type, meta: { source, lastUpdated: updated } });

describe('sectionCoverage', () => {
  const record = [item(GP, '2026-05-01T10:00:00Z', 'Condition'), item(TRUST, '2026-03-02T10:00:00Z', 'Encounter')];
  const updated = lastUpdatedBySource(record);

  it('never says "no allergies": names who recorded nothing and who is not connected', () => {
    const c = sectionCoverage([], updated, directory, 'allergies', ['allergy', 'allergies']);
    expect(c.contributed).toEqual([]);
    expect(c.emptyText).toBe('No allergies recorded by your GP practice and Leeds hospital. Your dentist is not connected, so anything recorded there is not shown. The mental health trust could not be reached recently, so what it sent up to 1 April 2026 is shown and anything newer is missing.');
    expect(c.notConnected).toEqual([{ name: 'your dentist' }]);
    expect(c.unavailable).toEqual([{ name: 'the mental health trust', asOf: '1 April 2026', text: 'The mental health trust could not be reached recently, so what it sent up to 1 April 2026 is shown and anything newer is missing.' }]);
  });

  it('lists contributors with counts and when each last sent anything', () => {
    const c = sectionCoverage([item(GP, '2026-01-01T00:00:00Z'), item(GP, '2026-01-02T00:00:00Z')], updated, directory, 'allergies', ['allergy', 'allergies']);
    expect(c.contributed).toEqual([{ name: 'your GP practice', countText: '2 allergies', updated: '1 May 2026' }]);
    expect(c.nothingFrom).toEqual([{ name: 'Leeds hospital', updated: '2 March 2026' }]);
  });
});

describe('sourceName', () => {
  it('says honestly when a system is not known', () => {
    expect(sourceName('https://elsewhere.example/x', directory)).toBe('a system Tessera does not know by name (elsewhere.example)');
    expect(sourceName(undefined, directory)).toBe('a system that did not say which it is');
  });
});
