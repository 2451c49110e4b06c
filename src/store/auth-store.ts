/**
 * Storage for sign-in and tokens (`src/auth`): oidc-provider's artefacts, users, proxy
 * relationships, signing keys, shared secrets, failed-login counters and launch contexts. Shared
 * by every app node through the database; nothing here is cached in memory.
 * Schema: `migrations/0006-auth.sql`.
 */
import type { SqlClient } from './database.js';

/** One oidc-provider artefact as the library hands it to its adapter. */
export interface OidcPayload {
  [key: string]: unknown;
  grantId?: string;
  uid?: string;
  userCode?: string;
  consumed?: number;
}

/** A user who signs in to Tessera. */
export interface AuthUser {
  id: string;
  username: string;
  displayName: string;
  role: string;
  passwordHash: string;
  /** Relative reference to the user's own FHIR resource, e.g. `Patient/123`, `Practitioner/9`. */
  fhirUser?: string;
  /** Relative reference to the user's organisation, e.g. `Organization/42`. */
  organization?: string;
  /** Plain-text password, for demo users only. */
  demoPassword?: string;
  disabled: boolean;
}

/** A carer's proxy access to a patient. */
export interface ProxyRelationship {
  carerUserId: string;
  patientId: string;
  permissions: string[];
  validFrom?: Date;
  validTo?: Date;
}

/** A stored signing key. */
export interface StoredSigningKey {
  kid: string;
  alg: string;
  privateJwk: Record<string, unknown>;
  active: boolean;
}

/** The failed-login counter for one (username, IP). */
export interface LoginFailures {
  failures: number;
  windowStartedAt: Date;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: string;
  password_hash: string;
  fhir_user: string | null;
  organization: string | null;
  demo_password: string | null;
  disabled: boolean;
}

const USER_COLUMNS = 'id, username, display_name, role, password_hash, fhir_user, organization, demo_password, disabled';

function toUser(r: UserRow): AuthUser {
  const u: AuthUser = { id: r.id, username: r.username, displayName: r.display_name, role: r.role, passwordHash: r.password_hash, disabled: r.disabled };
  if (r.fhir_user) u.fhirUser = r.fhir_user;
  if (r.organization) u.organization = r.organization;
  if (r.demo_password) u.demoPassword = r.demo_password;
  return u;
}

function toDate(v: unknown): Date {
  return v instanceof Date ? v : new Date(String(v));
}

