/** `AuthStore` contract, on both engines. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import { AuthStore } from './auth-store.js';
import { ENGINES, openTestDatabase } from '../../test/support/test-store.js';

describe.each(ENGINES)('AuthStore (%s)', (engine) => {
  let db: Database;
  let store: AuthStore;

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    store = new AuthStore(db);
  });
  afterAll(async () => db?.close());

  describe('oidc-provider artefacts', () => {
    it('upserts, finds, and replaces a payload', async () => {
      await store.oidcUpsert('Session', 's1', { jti: 's1', uid: 'u1', accountId: 'a' }, 3600);
      expect(await store.oidcFind('Session', 's1')).toEqual({ jti: 's1', uid: 'u1', accountId: 'a' });
      expect(await store.oidcFindByUid('Session', 'u1')).toMatchObject({ jti: 's1' });
      await store.oidcUpsert('Session', 's1', { jti: 's1', uid: 'u2', accountId: 'b' }, 3600);
      expect(await store.oidcFindByUid('Session', 'u1')).toBeUndefined();
      expect(await store.oidcFind('Session', 's1')).toMatchObject({ accountId: 'b' });
      // Models are separate namespaces.
      expect(await store.oidcFind('Grant', 's1')).toBeUndefined();
    });

    it('finds by user code', async () => {
      await store.oidcUpsert('DeviceCode', 'd1', { userCode: 'ABCD-EFGH' }, 600);
      expect(await store.oidcFindByUserCode('DeviceCode', 'ABCD-EFGH')).toMatchObject({ userCode: 'ABCD-EFGH' });
    });

    it('hides expired artefacts and deletes them on cleanup', async () => {
      await store.oidcUpsert('AuthorizationCode', 'old', { grantId: 'g0' }, 1);
      await db.query(`UPDATE oidc_payloads SET expires_at = now() - interval '1 minute' WHERE id = 'old'`);
      expect(await store.oidcFind('AuthorizationCode', 'old')).toBeUndefined();
      expect(await store.deleteExpired(new Date(), 900)).toBeGreaterThanOrEqual(1);
      expect((await db.query(`SELECT 1 FROM oidc_payloads WHERE id = 'old'`)).rows).toHaveLength(0);
    });

    it('keeps an artefact without expiry (a registered client)', async () => {
      await store.oidcUpsert('Client', 'app', { client_id: 'app' });
      expect(await store.oidcFind('Client', 'app')).toEqual({ client_id: 'app' });
    });

    it('consumes once: the second consume of the same code reports it was already used', async () => {
      await store.oidcUpsert('AuthorizationCode', 'c1', { grantId: 'g1' }, 60);
      const results = await Promise.all([store.oidcConsume('AuthorizationCode', 'c1'), store.oidcConsume('AuthorizationCode', 'c1')]);
      expect(results.sort()).toEqual([false, true]);
      const found = await store.oidcFind('AuthorizationCode', 'c1');
      expect(typeof found?.consumed).toBe('number');
    });

    it('revokes everything of a model issued from a grant', async () => {
      await store.oidcUpsert('RefreshToken', 'r1', { grantId: 'g2' }, 60);
      await store.oidcUpsert('RefreshToken', 'r2', { grantId: 'g2' }, 60);
      await store.oidcUpsert('RefreshToken', 'r3', { grantId: 'other' }, 60);
      await store.oidcUpsert('AuthorizationCode', 'c2', { grantId: 'g2' }, 60);
      await store.oidcRevokeByGrantId('RefreshToken', 'g2');
      expect(await store.oidcFind('RefreshToken', 'r1')).toBeUndefined();
      expect(await store.oidcFind('RefreshToken', 'r2')).toBeUndefined();
      expect(await store.oidcFind('RefreshToken', 'r3')).toBeDefined();
      expect(await store.oidcFind('AuthorizationCode', 'c2')).toBeDefined();
      await store.oidcDestroy('RefreshToken', 'r3');
      expect(await store.oidcFind('RefreshToken', 'r3')).toBeUndefined();
    });
  });

  describe('users and proxy access', () => {
    it('creates users with case-insensitive unique usernames', async () => {
      expect(await store.createUser({ id: 'u-1', username: 'Carol', displayName: 'Carol C', role: 'carer', passwordHash: 'h', fhirUser: 'Patient/c' })).toBe(true);
      expect(await store.createUser({ id: 'u-2', username: 'carol', displayName: 'Other', role: 'patient', passwordHash: 'h' })).toBe(false);
      expect(await store.findUserByUsername('CAROL')).toMatchObject({ id: 'u-1', username: 'carol', role: 'carer', fhirUser: 'Patient/c', disabled: false });
      expect(await store.findUserById('u-1')).toMatchObject({ displayName: 'Carol C' });
      await store.setPasswordHash('u-1', 'h2');
      expect((await store.findUserById('u-1'))?.passwordHash).toBe('h2');
    });

    it('lists only demo users when asked', async () => {
      await store.createUser({ id: 'u-3', username: 'demo-gp', displayName: 'Dr Demo', role: 'gp', passwordHash: 'h', demoPassword: 'abcd-efgh' });
      expect((await store.listUsers({ demoOnly: true })).map((u) => u.username)).toEqual(['demo-gp']);
      expect((await store.listUsers()).map((u) => u.username)).toEqual(['carol', 'demo-gp']);
    });

    it('keeps proxy relationships with validity periods', async () => {
      const now = new Date('2026-01-01T00:00:00Z');
      await store.setProxyRelationship({ carerUserId: 'u-1', patientId: 'child', permissions: ['record', 'appointments'] });
      await store.setProxyRelationship({ carerUserId: 'u-1', patientId: 'expired', permissions: ['record'], validTo: new Date('2025-06-01T00:00:00Z') });
      await store.setProxyRelationship({ carerUserId: 'u-1', patientId: 'future', permissions: ['record'], validFrom: new Date('2027-01-01T00:00:00Z') });
      expect(await store.listProxyRelationships('u-1', now)).toEqual([{ carerUserId: 'u-1', patientId: 'child', permissions: ['record', 'appointments'] }]);
      await store.setProxyRelationship({ carerUserId: 'u-1', patientId: 'child', permissions: ['record'] });
      expect((await store.listProxyRelationships('u-1', now))[0]?.permissions).toEqual(['record']);
    });
  });

  describe('keys and secrets', () => {
    it('keeps one active key per algorithm when two nodes race to create it', async () => {
      const [a, b] = await Promise.all([
        store.ensureSigningKey({ kid: 'k-a', alg: 'ES256', privateJwk: { kty: 'EC', kid: 'k-a' } }),
        store.ensureSigningKey({ kid: 'k-b', alg: 'ES256', privateJwk: { kty: 'EC', kid: 'k-b' } }),
      ]);
      expect(a.filter((k) => k.alg === 'ES256' && k.active)).toHaveLength(1);
      expect(b.filter((k) => k.alg === 'ES256' && k.active)).toHaveLength(1);
      expect(await store.hasActiveSigningKey('ES256')).toBe(true);
      expect(await store.hasActiveSigningKey('RS256')).toBe(false);
      expect((await store.listSigningKeys())[0]?.privateJwk).toMatchObject({ kty: 'EC' });
    });

    it('returns the first stored secret to every caller', async () => {
      const [x, y] = await Promise.all([store.ensureSecret('cookie', 'first'), store.ensureSecret('cookie', 'second')]);
      expect(x).toBe(y);
      expect(await store.ensureSecret('cookie', 'third')).toBe(x);
    });
  });

  describe('failed sign-ins', () => {
    it('counts failures in a window and restarts the window after it ends', async () => {
      const t0 = new Date('2026-02-01T10:00:00Z');
      expect(await store.recordLoginFailure('Ann', '10.0.0.1', t0, 900)).toEqual({ failures: 1, windowStartedAt: t0 });
      expect((await store.recordLoginFailure('ann', '10.0.0.1', new Date(t0.getTime() + 60_000), 900)).failures).toBe(2);
      expect((await store.getLoginFailures('ANN', '10.0.0.1'))?.failures).toBe(2);
      expect(await store.getLoginFailures('ann', '10.0.0.2')).toBeUndefined();
      const later = new Date(t0.getTime() + 901_000);
      expect(await store.recordLoginFailure('ann', '10.0.0.1', later, 900)).toEqual({ failures: 1, windowStartedAt: later });
      await store.clearLoginFailures('ann', '10.0.0.1');
      expect(await store.getLoginFailures('ann', '10.0.0.1')).toBeUndefined();
    });

    it('counts concurrent failures exactly', async () => {
      const t0 = new Date('2026-02-01T11:00:00Z');
      await Promise.all(Array.from({ length: 8 }, () => store.recordLoginFailure('bob', '10.0.0.9', t0, 900)));
      expect((await store.getLoginFailures('bob', '10.0.0.9'))?.failures).toBe(8);
    });
  });

  describe('launch context', () => {
    it('stores the patient chosen for a grant', async () => {
      await store.setLaunchContext('grant-1', 'pat-1', new Date(Date.now() + 60_000));
      expect(await store.getLaunchContext('grant-1')).toEqual({ patientId: 'pat-1' });
      await store.setLaunchContext('grant-1', 'pat-2', new Date(Date.now() + 60_000));
      expect(await store.getLaunchContext('grant-1')).toEqual({ patientId: 'pat-2' });
      expect(await store.getLaunchContext('grant-x')).toBeUndefined();
    });
  });
});
