import { protocol } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { bindMessage } from './pglite-statements.js';

describe('bindMessage', () => {
  // PGlite's own serializer is the reference: the same bytes, however the text is made.
  const cases: [string, (string | null)[]][] = [
    ['tessera_1', []],
    ['tessera_2', ['Patient', '', null, '42']],
    ['tessera_3', ['{"resourceType":"Patient","name":[{"family":"Ó Súilleabháin"}]}', 'Zoë', '日本語', '😀 emoji (astral plane)', '{"a\\\\b","c\\"d"}']],
    ['tessera_12', [null, null]],
    ['', ['x'.repeat(100_000), 'é'.repeat(50_001)]],
  ];
  for (const [statement, values] of cases) {
    it(`encodes ${values.length} values for ${statement || 'the unnamed statement'} exactly as PGlite does`, () => {
      expect(Buffer.from(bindMessage(statement, values)).equals(Buffer.from(protocol.serialize.bind({ statement, values })))).toBe(true);
    });
  }
});
