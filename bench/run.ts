/**
 * `npm run bench`: measures Tessera against ceilings taken in the same run on the same machine,
 * and prints each figure beside its ceiling as a ratio (machines here are noisy; ratios travel).
 *
 *   npm run bench                      PostgreSQL and PGlite, full durations
 *   npm run bench -- --quick           shorter runs
 *   npm run bench -- --engine postgres only one engine
 *   npm run bench -- --patient-app     only the patient app pages
 *   npm run bench -- --match           only Patient/$match at 100,000 Patients (PostgreSQL)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { startPostgresCluster, type PostgresCluster } from '../test/support/postgres-cluster.js';
import { runLoad, send, setDefaultHeaders, type LoadRequest, type LoadResult } from './load.js';
import { openCliAuthSource } from '../src/cli/token-command.js';
import { mintAccessToken } from '../src/auth/mint-token.js';
import { loadConfig } from '../src/config/config.js';
import http from 'node:http';
import { benchPatientApp, type PatientAppRow } from './patient-app.js';
import { benchMatch } from './match.js';

const { values: args } = parseArgs({
  options: { quick: { type: 'boolean' }, engine: { type: 'string', multiple: true }, scale: { type: 'boolean' }, 'patient-app': { type: 'boolean' }, match: { type: 'boolean' } },
});
const DURATION = args.quick ? 4_000 : 10_000;
/**
 * A discarded run before a measured one, so that one is of a warm server: as long as the CRUD
 * mix's. The first read measurement follows the ingest straight away, and with a 2-s warm-up
 * its p99 was 23–25 ms while the same reads a minute later (the side-by-side runs) had 12–19 ms.
 */
const WARMUP = 5_000;
/** The CRUD mix's discarded first run: writes exercise far more code than reads. */
const CRUD_WARMUP = 5_000;
const ENGINES = (args.engine ?? ['postgres', 'pglite']) as ('postgres' | 'pglite')[];
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const DEMO = path.join(ROOT, 'demo', 'synthea');
/** The Node flags `npm start` runs the server with (read from package.json, so they cannot drift). */
const NODE_FLAGS: string[] = (() => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/).filter((w) => w.startsWith('--'));
})();

/** One measured figure, beside its ceiling or limit (`patient-app.ts` records the same shape). */
type Row = PatientAppRow;
const rows: Row[] = [];

/** `fetch` with the run's bearer token (see `setDefaultHeaders`). */
let authHeader: Record<string, string> = {};
function api(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { ...authHeader, ...(init.headers as Record<string, string> | undefined) } });
}

/** Uses `headers` for every request from now on (load runs and `api`). */
function useAuth(headers: Record<string, string>): void {
  authHeader = headers;
  setDefaultHeaders(headers);
}

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

/** The demo bundles, organisations and practitioners first. */
function bundles(): { name: string; text: string; entries: number }[] {
  const files = readdirSync(DEMO).filter((f) => f.endsWith('.json.gz'));
  const first = files.filter((f) => /Information/.test(f)).sort();
  return [...first, ...files.filter((f) => !first.includes(f)).sort()].map((f) => {
    const text = gunzipSync(readFileSync(path.join(DEMO, f))).toString('utf8');
    return { name: f, text, entries: (JSON.parse(text) as { entry: unknown[] }).entry.length };
  });
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return performance.now() - t0;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`not ready: ${url}`);
}

interface Server {
  child: ChildProcess;
  base: string;
  readyMs: number;
  port: number;
}

/** The organisation every bench patient is registered with, so the GP token has a relationship. */
const BENCH_PRACTICE = 'bench-practice';

/**
 * Bearer tokens for a running server, minted with its shared keys the way `tessera token` does:
 * a backend system, and a GP at the practice every bench patient is registered with.
 */
async function tokensFor(server: Server, env: Record<string, string>, dataDir: string): Promise<{ system: string; gp: string }> {
  const config = loadConfig({ ...process.env, ...env }, { port: server.port, dataDir });
  const source = await openCliAuthSource(config);
  try {
    const base = { issuer: source.issuer, audience: source.audience, ttlSeconds: 3600 };
    const system = await mintAccessToken(source.signer, { ...base, clientId: 'bench', subject: 'bench', scope: 'system/*.cruds' });
    const gp = await mintAccessToken(source.signer, {
      ...base, clientId: 'bench-gp-app', subject: 'bench-gp', scope: 'user/*.cruds', role: 'gp',
      fhirUser: `${source.audience}/Practitioner/bench-gp`, organization: `Organization/${BENCH_PRACTICE}`,
    });
    return { system, gp };
  } finally {
    await source.close();
  }
}

