/**
 * Staff access decisions per person (`Visibility.forPerson`), as remembered between requests:
 * a care relationship is remembered for the cache's lifetime; access through breaking the glass
 * never outlives the grant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, openTestDatabase } from '../../test/support/test-store.js';
import type { Database } from './database.js';
import { migrate } from './migrate.js';
import { NOTHING, visibilityFor, type DecisionCache, type PersonDecision } from './access-sql.js';
import { TtlCache } from './ttl-cache.js';

const policy = { kind: 'staff', grantees: ['Practitioner/dr-a', 'Organization/practice-a'], subject: 'issuer|dr-a' } as const;

/** A decision cache on a clock the test moves. */
function cacheAt(clock: { now: number }, ttlMs: number): DecisionCache & { cache: TtlCache<PersonDecision> } {
  const cache = new TtlCache<PersonDecision>(ttlMs);
  return { cache, get: (k) => cache.get(k, clock.now), set: (k, d) => cache.set(k, d, clock.now, d.until) };
}

describe.each(ENGINES)('staff decisions per person on %s', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(engine);
    await migrate(db);
    // p-cared is registered at the practice (an access row, as the store writes for Patient.generalPractitioner).
    await db.query(`INSERT INTO search_token (resource_type, id, patient_id, param, system, code) VALUES ('Patient', 'p-cared', 'p-cared', '_access:grantee', 'registered', 'Organization/practice-a')`);
  });
  afterAll(async () => db.close());

  it('remembers a care relationship for the cache lifetime', async () => {
    const clock = { now: Date.now() };
    const visible = visibilityFor(policy, cacheAt(clock, 60_000));
    expect(await visible.forPerson!(db, ['p-cared'])).not.toBe(NOTHING);
    await db.query(`DELETE FROM search_token WHERE id = 'p-cared' AND param = '_access:grantee'`);
    clock.now += 30_000;
    // Still remembered (a change made through Tessera clears the cache; this one went behind its back).
    expect(await visible.forPerson!(db, ['p-cared'])).not.toBe(NOTHING);
  });

  it('forgets access through breaking the glass when the grant ends, however long the cache lives', async () => {
    const clock = { now: Date.now() };
    const decisions = cacheAt(clock, 60_000);
    const visible = visibilityFor(policy, decisions);
    expect(await visible.forPerson!(db, ['p-glass'])).toBe(NOTHING);
    await db.query(`INSERT INTO break_glass_grants (patient_id, subject, granted_at, expires_at, reason) VALUES ('p-glass', $1, now(), now() + interval '10 seconds', 'Unconscious in A&E')`, [policy.subject]);
    decisions.cache.clear(); // as $break-glass does (AccessResolver.forget)
    expect(await visible.forPerson!(db, ['p-glass'])).not.toBe(NOTHING);
    // The grant is remembered only until it ends: 11 s on, the decision is made again.
    await db.query(`DELETE FROM break_glass_grants WHERE patient_id = 'p-glass'`);
    clock.now += 11_000;
    expect(await visible.forPerson!(db, ['p-glass'])).toBe(NOTHING);
  });
});
