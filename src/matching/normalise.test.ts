import { describe, expect, it } from 'vitest';
import { isNicknamePair } from './nicknames.js';
import { isPseudoPostcode, nameKey, nameTokens, normaliseName, normalisePostcode } from './normalise.js';

describe('normaliseName', () => {
  it.each([
    ['Smith', 'smith'],
    ['SMITH', 'smith'],
    ['Wiśniewski', 'wisniewski'],
    ['Zoë', 'zoe'],
    ["O'Brien", 'obrien'],
    ['O’Brien', 'obrien'],
    ['Ashworth-Jones', 'ashworth jones'],
    ['  da   Silva ', 'da silva'],
    ['St. John', 'st john'],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(normaliseName(input)).toBe(expected);
  });

  it('gives words and a joined key', () => {
    expect(nameTokens('Mary-Jane')).toEqual(['mary', 'jane']);
    expect(nameTokens('  ')).toEqual([]);
    expect(nameKey('da Silva')).toBe(nameKey('DASILVA'));
    expect(nameKey("O'BRIEN")).toBe(nameKey("O'Brien"));
  });
});

describe('normalisePostcode', () => {
  it.each([
    ['LS6 2AB', 'LS6 2AB', 'LS6'],
    ['ls62ab', 'LS6 2AB', 'LS6'],
    [' bd10  9xy ', 'BD10 9XY', 'BD10'],
    ['W1A 1AA', 'W1A 1AA', 'W1A'],
    ['EC1A1BB', 'EC1A 1BB', 'EC1A'],
    ['M1 1AE', 'M1 1AE', 'M1'],
    ['GIR 0AA', 'GIR 0AA', 'GIR'],
  ])('%s → %s (outward %s)', (input, full, outward) => {
    expect(normalisePostcode(input)).toEqual({ full, outward, inward: full.split(' ')[1] });
  });

  it.each(['', 'LS6', '12345', 'LS6 2A', 'LSS 2AB', 'GIR 1AA', 'LS6 2AB X'])('rejects %j', (input) => {
    expect(normalisePostcode(input)).toBeUndefined();
  });

  it('recognises the NHS pseudo-postcodes (ZZ99 no fixed abode, not known, abroad)', () => {
    expect(isPseudoPostcode(normalisePostcode('ZZ99 3VZ')!)).toBe(true);
    expect(isPseudoPostcode(normalisePostcode('zz993wz')!)).toBe(true);
    expect(isPseudoPostcode(normalisePostcode('LS6 2AB')!)).toBe(false);
  });
});

describe('isNicknamePair', () => {
  it('knows familiar forms of a name, both ways', () => {
    expect(isNicknamePair('bill', 'william')).toBe(true);
    expect(isNicknamePair('william', 'bill')).toBe(true);
    expect(isNicknamePair('peggy', 'margaret')).toBe(true);
    expect(isNicknamePair('kasia', 'katarzyna')).toBe(true);
  });

  it('links two familiar forms of one name', () => {
    expect(isNicknamePair('bill', 'will')).toBe(true);
    expect(isNicknamePair('alex', 'sasha')).toBe(true);
  });

  it('does not pair unrelated or equal names', () => {
    expect(isNicknamePair('bill', 'robert')).toBe(false);
    expect(isNicknamePair('william', 'william')).toBe(false);
    expect(isNicknamePair('zorro', 'william')).toBe(false);
  });
});
