import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthStore } from '../store/auth-store.js';
import type { Database } from '../store/database.js';
import { LoginThrottle } from './login-throttle.js';
import { ENGINES, openTestDatabase } from '../../test/support/test-store.js';

describe.each(ENGINES)('LoginThrottle (%s)', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(engine);
  });
  afterAll(async () => db?.close());

  it('blocks after max failures until the window ends, per username and IP, shared by every node', async () => {
    let now = new Date('2026-04-01T09:00:00Z');
    const opts = { maxFailures: 3, windowSeconds: 600, now: () => now };
    const nodeA = new LoginThrottle(new AuthStore(db), opts);
    const nodeB = new LoginThrottle(new AuthStore(db), opts);
    await nodeA.recordFailure('Dana', '10.0.0.5');
    await nodeB.recordFailure('dana', '10.0.0.5');
    expect(await nodeA.check('dana', '10.0.0.5')).toEqual({ isAllowed: true });
    await nodeA.recordFailure('dana ', '10.0.0.5');
    expect(await nodeB.check('DANA', '10.0.0.5')).toEqual({ isAllowed: false, retryAfterSeconds: 600 });
    expect(await nodeB.check('dana', '10.0.0.6')).toEqual({ isAllowed: true });
    now = new Date(now.getTime() + 599_000);
    expect(await nodeA.check('dana', '10.0.0.5')).toEqual({ isAllowed: false, retryAfterSeconds: 1 });
    now = new Date(now.getTime() + 1_000);
    expect(await nodeA.check('dana', '10.0.0.5')).toEqual({ isAllowed: true });
    // A new failure after the window starts a new count.
    await nodeA.recordFailure('dana', '10.0.0.5');
    expect(await nodeA.check('dana', '10.0.0.5')).toEqual({ isAllowed: true });
    await nodeA.recordSuccess('dana', '10.0.0.5');
    expect(await new AuthStore(db).getLoginFailures('dana', '10.0.0.5')).toBeUndefined();
  });
});
