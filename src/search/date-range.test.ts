import { describe, expect, it } from 'vitest';
import { parseDateRange } from './date-range.js';

const iso = (r: { start: number; end: number } | undefined) =>
  r && [new Date(r.start).toISOString(), new Date(r.end).toISOString()];

describe('parseDateRange (https://hl7.org/fhir/R4/search.html#date)', () => {
  it.each([
    ['2020', '2020-01-01T00:00:00.000Z', '2021-01-01T00:00:00.000Z'],
    ['2020-02', '2020-02-01T00:00:00.000Z', '2020-03-01T00:00:00.000Z'],
    ['2020-12-31', '2020-12-31T00:00:00.000Z', '2021-01-01T00:00:00.000Z'],
    ['2020-03-04T10:00', '2020-03-04T10:00:00.000Z', '2020-03-04T10:01:00.000Z'],
    ['2020-03-04T10:00:05+01:00', '2020-03-04T09:00:05.000Z', '2020-03-04T09:00:06.000Z'],
    ['2020-03-04T10:00:05.5Z', '2020-03-04T10:00:05.500Z', '2020-03-04T10:00:05.600Z'],
    ['2020-03-04T10:00:05.123456Z', '2020-03-04T10:00:05.123Z', '2020-03-04T10:00:05.124Z'],
    ['0099-01-01', '0099-01-01T00:00:00.000Z', '0099-01-02T00:00:00.000Z'],
  ])('%s covers [%s, %s)', (text, start, end) => {
    expect(iso(parseDateRange(text))).toEqual([start, end]);
  });

  it.each(['2020-13', '2020-02-30', '20201', '2020-01-01T25:00', 'yesterday', '2020-01-01T10:00:61Z', ''])(
    'rejects %s',
    (text) => expect(parseDateRange(text)).toBeUndefined(),
  );
});
