/**
 * Official R4 (4.0.1) examples of many resource types must be structurally valid: a check that
 * the validator does not reject real, correct FHIR (false positives are what block writes).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateResource } from './index.js';

const FIXTURES = new URL('../../../test/fixtures/r4-examples/', import.meta.url);
const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();

describe('official R4 examples', () => {
  it('are there, of many types', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
    const types = new Set(files.map((f) => f.split('-')[0]));
    expect(types.size).toBeGreaterThanOrEqual(30);
  });

  it.each(files)('%s is valid', (file) => {
    const resource: unknown = JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8'));
    expect(validateResource(resource)).toEqual([]);
  });
});
