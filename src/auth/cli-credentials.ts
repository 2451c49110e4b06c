/**
 * What `tessera token` and `tessera users` need, as a file the server writes into the embedded
 * database's folder at start (mode 0600). PGlite is single-process: a second process cannot open
 * the data folder while the server runs, so the command line reads this file instead. With
 * PostgreSQL the commands read the database and this file is never written.
 * The file holds a private signing key; it sits beside the database, which holds the same key,
 * so it adds no new exposure for anyone who can read the folder.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { JWK } from 'jose';
import type { AuthStore } from '../store/auth-store.js';
import { ownPatientId } from './consent.js';
import type { KeyRing } from './key-ring.js';

/** The file name inside the data folder. */
export const CLI_CREDENTIALS_FILE = 'cli-credentials.json';

/** A user the command line can mint tokens for. */
export interface CliUser {
  username: string;
  userId: string;
  role: string;
  displayName: string;
  fhirUser?: string;
  organization?: string;
  /** Patients a carer may act for. */
  proxyFor?: string[];
  demoPassword?: string;
}

/** The file's contents. */
export interface CliCredentials {
  issuer: string;
  audience: string;
  /** The active ES256 signing key (private JWK with `kid`). */
  signingKey: JWK;
  users: CliUser[];
}

/** Reads users (with proxy relationships) from the database in the file's shape. */
export async function cliUsers(store: AuthStore, now = new Date()): Promise<CliUser[]> {
  const out: CliUser[] = [];
  for (const u of await store.listUsers()) {
    const c: CliUser = { username: u.username, userId: u.id, role: u.role, displayName: u.displayName };
    if (u.fhirUser) c.fhirUser = u.fhirUser;
    if (u.organization) c.organization = u.organization;
    if (u.demoPassword) c.demoPassword = u.demoPassword;
    if (u.role === 'carer') c.proxyFor = (await store.listProxyRelationships(u.id, now)).map((r) => r.patientId);
    out.push(c);
  }
  return out;
}

/** Builds the file's contents from a running server's auth services. */
export async function snapshotCliCredentials(auth: { issuer: string; fhirBase: string; keys: KeyRing; store: AuthStore }): Promise<CliCredentials> {
  return { issuer: auth.issuer, audience: auth.fhirBase, signingKey: auth.keys.activePrivateJwk('ES256'), users: await cliUsers(auth.store) };
}

/** Writes the file atomically with owner-only permissions. */
export function writeCliCredentials(dataDir: string, creds: CliCredentials): string {
  const file = path.join(dataDir, CLI_CREDENTIALS_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(creds, null, 2), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return file;
}

/** Reads the file, if the server has written one. */
export function readCliCredentials(dataDir: string): CliCredentials | undefined {
  const file = path.join(dataDir, CLI_CREDENTIALS_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as CliCredentials;
}

/** The patient context a token for this user starts with: their own record, else the first they care for. */
export function defaultPatientFor(user: Pick<CliUser, 'fhirUser' | 'proxyFor' | 'role'>): string | undefined {
  if (user.role !== 'patient' && user.role !== 'carer') return undefined;
  return ownPatientId(user) ?? user.proxyFor?.[0];
}
