// Tests of `src/cli/generate-command.ts` (kept here, beside the generator it drives).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runGenerate } from './generate-command.js';
import type { Bundle } from '../fhir/types.js';
import { validateResource } from '../fhir/validation/index.js';
import type { GroundTruth } from '../generate/index.js';

const NOW = new Date('2025-06-01T00:00:00Z');
let dir: string;
let stdout: string[];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-generate-'));
  stdout = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const readBundle = (file: string) => JSON.parse(gunzipSync(readFileSync(path.join(dir, file))).toString('utf8')) as Bundle;

describe('runGenerate', () => {
  it('writes the shared bundle first, one bundle per source system per chunk of 100 people, and the ground truth', async () => {
    expect(await runGenerate({ patients: 130, seed: 4, out: dir, now: NOW })).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files[0]).toBe('0000-shared.json.gz');
    expect(files.at(-1)).toBe('ground-truth.json');
    const chunks = new Set(files.filter((f) => /^\d{4}-/.test(f)).map((f) => f.slice(0, 4)));
    expect([...chunks].sort()).toEqual(['0000', '0001', '0002']);
    expect(files.some((f) => /^0001-gp-A99\d{3}\.json\.gz$/.test(f))).toBe(true);
    expect(files.some((f) => /^0001-trust-R9[A-C]\.json\.gz$/.test(f))).toBe(true);
    expect(files.some((f) => /^0001-lab-R9[AB]0\d\.json\.gz$/.test(f))).toBe(true);

    let patients = 0;
    for (const f of files.filter((x) => x.endsWith('.json.gz'))) {
      const bundle = readBundle(f);
      expect(bundle.type).toBe('transaction');
      expect(validateResource(bundle)).toEqual([]);
      const key = f.slice(5, -'.json.gz'.length);
      if (key !== 'shared') for (const e of bundle.entry ?? []) expect(e.resource!.meta!.source).toBe(`https://tessera.example/systems/${key}`);
      patients += (bundle.entry ?? []).filter((e) => e.resource!.resourceType === 'Patient').length;
    }
    const truth = JSON.parse(readFileSync(path.join(dir, 'ground-truth.json'), 'utf8')) as GroundTruth;
    expect(truth.people.length).toBe(130);
    expect(truth.people.reduce((n, p) => n + p.records.length, 0)).toBe(patients);
    expect(stdout.join('')).toMatch(/Generated 130 patients \(seed 4, as of 2025-06-01\)/);
    expect(stdout.join('')).toMatch(/tessera import/);
  });

  it('writes byte-identical files for the same options', async () => {
    await runGenerate({ patients: 30, seed: 8, out: dir, now: NOW });
    const first = new Map(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f))]));
    await runGenerate({ patients: 30, seed: 8, out: dir, now: NOW });
    const second = readdirSync(dir);
    expect(second.sort()).toEqual([...first.keys()].sort());
    for (const f of second) expect(readFileSync(path.join(dir, f)).equals(first.get(f)!), f).toBe(true);
  });

  it('replaces its own earlier files, so a smaller run leaves no stale chunks', async () => {
    await runGenerate({ patients: 150, seed: 1, out: dir, now: NOW });
    await runGenerate({ patients: 20, seed: 1, out: dir, now: NOW });
    expect(readdirSync(dir).some((f) => f.startsWith('0002-'))).toBe(false);
  });

  it('passes the request style through: `id` writes PUT Type/id entries', async () => {
    expect(await runGenerate({ patients: 5, seed: 2, out: dir, now: NOW, requests: 'id' })).toBe(0);
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json.gz'))) {
      for (const e of readBundle(f).entry ?? []) expect(e.request!.url).toBe(`${e.resource!.resourceType}/${e.resource!.id}`);
    }
  });

  it('refuses a folder holding files it did not write, and bad options', async () => {
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    expect(await runGenerate({ patients: 5, seed: 1, out: dir, now: NOW })).toBe(1);
    expect(readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(await runGenerate({ patients: -3, seed: 1, out: path.join(dir, 'x'), now: NOW })).toBe(1);
    expect(stdout.join('')).toMatch(/choose an empty folder/);
    expect(stdout.join('')).toMatch(/patients must be a whole number/);
  });
});
