/**
 * Patient app page speed (part of `npm run bench`): every page for the demo patient with the
 * largest record, rendered server-side in-process (Fastify `inject`, so no network or browser
 * time is counted), p95 over repeated requests, each beside its limit (150 ms; the record page
 * also < 200 KB of HTML). The database is the synthetic UK demo population on embedded PGlite,
 * loaded fresh, and the patient signs in through the real OAuth flow.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { loadConfig } from '../src/config/config.js';
import { createTessera } from '../src/main.js';
import { loadUkDemoPopulation } from '../src/cli/demo-uk.js';
import { listDemoUsers, pickDemoIdentities, seedDemoUsers } from '../src/auth/demo-users.js';

/** A row of the bench table: a figure beside its ceiling or limit (`run.ts` records these). */
export interface PatientAppRow {
  engine: string;
  measure: string;
  value: number;
  unit: string;
  ceiling?: number;
  ceilingName?: string;
  target: string;
  /** Absent for a figure shown for context, with no target of its own. */
  pass?: boolean;
  note?: string;
}

const LIMIT_MS = 150;
const LIMIT_BYTES = 200_000;

/** A minimal cookie-keeping client over `inject`. */
class Client {
  private cookies = new Map<string, string>();
  constructor(private readonly app: FastifyInstance, private readonly host: string) {}
  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  private keep(res: LightMyRequestResponse): void {
    const raw = res.headers['set-cookie'];
    for (const line of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /Max-Age=0/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  async get(url: string): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: 'GET', url, headers: { cookie: this.header(), host: this.host } });
    this.keep(res);
    return res;
  }
  async post(url: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: 'POST', url, payload: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.header(), host: this.host } });
    this.keep(res);
    return res;
  }
  async follow(res: LightMyRequestResponse): Promise<LightMyRequestResponse> {
    let r = res;
    for (let i = 0; i < 10 && r.statusCode >= 300 && r.statusCode < 400; i++) {
      const u = new URL(String(r.headers.location), `http://${this.host}`);
      r = await this.get(`${u.pathname}${u.search}`);
    }
    return r;
  }
}

function field(html: string, name: string): string {
  const m = new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html) ?? new RegExp(`value="([^"]*)"[^>]*name="${name}"`).exec(html);
  return (m?.[1] ?? '').replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)));
}

function action(html: string): string {
  return (/<form[^>]*action="([^"]*)"/.exec(html)?.[1] ?? '').replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)));
}

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]!;
}

/** Measures every page; `rounds` requests per page after a warm-up. */
export async function benchPatientApp(rounds = 30): Promise<PatientAppRow[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-patient-'));
  const config = loadConfig({ TESSERA_DATA: dir, LOG_LEVEL: 'warn' }, { loadDemo: false, port: 8080 });
  const t = await createTessera(config, pino({ level: 'warn' }));
  try {
    const now = new Date();
    await loadUkDemoPopulation(t.store, `${t.config.baseUrl ?? 'http://localhost:8080'}/fhir`, now);
    await t.store.statistics.analyze();
    const ids = await pickDemoIdentities(t.store, now);
    if (!ids) throw new Error('no demo identities');
    await seedDemoUsers(t.db, ids);
    const user = (await listDemoUsers(t.db)).find((u) => u.username === 'patient')!;
    await t.app.ready();
    const c = new Client(t.app, 'localhost:8080');
    const login = await c.follow(await c.get('/patient/auth/sign-in'));
    // The patient app is a first-party client: no consent page after signing in.
    const home = await c.follow(await c.post(action(login.body), { csrf: field(login.body, 'csrf'), username: user.username, password: user.password }));
    if (home.statusCode !== 200 || !home.body.includes('What is new')) throw new Error(`sign-in failed: ${home.statusCode}`);
    const record = (await c.get('/patient/record')).body;
    const condition = /href="\/patient\/conditions\/([^"]+)"/.exec(record)?.[1];
    const results = (await c.get('/patient/results')).body;
    const analyte = /href="\/patient\/results\/([a-z0-9-]+)"/.exec(results)?.[1];
    const pages = ['/patient', '/patient/record', '/patient/record/conditions', '/patient/record/medicines', '/patient/record/allergies', '/patient/record/immunisations',
      '/patient/record/consultations', '/patient/record/hospital', '/patient/results', ...(analyte ? [`/patient/results/${analyte}`] : []),
      ...(condition ? [`/patient/conditions/${condition}`] : []), '/patient/timeline', '/patient/activity', '/patient/sharing', '/patient/profiles', '/patient/requests'];
    const rows: PatientAppRow[] = [];
    for (const page of pages) {
      for (let i = 0; i < 3; i++) await c.get(page);
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < rounds; i++) {
        const t0 = performance.now();
        const res = await c.get(page);
        times.push(performance.now() - t0);
        if (res.statusCode !== 200) throw new Error(`${page} answered ${res.statusCode}`);
        bytes = Buffer.byteLength(res.body);
      }
      const v = p95(times);
      rows.push({ engine: 'pglite', measure: `patient app ${page}, p95`, value: v, unit: 'ms', ceiling: LIMIT_MS, ceilingName: 'limit', target: `p95 < ${LIMIT_MS} ms`, pass: v < LIMIT_MS, note: `${(bytes / 1024).toFixed(0)} KB HTML, ${rounds} requests` });
      if (page === '/patient/record') rows.push({ engine: 'pglite', measure: 'patient app record page size', value: bytes / 1024, unit: 'KB', ceiling: LIMIT_BYTES / 1024, ceilingName: 'limit', target: '< 200 KB', pass: bytes < LIMIT_BYTES });
    }
    return rows;
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