function asObject(v: unknown): Record<string, unknown> {
  return (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;
}

/** Data access for `src/auth`. Every statement binds its values as parameters. */
export class AuthStore {
  constructor(readonly db: SqlClient) {}

  // ---- oidc-provider artefacts -------------------------------------------------------------

  /** Inserts or replaces an artefact; `expiresInSeconds` undefined means no expiry. */
  async oidcUpsert(model: string, id: string, payload: OidcPayload, expiresInSeconds?: number): Promise<void> {
    await this.db.query(
      `INSERT INTO oidc_payloads (model, id, payload, grant_id, uid, user_code, consumed_at, expires_at)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6, NULL, CASE WHEN $7::integer IS NULL THEN NULL ELSE now() + make_interval(secs => $7::integer) END)
       ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, uid = EXCLUDED.uid,
         user_code = EXCLUDED.user_code, consumed_at = NULL, expires_at = EXCLUDED.expires_at`,
      [model, id, JSON.stringify(payload), payload.grantId ?? null, payload.uid ?? null, payload.userCode ?? null, expiresInSeconds ?? null],
    );
  }

  private async findWhere(model: string, column: 'id' | 'uid' | 'user_code', value: string): Promise<OidcPayload | undefined> {
    const res = await this.db.query<{ payload: unknown; consumed: string | number | null }>(
      `SELECT payload, floor(extract(epoch FROM consumed_at)) AS consumed FROM oidc_payloads
       WHERE model = $1 AND ${column} = $2 AND (expires_at IS NULL OR expires_at > now())`,
      [model, value],
    );
    const row = res.rows[0];
    if (!row) return undefined;
    const payload = asObject(row.payload) as OidcPayload;
    if (row.consumed !== null) payload.consumed = Number(row.consumed);
    return payload;
  }

  /** The unexpired artefact with this id. */
  oidcFind(model: string, id: string): Promise<OidcPayload | undefined> {
    return this.findWhere(model, 'id', id);
  }

  /** The unexpired artefact (a Session) with this uid. */
  oidcFindByUid(model: string, uid: string): Promise<OidcPayload | undefined> {
    return this.findWhere(model, 'uid', uid);
  }

  /** The unexpired artefact (a DeviceCode) with this user code. */
  oidcFindByUserCode(model: string, userCode: string): Promise<OidcPayload | undefined> {
    return this.findWhere(model, 'user_code', userCode);
  }

  /**
   * Marks a one-time artefact (authorization code, rotated refresh token) used. Returns false
   * when it was already used: the check and the mark are one statement, so two nodes redeeming
   * the same code at once cannot both succeed.
   */
  async oidcConsume(model: string, id: string): Promise<boolean> {
    const res = await this.db.query('UPDATE oidc_payloads SET consumed_at = now() WHERE model = $1 AND id = $2 AND consumed_at IS NULL', [model, id]);
    return res.rowCount > 0;
  }

  /** Deletes one artefact. */
  async oidcDestroy(model: string, id: string): Promise<void> {
    await this.db.query('DELETE FROM oidc_payloads WHERE model = $1 AND id = $2', [model, id]);
  }

  /** Deletes every artefact of `model` issued from a grant. */
  async oidcRevokeByGrantId(model: string, grantId: string): Promise<void> {
    await this.db.query('DELETE FROM oidc_payloads WHERE model = $1 AND grant_id = $2', [model, grantId]);
  }

  /** Deletes expired artefacts, launch contexts and stale login counters; returns the rows removed. */
  async deleteExpired(now: Date, loginWindowSeconds: number): Promise<number> {
    const a = await this.db.query('DELETE FROM oidc_payloads WHERE expires_at IS NOT NULL AND expires_at < $1', [now]);
    const b = await this.db.query('DELETE FROM auth_launch_contexts WHERE expires_at < $1', [now]);
    const c = await this.db.query(`DELETE FROM auth_login_failures WHERE window_started_at < $1::timestamptz - make_interval(secs => $2::integer)`, [now, loginWindowSeconds]);
    return a.rowCount + b.rowCount + c.rowCount;
  }

  // ---- users ---------------------------------------------------------------------------------

  /** Creates a user; returns false when the username is taken (the existing user is unchanged). */
  async createUser(u: Omit<AuthUser, 'disabled'> & { disabled?: boolean }): Promise<boolean> {
    const res = await this.db.query(
      `INSERT INTO auth_users (id, username, display_name, role, password_hash, fhir_user, organization, demo_password, disabled)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (username) DO NOTHING`,
      [u.id, u.username.toLowerCase(), u.displayName, u.role, u.passwordHash, u.fhirUser ?? null, u.organization ?? null, u.demoPassword ?? null, u.disabled ?? false],
    );
    return res.rowCount > 0;
  }

  /** Replaces a user's password hash (e.g. re-hashed with stronger parameters at sign-in). */
  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.db.query('UPDATE auth_users SET password_hash = $2 WHERE id = $1', [userId, passwordHash]);
  }

  async findUserById(id: string): Promise<AuthUser | undefined> {
    const res = await this.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM auth_users WHERE id = $1`, [id]);
    return res.rows[0] ? toUser(res.rows[0]) : undefined;
  }

  /** Usernames are case-insensitive. */
  async findUserByUsername(username: string): Promise<AuthUser | undefined> {
    const res = await this.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM auth_users WHERE username = $1`, [username.toLowerCase()]);
    return res.rows[0] ? toUser(res.rows[0]) : undefined;
  }

  /** All users, or only the demo users, by username. */
  async listUsers(opts: { demoOnly?: boolean } = {}): Promise<AuthUser[]> {
    const res = await this.db.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM auth_users ${opts.demoOnly ? 'WHERE demo_password IS NOT NULL' : ''} ORDER BY username`,
    );
    return res.rows.map(toUser);
  }

  // ---- proxy access --------------------------------------------------------------------------

  /** Grants (or changes) a carer's proxy access to a patient. */
  async setProxyRelationship(r: ProxyRelationship): Promise<void> {
    await this.db.query(
      `INSERT INTO auth_proxy_relationships (carer_user_id, patient_id, permissions, valid_from, valid_to) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (carer_user_id, patient_id) DO UPDATE SET permissions = EXCLUDED.permissions, valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to`,
      [r.carerUserId, r.patientId, r.permissions.join(' '), r.validFrom ?? null, r.validTo ?? null],
    );
  }

  /** A carer's relationships that are in force at `now`. */
  async listProxyRelationships(carerUserId: string, now: Date): Promise<ProxyRelationship[]> {
    const res = await this.db.query<{ carer_user_id: string; patient_id: string; permissions: string; valid_from: unknown; valid_to: unknown }>(
      `SELECT carer_user_id, patient_id, permissions, valid_from, valid_to FROM auth_proxy_relationships
       WHERE carer_user_id = $1 AND (valid_from IS NULL OR valid_from <= $2) AND (valid_to IS NULL OR valid_to > $2)
       ORDER BY patient_id`,
      [carerUserId, now],
    );
    return res.rows.map((r) => {
      const out: ProxyRelationship = { carerUserId: r.carer_user_id, patientId: r.patient_id, permissions: r.permissions.split(' ').filter(Boolean) };
      if (r.valid_from) out.validFrom = toDate(r.valid_from);
      if (r.valid_to) out.validTo = toDate(r.valid_to);
      return out;
    });
  }

  // ---- keys and secrets ----------------------------------------------------------------------

  /**
   * Stores `candidate` as the active key for its algorithm unless one exists already (another
   * node may have won the race), then returns every stored key.
   */
  async ensureSigningKey(candidate: { kid: string; alg: string; privateJwk: Record<string, unknown> }): Promise<StoredSigningKey[]> {
    await this.db.query(
      `INSERT INTO auth_signing_keys (kid, alg, private_jwk, active) VALUES ($1, $2, $3::jsonb, true)
       ON CONFLICT (alg) WHERE active DO NOTHING`,
      [candidate.kid, candidate.alg, JSON.stringify(candidate.privateJwk)],
    );
    return this.listSigningKeys();
  }

  /** True when an active key exists for `alg`. */
  async hasActiveSigningKey(alg: string): Promise<boolean> {
    const res = await this.db.query('SELECT 1 FROM auth_signing_keys WHERE alg = $1 AND active', [alg]);
    return res.rows.length > 0;
  }

  /** Every stored key, active ones first, newest first. */
  async listSigningKeys(): Promise<StoredSigningKey[]> {
    const res = await this.db.query<{ kid: string; alg: string; private_jwk: unknown; active: boolean }>(
      'SELECT kid, alg, private_jwk, active FROM auth_signing_keys ORDER BY active DESC, created_at DESC, kid',
    );
    return res.rows.map((r) => ({ kid: r.kid, alg: r.alg, privateJwk: asObject(r.private_jwk), active: r.active }));
  }

  /** The secret called `name`, storing `candidate` first if there is none yet. */
  async ensureSecret(name: string, candidate: string): Promise<string> {
    await this.db.query('INSERT INTO auth_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, candidate]);
    const res = await this.db.query<{ value: string }>('SELECT value FROM auth_secrets WHERE name = $1', [name]);
    return res.rows[0]!.value;
  }

  // ---- failed-login throttling ---------------------------------------------------------------

  /** The failure counter for (username, ip), if any. */
  async getLoginFailures(username: string, ip: string): Promise<LoginFailures | undefined> {
    const res = await this.db.query<{ failures: number; window_started_at: unknown }>(
      'SELECT failures, window_started_at FROM auth_login_failures WHERE username = $1 AND ip = $2',
      [username.toLowerCase(), ip],
    );
    const r = res.rows[0];
    return r ? { failures: Number(r.failures), windowStartedAt: toDate(r.window_started_at) } : undefined;
  }

  /**
   * Counts one failure at `now`, starting a new window when the current one began more than
   * `windowSeconds` ago. Atomic, so concurrent failures on several nodes are all counted.
   */
  async recordLoginFailure(username: string, ip: string, now: Date, windowSeconds: number): Promise<LoginFailures> {
    const res = await this.db.query<{ failures: number; window_started_at: unknown }>(
      `INSERT INTO auth_login_failures AS f (username, ip, failures, window_started_at) VALUES ($1, $2, 1, $3)
       ON CONFLICT (username, ip) DO UPDATE SET
         failures = CASE WHEN f.window_started_at <= $3::timestamptz - make_interval(secs => $4::integer) THEN 1 ELSE f.failures + 1 END,
         window_started_at = CASE WHEN f.window_started_at <= $3::timestamptz - make_interval(secs => $4::integer) THEN $3 ELSE f.window_started_at END
       RETURNING failures, window_started_at`,
      [username.toLowerCase(), ip, now, windowSeconds],
    );
    const r = res.rows[0]!;
    return { failures: Number(r.failures), windowStartedAt: toDate(r.window_started_at) };
  }

  /** Forgets the failures for (username, ip) after a successful sign-in. */
  async clearLoginFailures(username: string, ip: string): Promise<void> {
    await this.db.query('DELETE FROM auth_login_failures WHERE username = $1 AND ip = $2', [username.toLowerCase(), ip]);
  }

  // ---- launch context ------------------------------------------------------------------------

  /** Records the patient chosen for a grant. */
  async setLaunchContext(grantId: string, patientId: string, expiresAt: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO auth_launch_contexts (grant_id, patient_id, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (grant_id) DO UPDATE SET patient_id = EXCLUDED.patient_id, expires_at = EXCLUDED.expires_at`,
      [grantId, patientId, expiresAt],
    );
  }

  /** The patient chosen for a grant, if any. */
  async getLaunchContext(grantId: string): Promise<{ patientId: string } | undefined> {
    const res = await this.db.query<{ patient_id: string }>('SELECT patient_id FROM auth_launch_contexts WHERE grant_id = $1', [grantId]);
    return res.rows[0] ? { patientId: res.rows[0].patient_id } : undefined;
  }
}
