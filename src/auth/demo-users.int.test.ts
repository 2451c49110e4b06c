/**
 * Demo users picked from real Synthea demo bundles, seeded idempotently, listed by
 * `tessera users`, and given tokens by `tessera token` — on both engines.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../main.js';
import { parseSearch } from '../search/parse-search.js';
import { demoDir } from '../cli/demo-data.js';
import { importFile } from '../cli/import-files.js';
import { cliAuthSourceFromDb, mintCliToken, runToken } from '../cli/token-command.js';
import { demoUsersOf, runUsers } from '../cli/users-command.js';
import type { Database } from '../store/database.js';
import { AuthStore } from '../store/auth-store.js';
import type { FhirStore } from '../store/fhir-store.js';
import { loadAuthConfig } from './auth-config.js';
import { cliUsers, readCliCredentials, snapshotCliCredentials, writeCliCredentials } from './cli-credentials.js';
import { formatDemoUsers, listDemoUsers, pickDemoIdentities, seedDemoUsers } from './demo-users.js';
import { KeyRing } from './key-ring.js';
import { verifyPassword } from './passwords.js';
import { createTokenVerifier } from './verify-token.js';
import { ENGINES, openTestDatabase } from '../../test/support/test-store.js';

const FILES = [
  'practitionerInformation1559319163815.json.gz',
  'hospitalInformation1559319163815.json.gz',
  'Agustin_Fonseca_cb5696d9-a0de-4f49-94f9-433f96a28eb0.json.gz', // adult
  'Alberto_Atencio_fc712d1f-5a2e-4407-9c55-a2a2bad623c2.json.gz', // adult
  'Alfreda_Wyman_3287b938-4670-47eb-91e5-e0ce3df71405.json.gz', // adult
  'Luigi_Wiegand_e27d88b0-c5e5-4042-ad49-184f6a900ee3.json.gz', // born 2020
];
const PUBLIC_URL = 'http://localhost:8080';

function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } }) as Writable & { text: () => string };
  w.text = () => chunks.join('');
  return w;
}

describe.each(ENGINES)('demo users (%s)', (engine) => {
  let db: Database;
  let store: FhirStore;
  /** Ids assigned on import: the three adults in id order, and the child. */
  let adults: string[];
  let child: string;

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    store = createStore(db);
    for (const f of FILES) {
      const res = await importFile(store, path.join(demoDir(), f), `${PUBLIC_URL}/fhir`);
      expect(res.error).toBeUndefined();
    }
    const idOf = async (family: string) => (await store.search(parseSearch(store.registry, 'Patient', [['family', family]]))).matches[0]!.id;
    adults = (await Promise.all(['Fonseca', 'Atencio', 'Wyman'].map(idOf))).sort();
    child = await idOf('Wiegand');
  });
  afterAll(async () => db?.close());

  it('picks living adults, a child under 11 for the carer, practitioners and organisations', async () => {
    const ids = await pickDemoIdentities(store, new Date('2026-06-01T00:00:00Z'));
    expect(ids?.patients.map((p) => p.id)).toEqual(adults.slice(0, 2));
    expect(ids?.carer?.id).toBe(adults[2]);
    expect(ids?.proxyFor.map((p) => p.id)).toEqual([child]);
    expect(ids?.patients[0]?.name).toMatch(/^\p{Lu}\p{Ll}+ \p{Lu}\p{Ll}+$/u);
    expect(ids?.gp?.id).toEqual(expect.any(String));
    expect(ids?.hospitalDoctor?.id).not.toBe(ids?.gp?.id);
    expect(ids?.gpPractice?.id).toEqual(expect.any(String));
  });

  it('seeds every role once, with working random passwords, and keeps them on a second run', async () => {
    const ids = (await pickDemoIdentities(store, new Date('2026-06-01T00:00:00Z')))!;
    const users = await seedDemoUsers(db, ids);
    expect(users.map((u) => [u.username, u.role])).toEqual([
      ['admin', 'practice-admin'], ['carer', 'carer'], ['doctor', 'hospital-doctor'], ['gp', 'gp'], ['patient', 'patient'], ['patient2', 'patient'],
    ]);
    expect(users.find((u) => u.username === 'carer')?.proxyFor).toEqual([`Patient/${child}`]);
    const patient = users.find((u) => u.username === 'patient')!;
    const stored = await new AuthStore(db).findUserByUsername('patient');
    expect(await verifyPassword(patient.password, stored!.passwordHash)).toBe(true);
    expect(stored!.passwordHash).not.toContain(patient.password);
    const again = await seedDemoUsers(db, ids);
    expect(again.map((u) => u.password)).toEqual(users.map((u) => u.password));
    expect(formatDemoUsers(await listDemoUsers(db))).toMatch(/^username\s+password\s+role\s+name\s+record\nadmin\s/);
  });

  it('tessera token --system / --user mint tokens the server accepts', async () => {
    const source = await cliAuthSourceFromDb(db, PUBLIC_URL);
    const verify = createTokenVerifier({ issuer: `${PUBLIC_URL}/oauth2`, audience: `${PUBLIC_URL}/fhir`, keys: await KeyRing.open(new AuthStore(db)) });

    const system = await verify(await mintCliToken({ system: true }, source, 3600));
    expect(system).toMatchObject({ kind: 'system', clientId: 'tessera-cli', scope: 'system/*.cruds' });

    const gp = await verify(await mintCliToken({ user: 'GP' }, source, 3600));
    expect(gp).toMatchObject({ kind: 'practitioner', role: 'gp', scope: 'user/*.cruds' });
    expect(gp.fhirUser).toMatch(/^Practitioner\//);
    expect(gp.organization).toMatch(/^Organization\//);

    const patient = await verify(await mintCliToken({ user: 'patient' }, source, 3600));
    expect(patient).toMatchObject({ kind: 'patient', patient: adults[0], scope: 'patient/*.cruds' });

    const carerSelf = await verify(await mintCliToken({ user: 'carer' }, source, 3600));
    expect(carerSelf).toMatchObject({ kind: 'patient', patient: adults[2] });
    const carerProxy = await verify(await mintCliToken({ user: 'carer', patient: child }, source, 3600));
    expect(carerProxy).toMatchObject({ kind: 'proxy', role: 'carer', patient: child, fhirUser: `Patient/${adults[2]}` });

    await expect(mintCliToken({ user: 'carer', patient: adults[0] }, source, 3600)).rejects.toThrow(/no proxy access/);
    await expect(mintCliToken({ user: 'patient', patient: adults[1] }, source, 3600)).rejects.toThrow(/own record/);
    await expect(mintCliToken({ user: 'nobody' }, source, 3600)).rejects.toThrow(/tessera users/);
    await expect(mintCliToken({ user: 'gp', scope: 'system/*.rs' }, source, 3600)).rejects.toThrow(/system/);
    await expect(mintCliToken({}, source, 3600)).rejects.toThrow(/--system or --user/);
  });

  it('with a running embedded server, tessera token and users read the credentials file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tessera-cli-'));
    try {
      const keys = await KeyRing.open(new AuthStore(db));
      const file = writeCliCredentials(dir, await snapshotCliCredentials({ issuer: `${PUBLIC_URL}/oauth2`, fhirBase: `${PUBLIC_URL}/fhir`, keys, store: new AuthStore(db) }));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readCliCredentials(dir)?.users.length).toBe((await cliUsers(new AuthStore(db))).length);

      const config = { dataDir: dir, databaseUrl: undefined, poolSize: 1, host: '127.0.0.1', port: 8080, auth: loadAuthConfig({}) };
      const out = sink();
      const err = sink();
      expect(await runToken({ system: true }, config, out, err)).toBe(0);
      const verify = createTokenVerifier({ issuer: `${PUBLIC_URL}/oauth2`, audience: `${PUBLIC_URL}/fhir`, keys });
      expect((await verify(out.text().trim())).kind).toBe('system');
      expect(await runToken({ user: 'ghost' }, config, sink(), err)).toBe(1);
      expect(err.text()).toMatch(/no user 'ghost'/);

      const listing = sink();
      expect(await runUsers(config, listing)).toBe(0);
      const demo = demoUsersOf(readCliCredentials(dir)!.users);
      for (const u of demo) expect(listing.text()).toContain(u.password);
      expect(listing.text()).toContain(`proxy for Patient/${child}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
