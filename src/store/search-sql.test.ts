/** The upper bound of a starts-with search, as `text_pattern_ops` compares (code point order). */
import { describe, expect, it } from 'vitest';
import { prefixUpperBound } from './search-sql.js';

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
