import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importWaves } from './import-waves.js';

describe('importWaves', () => {
  const waves = (files: string[]) => importWaves(files, (f) => path.basename(f));

  it('loads the files of one generated number together, the shared directory and other files alone', () => {
    expect(waves(['g/0000-shared.json.gz', 'g/0001-gp-A99001.json.gz', 'g/0001-lab-R9A01.json.gz', 'g/0002-gp-A99001.json.gz', 'g/0002-trust-R9A.json.gz']))
      .toEqual([['g/0000-shared.json.gz'], ['g/0001-gp-A99001.json.gz', 'g/0001-lab-R9A01.json.gz'], ['g/0002-gp-A99001.json.gz', 'g/0002-trust-R9A.json.gz']]);
  });

  it('keeps the given order and never groups files that are not consecutive or not numbered', () => {
    expect(waves(['a.json', 'b.json'])).toEqual([['a.json'], ['b.json']]);
    expect(waves(['0001-gp.json', 'x.ndjson', '0001-lab.json'])).toEqual([['0001-gp.json'], ['x.ndjson'], ['0001-lab.json']]);
    expect(waves(['0001-gp.ndjson', '0001-lab.ndjson'])).toEqual([['0001-gp.ndjson'], ['0001-lab.ndjson']]);
  });
});
