import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONLINE_LEVEL_EXTENSION, onlineLevelOf } from '../access/online-level.js';
import { createStore } from '../main.js';
import type { Database } from '../store/database.js';
import { openTestDatabase } from '../../test/support/test-store.js';
import { setDemoOnlineLevel } from './demo-access-level.js';

describe('the demo patient whose practice lowered their online access', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase('pglite');
  });
  afterAll(async () => db?.close());

  it('gets the level on their Patient once, keeping what else it carries', async () => {
    const store = createStore(db);
    await store.update({ resourceType: 'Patient', id: 'p2', extension: [{ url: 'https://example.org/other', valueString: 'x' }] } as never);
    await setDemoOnlineLevel(store, 'p2', 'detailed-coded');
    await setDemoOnlineLevel(store, 'p2', 'detailed-coded');
    const v = (await store.readCurrent('Patient', 'p2'))!;
    const p = JSON.parse(v.json);
    expect(onlineLevelOf(p)).toBe('detailed-coded');
    expect(p.extension.filter((e: { url: string }) => e.url === ONLINE_LEVEL_EXTENSION)).toHaveLength(1);
    expect(p.extension).toContainEqual({ url: 'https://example.org/other', valueString: 'x' });
    expect(v.versionId).toBe(2);
    await setDemoOnlineLevel(store, 'missing', 'summary');
  });
});