/** Registers every patient with the bench practice (a care relationship for the GP token). */
async function registerPatients(base: string): Promise<number> {
  await api(`${base}/fhir/Organization/${BENCH_PRACTICE}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Organization', id: BENCH_PRACTICE, name: 'Bench Surgery' }) });
  const res = (await (await api(`${base}/fhir/Patient?_count=1000&_total=none`)).json()) as { entry: { resource: Record<string, unknown> }[] };
  for (const e of res.entry) {
    const p: Record<string, unknown> = { ...e.resource, generalPractitioner: [{ reference: `Organization/${BENCH_PRACTICE}` }] };
    delete p.meta;
    const put = await api(`${base}/fhir/Patient/${String(p.id)}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json', prefer: 'return=minimal' }, body: JSON.stringify(p) });
    if (put.status >= 300) throw new Error(`registering ${String(p.id)} failed: ${put.status} ${await put.text()}`);
  }
  return res.entry.length;
}

async function startTessera(env: Record<string, string>, dataDir: string): Promise<Server> {
  const server = await spawnTessera(env, dataDir);
  if (env.TESSERA_INSECURE_OPEN_API === 'true') useAuth({});
  else useAuth({ authorization: `Bearer ${(await tokensFor(server, env, dataDir)).system}` });
  return server;
}

