/**
 * `tessera token --system` / `tessera token --user NAME`: prints a bearer token signed with the
 * server's shared keys, for scripts and tests. `--system` gets `system/*.cruds`; a user gets the
 * usual scopes of their role and, for patients and carers, a patient in context.
 * Reads the database (PostgreSQL, or a stopped embedded server's folder) or, while an embedded
 * server is running, the credentials file it wrote into its data folder.
 */
import type { Config } from '../config/config.js';
import type { AuthConfig } from '../auth/auth-config.js';
import { cliUsers, defaultPatientFor, readCliCredentials, type CliUser } from '../auth/cli-credentials.js';
import { KeyRing } from '../auth/key-ring.js';
import { jwkSigner, mintAccessToken, type TokenSigner } from '../auth/mint-token.js';
import { audiencesFor, issuerFor, publicUrlFor } from '../auth/register-auth.js';
import { defaultScopeForRole } from '../auth/roles.js';
import { parseScopes } from '../auth/scopes.js';
import { AuthStore } from '../store/auth-store.js';
import type { Database, SqlClient } from '../store/database.js';
import { migrate } from '../store/migrate.js';
import { openPgliteDatabase } from '../store/pglite-database.js';
import { openPostgresDatabase } from '../store/postgres-database.js';

/** What to mint. */
export interface TokenOptions {
  /** A backend-service token with `system/*.cruds`. */
  system?: boolean;
  /** A token for this user (see `tessera users`). */
  user?: string;
  /** Patient in context (carers: one they may act for; staff: any patient id). */
  patient?: string;
  /** Scopes instead of the defaults. */
  scope?: string;
}

/** The settings the command uses (the lead's `Config` plus `auth`). */
export type TokenCommandConfig = Pick<Config, 'dataDir' | 'databaseUrl' | 'poolSize' | 'host' | 'port' | 'baseUrl'> & { auth: AuthConfig };

/** Where users and keys come from. */
export interface CliAuthSource {
  issuer: string;
  audience: string;
  signer: TokenSigner;
  users: CliUser[];
  close(): Promise<void>;
}

/** Opens the database (migrated) or, for a running embedded server, its credentials file. */
export async function openCliAuthSource(config: TokenCommandConfig): Promise<CliAuthSource> {
  if (!config.databaseUrl) {
    const creds = readCliCredentials(config.dataDir);
    if (creds) return { issuer: creds.issuer, audience: creds.audience, signer: jwkSigner(creds.signingKey), users: creds.users, close: async () => {} };
  }
  const db: Database = config.databaseUrl ? await openPostgresDatabase(config.databaseUrl, Math.min(config.poolSize, 2)) : await openPgliteDatabase(config.dataDir);
  try {
    await migrate(db);
    return await cliAuthSourceFromDb(db, publicUrlFor(config), () => db.close());
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** A source over an open database (keys are created if this is the first use). */
export async function cliAuthSourceFromDb(db: SqlClient, publicUrl: string, close: () => Promise<void> = async () => {}): Promise<CliAuthSource> {
  const store = new AuthStore(db);
  const keys = await KeyRing.open(store);
  return { issuer: issuerFor(publicUrl), audience: audiencesFor(publicUrl).fhirBase, signer: keys, users: await cliUsers(store), close };
}

/** Mints the token; throws a readable error for an unknown user or a bad scope. */
export async function mintCliToken(opts: TokenOptions, source: CliAuthSource, ttlSeconds: number): Promise<string> {
  if (!!opts.system === !!opts.user) throw new Error('give either --system or --user NAME');
  if (opts.scope !== undefined) {
    const parsed = parseScopes(opts.scope);
    if (parsed.invalid.length) throw new Error(parsed.invalid.map((e) => e.message).join('; '));
  }
  const base = { issuer: source.issuer, audience: source.audience, ttlSeconds };
  if (opts.system) {
    return mintAccessToken(source.signer, { ...base, clientId: 'tessera-cli', subject: 'tessera-cli', scope: opts.scope ?? 'system/*.cruds' });
  }
  const user = source.users.find((u) => u.username === opts.user!.toLowerCase());
  if (!user) throw new Error(`no user '${opts.user}' (tessera users lists them)`);
  const scope = (opts.scope ?? defaultScopeForRole(user.role)).split(' ').filter((s) => s !== 'launch/patient').join(' ');
  if (parseScopes(scope).scopes.some((s) => s.kind === 'resource' && s.context === 'system')) throw new Error('a user token cannot carry system/ scopes');
  let patient = opts.patient ?? defaultPatientFor(user);
  if (opts.patient && user.role === 'carer') {
    const allowed = [defaultPatientFor({ ...user, proxyFor: [] }), ...(user.proxyFor ?? [])];
    if (!allowed.includes(opts.patient)) throw new Error(`${user.username} has no proxy access to Patient/${opts.patient}`);
  }
  if (opts.patient && user.role === 'patient' && opts.patient !== defaultPatientFor(user)) throw new Error('a patient can only have their own record in context');
  return mintAccessToken(source.signer, {
    ...base, clientId: 'tessera-cli', subject: user.userId, scope, role: user.role,
    ...(user.fhirUser ? { fhirUser: `${source.audience}/${user.fhirUser}` } : {}),
    ...(user.organization ? { organization: user.organization } : {}),
    ...(patient ? { patient } : {}),
  });
}

/** `tessera token`: prints the token and a newline; exit code 0, or 1 with a message on stderr. */
export async function runToken(opts: TokenOptions, config: TokenCommandConfig, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const source = await openCliAuthSource(config);
  try {
    out.write(`${await mintCliToken(opts, source, config.auth.accessTokenTtl)}\n`);
    return 0;
  } catch (e) {
    err.write(`tessera token: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await source.close();
  }
}
