/**
 * The upper bound of a starts-with search, as `text_pattern_ops` compares (code point order);
 * which searches are planned once for all values.
 */
import { describe, expect, it } from 'vitest';
import { patientScope, prefixUpperBound, readsOnlyPersonRows } from './search-sql.js';
import { SearchRegistry } from '../search/registry.js';
import { parseSearch } from '../search/parse-search.js';

const utf8 = (s: string) => Buffer.from(s, 'utf8');

describe('prefixUpperBound', () => {
  it('increases the last code point', () => {
    expect(prefixUpperBound('smit')).toBe('smiu');
    expect(prefixUpperBound('ø')).toBe('ù');
    expect(prefixUpperBound('日本')).toBe('日札');
  });

  it('skips the surrogates and carries past the highest code point', () => {
    expect(prefixUpperBound('a\ud7ff')).toBe('a\ue000');
    expect(prefixUpperBound(`ab${String.fromCodePoint(0x10ffff)}`)).toBe('ac');
    expect(prefixUpperBound(String.fromCodePoint(0x10ffff))).toBeUndefined();
    expect(prefixUpperBound('')).toBeUndefined();
  });

  it('is above every string with the prefix and below the next, byte-wise in UTF-8', () => {
    for (const prefix of ['smit', 'ünal', '日本', 'a\ud7ff', `x${String.fromCodePoint(0x1f600)}`]) {
      const upper = utf8(prefixUpperBound(prefix)!);
      for (const tail of ['', 'a', 'zzzz', '\u00ff', '\uffff', String.fromCodePoint(0x10ffff, 0x10ffff)]) {
        expect(Buffer.compare(utf8(prefix + tail), upper), `${prefix}+${tail}`).toBeLessThan(0);
      }
      expect(Buffer.compare(utf8(prefix), upper)).toBeLessThan(0);
    }
  });
});

describe('readsOnlyPersonRows', () => {
  const registry = new SearchRegistry();
  const decide = (type: string, query: [string, string][]) => {
    const req = parseSearch(registry, type, query);
    return readsOnlyPersonRows(req, patientScope(registry, req));
  };

  it('holds for a search confined to one person whose filters are its own parameters and columns', () => {
    expect(decide('Observation', [['patient', 'p1'], ['code', 'http://loinc.org|8867-4'], ['date', 'ge2020'], ['_lastUpdated', 'gt2020']])).toBe(true);
    expect(decide('Condition', [['patient', 'Patient/p1'], ['clinical-status', 'active'], ['_id', 'a,b']])).toBe(true);
    expect(decide('Observation', [['patient', 'p1'], ['code:text', 'heart']])).toBe(true);
  });

  it('does not hold across people, or where a chain or _has reaches other resources', () => {
    expect(decide('Observation', [['code', 'http://loinc.org|8867-4']])).toBe(false);
    expect(decide('Patient', [['name', 'smith']])).toBe(false);
    expect(decide('Observation', [['patient', 'p1'], ['performer:Practitioner.name', 'xu']])).toBe(false);
    expect(decide('Patient', [['_id', 'p1'], ['_has:Observation:patient:code', '8867-4']])).toBe(false);
  });
});