/** Starts a server; `port` reuses a stopped server's, so the tokens minted for it still fit. */
async function spawnTessera(env: Record<string, string>, dataDir: string, port?: number): Promise<Server> {
  port ??= await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [...NODE_FLAGS, path.join(ROOT, 'dist/src/cli/main.js'), 'start', '--no-demo', '--port', String(port), '--data', dataDir], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/healthz`, child);
  return { child, base, readyMs: performance.now() - t0, port };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Ingests every demo bundle through POST /fhir with `concurrency` clients. */
async function ingest(base: string, all: { text: string; entries: number }[], concurrency: number): Promise<{ perSecond: number; resources: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(base);
  let i = 0;
  let resources = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < all.length) {
        const b = all[i++]!;
        const res = await send(agent, url, { method: 'POST', path: '/fhir', body: b.text, headers: { prefer: 'return=minimal' } });
        if (res.status !== 200) throw new Error(`ingest failed ${res.status}: ${res.body.slice(0, 300)}`);
        resources += b.entries;
      }
    }),
  );
  agent.destroy();
  return { perSecond: resources / ((performance.now() - t0) / 1000), resources };
}

/** The ingest ceiling: the same rows as one raw multi-row INSERT per bundle. */
async function rawInsertCeiling(exec: (sql: string, params?: unknown[]) => Promise<unknown>, all: { text: string }[]): Promise<number> {
  await exec(`CREATE TABLE IF NOT EXISTS bench_raw (resource_type text, id text, version_id int, last_updated timestamptz, content text, PRIMARY KEY (resource_type, id))`);
  let n = 0;
  const t0 = performance.now();
  for (const b of all) {
    const bundle = JSON.parse(b.text) as { entry: { resource: { resourceType: string } }[] };
    const types: string[] = [];
    const ids: string[] = [];
    const contents: string[] = [];
    for (const e of bundle.entry) {
      types.push(e.resource.resourceType);
      ids.push(crypto.randomUUID());
      contents.push(JSON.stringify(e.resource));
    }
    await exec(
      `INSERT INTO bench_raw SELECT t, i, 1, now(), c FROM unnest($1::text[], $2::text[], $3::text[]) AS u(t, i, c)`,
      [types, ids, contents],
    );
    n += types.length;
  }
  const perSecond = n / ((performance.now() - t0) / 1000);
  // Leave nothing behind for the database to tidy up (autovacuum, a checkpoint's writes) while
  // Tessera's own ingest is measured next.
  await exec('DROP TABLE bench_raw');
  await exec('CHECKPOINT');
  return perSecond;
}

async function collectIds(base: string): Promise<{ type: string; id: string }[]> {
  const out: { type: string; id: string }[] = [];
  for (const type of ['Patient', 'Observation', 'Condition', 'Encounter', 'MedicationRequest']) {
    const res = await api(`${base}/fhir/${type}?_count=1000&_elements=id&_total=none`);
    const body = (await res.json()) as { entry?: { resource: { id: string } }[] };
    for (const e of body.entry ?? []) out.push({ type, id: e.resource.id });
  }
  return out;
}

function record(r: Row): void {
  rows.push(r);
  const ratio = r.ceiling ? ` | ceiling ${r.ceiling.toFixed(0)} ${r.unit} (${r.ceilingName}) | ratio ${(r.value / r.ceiling).toFixed(2)}` : '';
  log(`  ${r.pass === undefined ? 'INFO' : r.pass ? 'PASS' : 'FAIL'} ${r.engine} ${r.measure}: ${r.value.toFixed(r.unit === 'ms' || r.unit === 'MB' ? 1 : 0)} ${r.unit}${ratio} | target ${r.target}${r.note ? ` | ${r.note}` : ''}`);
}

async function benchEngine(engine: 'postgres' | 'pglite', cluster: PostgresCluster | undefined, all: ReturnType<typeof bundles>, bareBase: string, bareRead: LoadResult): Promise<void> {
  log(`\n== ${engine} ==`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `tessera-bench-${engine}-`));
  const env: Record<string, string> = {};
  // Over the cluster's Unix-domain socket: how a server on the database's own machine connects
  // (and cheaper per query than loopback TCP, which these measurements would otherwise include).
  if (engine === 'postgres') env.DATABASE_URL = cluster!.socketUrl(await cluster!.createDatabase(`bench_${Date.now()}`));
  try {
    // Ingest ceiling first, on a scratch database of the same engine.
    let ceiling: number;
    if (engine === 'postgres') {
      const url = cluster!.socketUrl(await cluster!.createDatabase(`raw_${Date.now()}`));
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      ceiling = await rawInsertCeiling((sql, p) => client.query(sql, p as unknown[]), all);
      await client.end();
    } else {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-raw-'));
      const db = await PGlite.create(dir);
      ceiling = await rawInsertCeiling((sql, p) => db.query(sql, p as unknown[]), all);
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }

    let server = await startTessera(env, dataDir);
    const ing = await ingest(server.base, all, engine === 'postgres' ? 2 : 1);
    const target = engine === 'postgres' ? 2000 : 1200;
    record({ engine, measure: 'ingest (Synthea transaction bundles)', value: ing.perSecond, unit: 'resources/s', ceiling, ceilingName: 'raw multi-row INSERT', target: `>= ${target}/s`, pass: ing.perSecond >= target, note: `${ing.resources} resources` });
    // Steady state after the ingest: the server's post-import collection runs within a second.
    await new Promise((r) => setTimeout(r, 1500));
    const rss = rssMb(server.child.pid!);
    record({ engine, measure: 'resident memory after ingest', value: rss, unit: 'MB', target: '< 200 MB', pass: rss < 200 });

    // Every patient registered at one practice: the GP token below has a care relationship with
    // each record, so reads and searches run the full access checks (not the trivial system path).
    await registerPatients(server.base);
    const tokens = await tokensFor(server, env, dataDir);
    const ids = await collectIds(server.base);
    const readRun = async (base: string, duration = DURATION) => {
      let rnd = 1;
      return runLoad(base, 32, duration, () => {
        const r = ids[(rnd = (rnd * 1103515245 + 12345) & 0x7fffffff) % ids.length]!;
        return { method: 'GET', path: `/fhir/${r.type}/${r.id}` };
      });
    };
    // Steady state before measuring: PostgreSQL vacuumed and analysed after the bulk load (what
    // autovacuum does within a minute or so; otherwise it runs during the first measurement), and
    // a short discarded run of the same reads, so JIT compilation, the connection pool and the
    // caches are warm in the measured one.
    if (engine === 'postgres') await settle(env.DATABASE_URL!);
    useAuth({ authorization: `Bearer ${tokens.gp}` });
    await readRun(server.base, WARMUP);
    const read = await readRun(server.base);
    record({ engine, measure: 'read by id, 32 clients (GP token: access checks, audit)', value: read.perSecond, unit: 'req/s', ceiling: bareRead.perSecond, ceilingName: 'bare Fastify route', target: '>= 5000/s, p99 < 20 ms', pass: read.perSecond >= 5000 && read.p99 < 20 && read.errors === 0, note: `p50 ${read.p50.toFixed(1)} ms, p99 ${read.p99.toFixed(1)} ms, errors ${read.errors}` });
    const { patientIds } = await benchSearch(engine, server.base, bareRead);

    // The same reads and searches with authentication, access control and audit switched off,
    // side by side: what access control costs.
    await stop(server.child);
    const { read: sideRead, search: sideSearch } = await sideBySide(engine, env, dataDir, { token: tokens.gp, port: server.port }, readRun, (base) => mixOnPatients(base, patientIds, DURATION / 2));
    record({ engine, measure: 'read by id with access control vs without', value: sideRead.with.perSecond, unit: 'req/s', ceiling: sideRead.without.perSecond, ceilingName: 'same reads, open API', target: 'ratio >= 0.75', pass: sideRead.with.perSecond >= 0.75 * sideRead.without.perSecond && sideRead.with.errors + sideRead.without.errors === 0, note: `medians of ${SIDE_ROUNDS} alternating runs each; errors ${sideRead.with.errors + sideRead.without.errors}; with: p99 ${sideRead.with.p99.toFixed(1)} ms; without: p50 ${sideRead.without.p50.toFixed(1)} ms, p99 ${sideRead.without.p99.toFixed(1)} ms` });
    record({ engine, measure: 'search mix with access control vs without', value: sideSearch.with.perSecond, unit: 'req/s', ceiling: sideSearch.without.perSecond, ceilingName: 'same searches, open API', target: 'ratio >= 0.75', pass: sideSearch.with.perSecond >= 0.75 * sideSearch.without.perSecond && sideSearch.with.errors + sideSearch.without.errors === 0, note: `medians of ${SIDE_ROUNDS} alternating runs each; errors ${sideSearch.with.errors + sideSearch.without.errors}; with: p99 ${sideSearch.with.p99.toFixed(1)} ms; without: p50 ${sideSearch.without.p50.toFixed(1)} ms, p99 ${sideSearch.without.p99.toFixed(1)} ms` });
    server = await startTessera(env, dataDir);
    let rnd = 1;

    // Adults who are alive: BMI refuses children and every calculator refuses the deceased.
    const adults = (await (await api(`${server.base}/fhir/Patient?birthdate=lt2000-01-01&deceased=false&_count=40&_elements=id&_total=none`)).json()) as { entry: { resource: { id: string } }[] };
    await benchCalculators(engine, server.base, bareRead, adults.entry.map((e) => e.resource.id));

    // CRUD mix: 10% create, 60% read, 25% update, 5% delete.
    const live = ids.map((x) => ({ ...x }));
    const templates = new Map<string, string>();
    for (const type of ['Patient', 'Observation', 'Condition', 'Encounter', 'MedicationRequest']) {
      const one = live.find((x) => x.type === type)!;
      const res = await api(`${server.base}/fhir/${type}/${one.id}`);
      templates.set(type, await res.text());
    }
    let deleted = 0;
    const crudRequest = () => {
      const roll = (rnd = (rnd * 1103515245 + 12345) & 0x7fffffff) % 100;
      const target = live[rnd % live.length]!;
      if (roll < 10) {
        const body = JSON.parse(templates.get(target.type)!) as Record<string, unknown>;
        delete body.id;
        delete body.meta;
        return { method: 'POST', path: `/fhir/${target.type}`, body: JSON.stringify(body), headers: { prefer: 'return=minimal' } };
      }
      if (roll < 70) return { method: 'GET', path: `/fhir/${target.type}/${target.id}` };
      if (roll < 95) {
        const body = JSON.parse(templates.get(target.type)!) as Record<string, unknown>;
        body.id = target.id;
        delete body.meta;
        body.language = `en-GB-x-${rnd % 1000}`;
        return { method: 'PUT', path: `/fhir/${target.type}/${target.id}`, body: JSON.stringify(body), headers: { prefer: 'return=minimal' } };
      }
      deleted++;
      return { method: 'DELETE', path: `/fhir/${target.type}/${target.id}` };
    };
    const crudOk = (status: number) => status < 400 || status === 410;
    // A discarded run of the same mix first, as for the reads and searches: this server has
    // only just started, and the write path's code is still being compiled (V8's optimising
    // compiler took ~40% of the server's CPU in the first seconds of writes) — a server that
    // has been up for more than a few seconds no longer pays that.
    await runLoad(server.base, 32, CRUD_WARMUP, crudRequest, crudOk);
    deleted = 0;
    const mix = await runLoad(server.base, 32, DURATION, crudRequest, crudOk);
    record({ engine, measure: 'CRUD mix 10/60/25/5, 32 clients', value: mix.perSecond, unit: 'req/s', ceiling: bareRead.perSecond, ceilingName: 'bare Fastify route', target: '>= 1500/s', pass: mix.perSecond >= 1500 && mix.errors === 0, note: `p50 ${mix.p50.toFixed(1)} ms, p99 ${mix.p99.toFixed(1)} ms, errors ${mix.errors}, deletes ${deleted}` });

    await stop(server.child);
    server = await startTessera(env, dataDir);
    record({ engine, measure: 'ready to serve on an existing database', value: server.readyMs, unit: 'ms', target: '< 3000 ms', pass: server.readyMs < 3000 });
    await stop(server.child);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** `VACUUM ANALYZE` on the database at `url`, as autovacuum would after a bulk load. */
async function settle(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

/** Runs of each side in {@link sideBySide}. */
const SIDE_ROUNDS = 3;

/** The run with the median throughput. */
function medianRun(runs: LoadResult[]): LoadResult {
  return [...runs].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(runs.length / 2)]!;
}

/**
 * Issue #4's comparison: the same reads, and the same searches, with access control and audit
 * (a GP token) and without (`TESSERA_INSECURE_OPEN_API`), in alternating runs of half the usual
 * length — with, without, with, without… — reporting each side's median run. Alternating
 * matters on these shared machines: the load from neighbours drifts over a minute by more than
 * the difference being measured, and back-to-back single runs put all of a drift on one side.
 * On PostgreSQL both servers run at once on the same database (nodes hold no state); on PGlite
 * one process owns the data folder, so the two take turns, each warmed up after it starts.
 */
async function sideBySide(
  engine: 'postgres' | 'pglite', env: Record<string, string>, dataDir: string, gp: { token: string; port: number },
  read: (base: string, duration: number) => Promise<LoadResult>, search: (base: string) => Promise<LoadResult>,
): Promise<{ read: { with: LoadResult; without: LoadResult }; search: { with: LoadResult; without: LoadResult } }> {
  const openEnv = { ...env, TESSERA_INSECURE_OPEN_API: 'true' };
  const together = engine === 'postgres';
  const servers: { gp?: Server; open?: Server } = {};
  const warm = async (base: string) => {
    await read(base, 1_000);
    await runLoad(base, 16, 1_000, () => ({ method: 'GET', path: '/fhir/Patient?_count=1' }));
  };
  const serverFor = async (side: 'gp' | 'open'): Promise<string> => {
    setDefaultHeaders(side === 'gp' ? { authorization: `Bearer ${gp.token}` } : {});
    const other = side === 'gp' ? 'open' : 'gp';
    if (!together && servers[other]) {
      await stop(servers[other].child);
      delete servers[other];
    }
    if (!servers[side]) {
      // The GP server on the port its token was minted for (the audience names it).
      servers[side] = side === 'gp' ? await spawnTessera(env, dataDir, gp.port) : await spawnTessera(openEnv, dataDir);
      await warm(servers[side].base);
    }
    return servers[side].base;
  };
  const runs = { readWith: [] as LoadResult[], readWithout: [] as LoadResult[], searchWith: [] as LoadResult[], searchWithout: [] as LoadResult[] };
  try {
    for (let round = 0; round < SIDE_ROUNDS; round++) {
      runs.readWith.push(await read(await serverFor('gp'), DURATION / 2));
      runs.searchWith.push(await search(await serverFor('gp')));
      runs.readWithout.push(await read(await serverFor('open'), DURATION / 2));
      runs.searchWithout.push(await search(await serverFor('open')));
    }
  } finally {
    for (const s of Object.values(servers)) await stop(s.child);
  }
  return {
    read: { with: medianRun(runs.readWith), without: medianRun(runs.readWithout) },
    search: { with: medianRun(runs.searchWith), without: medianRun(runs.searchWithout) },
  };
}

/** The patient-scoped search mix, $everything, and Patient name/birthdate searches. */
async function benchSearch(engine: string, base: string, bareRead: LoadResult): Promise<{ search: LoadResult; patientIds: string[] }> {
  const patients = (await (await api(`${base}/fhir/Patient?_count=1000&_elements=id,name,birthDate&_total=none`)).json()) as { entry: { resource: { id: string; name?: { family?: string }[]; birthDate?: string } }[] };
  const ps = patients.entry.map((e) => e.resource);
  let rnd = 7;
  const next = () => (rnd = (rnd * 1103515245 + 12345) & 0x7fffffff);
  await mixOnPatients(base, ps.map((p) => p.id), WARMUP);
  const search = await mixOnPatients(base, ps.map((p) => p.id));
  record({ engine, measure: 'patient-scoped search mix, 16 clients', value: search.perSecond, unit: 'req/s', ceiling: bareRead.perSecond, ceilingName: 'bare Fastify route', target: '>= 2000/s, p99 < 50 ms', pass: search.perSecond >= 2000 && search.p99 < 50 && search.errors === 0, note: `p50 ${search.p50.toFixed(1)} ms, p99 ${search.p99.toFixed(1)} ms, errors ${search.errors}` });

  // Name and birth date in turn. (Not by the parity of the next random number: this generator's
  // lowest bit alternates, so after picking the patient it was always the same kind.)
  let turn = 0;
  const byName = await runLoad(base, 16, DURATION, () => {
    const p = ps[next() % ps.length]!;
    return turn++ % 2 === 0
      ? { method: 'GET', path: `/fhir/Patient?name=${encodeURIComponent((p.name?.[0]?.family ?? 'a').slice(0, 4))}` }
      : { method: 'GET', path: `/fhir/Patient?birthdate=${p.birthDate ?? '1970'}` };
  });
  record({ engine, measure: 'Patient?name= / ?birthdate=, 16 clients', value: byName.perSecond, unit: 'req/s', ceiling: bareRead.perSecond, ceilingName: 'bare Fastify route', target: '>= 1500/s', pass: byName.perSecond >= 1500 && byName.errors === 0, note: `p50 ${byName.p50.toFixed(1)} ms, p99 ${byName.p99.toFixed(1)} ms` });

  // $everything on the five largest records.
  const sizes = await Promise.all(ps.map(async (p) => {
    const res = await api(`${base}/fhir/Patient/${p.id}/$everything?_type=Patient`);
    await res.arrayBuffer();
    return p.id;
  }));
  const counted: { id: string; n: number }[] = [];
  for (const id of sizes) {
    const r = (await (await api(`${base}/fhir/Observation?patient=${id}&_summary=count`)).json()) as { total: number };
    counted.push({ id, n: r.total });
  }
  counted.sort((a, b) => b.n - a.n);
  const largest = counted.slice(0, 5);
  const times: number[] = [];
  let resources = 0;
  for (let round = 0; round < (args.quick ? 4 : 10); round++) {
    for (const p of largest) {
      const t0 = performance.now();
      const res = await api(`${base}/fhir/Patient/${p.id}/$everything`);
      const text = await res.text();
      // The answer's latency is to its last byte; parsing 1.5 MB of JSON is the client's work.
      times.push(performance.now() - t0);
      resources = Math.max(resources, (JSON.parse(text) as { total: number }).total);
    }
  }
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor(times.length / 2)]!;
  record({ engine, measure: '$everything, five largest records', value: p50, unit: 'ms', target: 'p50 < 50 ms', pass: p50 < 50, note: `up to ${resources} resources, p50 over ${times.length} calls` });
  return { search, patientIds: ps.map((p) => p.id) };
}

/** Calculators from given inputs (plain JSON API) and from the record (FHIR operations). */
async function benchCalculators(engine: string, base: string, bareRead: LoadResult, patients: string[]): Promise<void> {
  const body = JSON.stringify({ respiratoryRate: 22, spo2: 95, spo2Scale: 1, onOxygen: false, systolicBP: 105, heartRate: 112, consciousness: 'A', temperature: 38.4 });
  const given = await runLoad(base, 32, DURATION, () => ({ method: 'POST', path: '/api/calculators/news2', body, headers: { 'content-type': 'application/json' } }));
  record({ engine, measure: 'NEWS2 from given inputs, POST /api/calculators/news2, 32 clients', value: given.perSecond, unit: 'req/s', ceiling: bareRead.perSecond, ceilingName: 'bare Fastify route', target: '>= 10000/s', pass: given.perSecond >= 10000 && given.errors === 0, note: `p99 ${given.p99.toFixed(1)} ms, errors ${given.errors}` });

  // From the record: CHA2DS2-VASc reads conditions (no age limit); BMI reads weight and height,
  // so each patient first gets today's measurements.
  const now = new Date().toISOString();
  const some = patients.slice(0, 40);
  for (const p of some) {
    for (const [code, value, unit] of [['29463-7', 81.5, 'kg'], ['8302-2', 176, 'cm']] as const) {
      await api(`${base}/fhir/Observation`, {
        method: 'POST', headers: { 'content-type': 'application/fhir+json', prefer: 'return=minimal' },
        body: JSON.stringify({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code }] }, subject: { reference: `Patient/${p}` }, effectiveDateTime: now, valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit } }),
      });
    }
  }
  let i = 0;
  const calculation = () => {
    const p = some[i++ % some.length]!;
    return { method: 'GET' as const, path: i % 2 ? `/fhir/Patient/${p}/$bmi` : `/fhir/Patient/${p}/$cha2ds2-vasc` };
  };
  // The target is a calculation's latency: one client at a time, so no request waits behind
  // another. Four at once show it under load (each then also waits for the others' turns on the
  // one Node.js thread and, on PGlite, the one database session).
  const alone = await runLoad(base, 1, DURATION, calculation, (status) => status === 200);
  record({ engine, measure: 'BMI and CHA2DS2-VASc from the record, 1 client', value: alone.p99, unit: 'ms', target: 'p99 < 10 ms', pass: alone.p99 < 10 && alone.errors === 0, note: `p50 ${alone.p50.toFixed(1)} ms over ${alone.requests} requests, errors ${alone.errors}` });
  const loaded = await runLoad(base, 4, DURATION, calculation, (status) => status === 200);
  record({ engine, measure: 'the same, 4 clients at once (under load, for context)', value: loaded.p99, unit: 'ms', target: '—', note: `p50 ${loaded.p50.toFixed(1)} ms, ${loaded.perSecond.toFixed(0)} req/s, errors ${loaded.errors}` });
}

/**
 * `--scale`: the patient-scoped search mix with the Synthea patients alone, then again after the
 * database has grown to a million resources (copies of the same bundles under new ids), querying
 * the same original patients — so each patient's record is the same size and only the database
 * around it has grown. PostgreSQL only.
 */
async function benchScale(cluster: PostgresCluster, all: ReturnType<typeof bundles>, bareRead: LoadResult): Promise<void> {
  const TARGET = 1_000_000;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-scale-'));
  const env = { DATABASE_URL: cluster.socketUrl(await cluster.createDatabase(`scale_${Date.now()}`)) };
  const server = await startTessera(env, dataDir);
  try {
    let loaded = (await ingest(server.base, all, 2)).resources;
    // Remember the original patients before copies arrive.
    const originals = (await (await api(`${server.base}/fhir/Patient?_count=1000&_elements=id&_total=none`)).json()) as { entry: { resource: { id: string } }[] };
    // Both measurements on an analysed database, as for every other search figure (autovacuum's
    // state would otherwise differ between them).
    await settle(env.DATABASE_URL);
    const small = await mixOnPatients(server.base, originals.entry.map((e) => e.resource.id));
    const started = performance.now();
    const copies = all.filter((b) => !/Information/.test(b.name));
    while (loaded < TARGET) {
      loaded += (await ingest(server.base, copies, 2)).resources;
      log(`  scale: ${loaded} resources loaded (${(loaded / ((performance.now() - started) / 1000)).toFixed(0)}/s)`);
    }
    await settle(env.DATABASE_URL);
    await new Promise((r) => setTimeout(r, 2000));
    const large = await mixOnPatients(server.base, originals.entry.map((e) => e.resource.id));
    const ratio50 = large.p50 / small.p50;
    const ratio99 = large.p99 / small.p99;
    record({ engine: 'postgres', measure: `patient-scoped mix at Synthea size (${all.reduce((n, b) => n + b.entries, 0)} resources)`, value: small.perSecond, unit: 'req/s', ceiling: bareRead.perSecond, ceilingName: 'bare Fastify route', target: 'baseline', pass: small.errors === 0, note: `p50 ${small.p50.toFixed(1)} ms, p99 ${small.p99.toFixed(1)} ms` });
    record({ engine: 'postgres', measure: `patient-scoped mix at ${loaded} resources`, value: large.perSecond, unit: 'req/s', ceiling: bareRead.perSecond, ceilingName: 'bare Fastify route', target: 'latency within 1.5x of baseline', pass: ratio50 <= 1.5 && ratio99 <= 1.5 && large.errors === 0, note: `p50 ${large.p50.toFixed(1)} ms (${ratio50.toFixed(2)}x), p99 ${large.p99.toFixed(1)} ms (${ratio99.toFixed(2)}x)` });
  } finally {
    await stop(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The search mix of `benchSearch`, on a given set of patients. */
async function mixOnPatients(base: string, ps: string[], duration = DURATION): Promise<LoadResult> {
  let rnd = 11;
  const next = () => (rnd = (rnd * 1103515245 + 12345) & 0x7fffffff);
  return runLoad(base, 16, duration, (client) => {
    const p = ps[next() % ps.length]!;
    switch ((next() + client) % 7) {
      case 0: return { method: 'GET', path: `/fhir/Observation?patient=${p}&code=http://loinc.org|29463-7` };
      case 1: return { method: 'GET', path: `/fhir/Observation?patient=${p}&_sort=-date&_count=50` };
      case 2: return { method: 'GET', path: `/fhir/Observation?patient=${p}&category=vital-signs&date=ge2018-01-01` };
      case 3: return { method: 'GET', path: `/fhir/Condition?patient=${p}&clinical-status=active` };
      case 4: return { method: 'GET', path: `/fhir/MedicationRequest?patient=${p}&status=active` };
      case 5: return { method: 'GET', path: `/fhir/Encounter?patient=${p}&_sort=-date&_count=20` };
      default: return { method: 'GET', path: `/fhir/Observation?patient=${p}&code=http://loinc.org|8302-2&_include=Observation:subject` };
    }
  });
}

/** The patient app pages (see `patient-app.ts`), recorded beside their limits. */
async function benchPatientAppPages(): Promise<void> {
  log('\n== patient app ==');
  for (const row of await benchPatientApp(args.quick ? 15 : 30)) record(row);
}

/** `$match` at 100,000 Patients, on its own database of the cluster (see `match.ts`). */
async function benchMatchPart(cluster: PostgresCluster): Promise<void> {
  const databaseUrl = cluster.socketUrl(await cluster.createDatabase(`match_${Date.now()}`));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-match-'));
  try {
    await benchMatch({
      databaseUrl, api, record, log, queries: args.quick ? 100 : 300,
      start: async (env) => {
        const server = await startTessera(env, dataDir);
        return { base: server.base, stop: () => stop(server.child) };
      },
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function printTable(): void {
  const table = [
    '| engine | measure | Tessera | ceiling (same run) | ratio | target | result |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.engine} | ${r.measure} | ${r.value.toFixed(r.unit === 'ms' || r.unit === 'MB' ? 1 : 0)} ${r.unit}${r.note ? ` (${r.note})` : ''} | ${r.ceiling ? `${r.ceiling.toFixed(0)} ${r.unit}, ${r.ceilingName}` : '—'} | ${r.ceiling ? (r.value / r.ceiling).toFixed(2) : '—'} | ${r.target} | ${r.pass === undefined ? '—' : r.pass ? 'pass' : 'FAIL'} |`),
  ];
  process.stdout.write(`\n${table.join('\n')}\n`);
}

async function main(): Promise<void> {
  if (args['patient-app']) {
    await benchPatientAppPages();
    printTable();
    return;
  }
  if (args.match) {
    const cluster = await startPostgresCluster();
    try {
      await benchMatchPart(cluster);
    } finally {
      await cluster.stop();
    }
    printTable();
    return;
  }
  const all = bundles();
  log(`Tessera bench: ${all.length} bundles, ${all.reduce((n, b) => n + b.entries, 0)} resources; ${os.cpus().length} cores; run ${new Date().toISOString()}`);
  // Read ceiling: a bare Fastify route returning one stored Observation.
  const sample = JSON.parse(all[2]!.text) as { entry: { resource: unknown }[] };
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-bare-'));
  const file = path.join(tmp, 'r.json');
  writeFileSync(file, JSON.stringify(sample.entry[5]!.resource));
  const barePort = await freePort();
  const bare = spawn(process.execPath, [path.join(ROOT, 'dist/bench/bare-server.js'), String(barePort), file], { stdio: ['ignore', 'ignore', 'inherit'] });
  const bareBase = `http://127.0.0.1:${barePort}`;
  await waitReady(`${bareBase}/fhir/Patient/x`, bare);
  const bareRead = await runLoad(bareBase, 32, DURATION, () => ({ method: 'GET', path: '/fhir/Patient/x' }));
  log(`ceiling: bare Fastify route ${bareRead.perSecond.toFixed(0)} req/s (p99 ${bareRead.p99.toFixed(1)} ms)`);
  await stop(bare);

  let cluster: PostgresCluster | undefined;
  try {
    if (ENGINES.includes('postgres')) cluster = await startPostgresCluster();
    if (args.scale) await benchScale(cluster!, all, bareRead);
    else for (const engine of ENGINES) await benchEngine(engine, cluster, all, bareBase, bareRead);
    if (!args.scale && cluster) await benchMatchPart(cluster);
  } finally {
    await cluster?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  if (!args.scale) await benchPatientAppPages();
  printTable();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});
