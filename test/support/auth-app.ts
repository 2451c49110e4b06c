/**
 * An in-process Tessera with sign-in and tokens mounted, over a fresh database on either engine,
 * plus a small browser stand-in (cookie jar, manual redirects) for driving OAuth flows through
 * Fastify's `inject()`.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { isKnownResourceType, RESOURCE_TYPES } from '../../src/fhir/validation/index.js';
import { FhirRouter } from '../../src/http/fhir-router.js';
import { buildServer } from '../../src/http/server.js';
import { createStore } from '../../src/main.js';
import { buildOperations } from '../../src/operations/index.js';
import { AccessResolver } from '../../src/store/caller-access.js';
import { auditSinks } from '../../src/store/audit-log.js';
import type { Database } from '../../src/store/database.js';
import type { FhirStore } from '../../src/store/fhir-store.js';
import { loadAuthConfig, type ClientMetadata } from '../../src/auth/auth-config.js';
import { registerAuth, type Auth } from '../../src/auth/register-auth.js';
import { bearerToken, TokenError } from '../../src/auth/principal.js';
import { openTestDatabase, type Engine } from './test-store.js';

/** A test instance with auth. */
export interface AuthTestApp {
  app: FastifyInstance;
  db: Database;
  store: FhirStore;
  auth: Auth;
  publicUrl: string;
  close(): Promise<void>;
}

/** Options for the test app. */
export interface AuthTestAppOptions {
  env?: Record<string, string>;
  publicUrl?: string;
  now?: () => Date;
  db?: Database;
  /** First-party clients, as `main.ts` registers the patient app. */
  builtinClients?: readonly ClientMetadata[];
}

/** Builds a test app with auth on `engine`. */
export async function createAuthTestApp(engine: Engine, opts: AuthTestAppOptions = {}): Promise<AuthTestApp> {
  const db = opts.db ?? (await openTestDatabase(engine));
  const store = createStore(db);
  const publicUrl = opts.publicUrl ?? 'http://tessera.test';
  const access = new AccessResolver(db);
  const audit = auditSinks(db, pino({ level: 'silent' }), { intervalMs: 5 });
  const router = new FhirRouter({ store, resourceTypes: RESOURCE_TYPES, operations: buildOperations({ store, access, now: () => new Date(), audit }), access, audit });
  const log = pino({ level: process.env.TEST_AUTH_LOG ?? 'silent' });
  let auth: Auth | undefined;
  const app = await buildServer({
    router, logger: log, bodyLimit: 1024 * 1024, isReady: () => true, baseUrl: publicUrl,
    authenticate: async (authorization) => {
      if (!auth) throw new TokenError('missing');
      return auth.verifyAccessToken(bearerToken(authorization));
    },
  });
  auth = await registerAuth(app, {
    db, config: loadAuthConfig(opts.env ?? {}), publicUrl, log,
    isResourceType: isKnownResourceType,
    lookupPatient: async (id) => {
      const p = await store.readCurrent('Patient', id);
      return p && !p.deleted ? { name: `Patient ${id}` } : undefined;
    },
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.builtinClients ? { builtinClients: opts.builtinClients } : {}),
  });
  await app.ready();
  return {
    app, db, store, auth, publicUrl,
    async close() {
      await app.close();
      await audit.close();
      if (!opts.db) await db.close();
    },
  };
}

interface Cookie {
  name: string;
  value: string;
  path: string;
}

/** A minimal browser: keeps cookies (by path) and lets the test follow redirects one at a time. */
export class TestBrowser {
  private cookies: Cookie[] = [];

  /** `app` may be swapped between requests, to play several app nodes behind one load balancer. */
  constructor(public app: FastifyInstance, private readonly origin: string, private readonly ip = '10.0.0.1') {}

  private cookieHeader(path: string): string {
    return this.cookies.filter((c) => path.startsWith(c.path)).map((c) => `${c.name}=${c.value}`).join('; ');
  }

  private remember(res: LightMyRequestResponse): void {
    const raw = res.headers['set-cookie'];
    const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    for (const line of list) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      let path = '/';
      let isExpired = false;
      for (const a of attrs) {
        const [k, v] = a.split('=');
        if (k!.toLowerCase() === 'path' && v) path = v;
        if (k!.toLowerCase() === 'expires' && v && new Date(v).getTime() < Date.now()) isExpired = true;
        if (k!.toLowerCase() === 'max-age' && Number(v) <= 0) isExpired = true;
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path));
      if (!isExpired && value !== '') this.cookies.push({ name, value, path });
    }
  }

  /** A URL on this server as a path, or undefined for another origin. */
  localPath(url: string): string | undefined {
    const u = new URL(url, this.origin);
    return u.origin === new URL(this.origin).origin ? `${u.pathname}${u.search}` : undefined;
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    const path = this.localPath(url);
    if (!path) throw new Error(`not this server: ${url}`);
    const res = await this.app.inject({ method: 'GET', url: path, headers: { cookie: this.cookieHeader(path.split('?')[0]!), host: new URL(this.origin).host }, remoteAddress: this.ip });
    this.remember(res);
    return res;
  }

  async postForm(url: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
    const path = this.localPath(url);
    if (!path) throw new Error(`not this server: ${url}`);
    const res = await this.app.inject({
      method: 'POST', url: path, payload: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(path.split('?')[0]!), host: new URL(this.origin).host },
      remoteAddress: this.ip,
    });
    this.remember(res);
    return res;
  }

  /** Follows same-origin redirects until a page or a redirect to another origin. */
  async follow(res: LightMyRequestResponse): Promise<LightMyRequestResponse> {
    let r = res;
    for (let i = 0; i < 10 && r.statusCode >= 300 && r.statusCode < 400; i++) {
      const loc = String(r.headers.location);
      if (!this.localPath(loc)) return r;
      r = await this.get(loc);
    }
    return r;
  }
}

/** The value of a hidden/text input in a page. */
export function inputValue(html: string, name: string): string | undefined {
  const m = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html);
  return m?.[1]?.replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)));
}

/** The action of the (first) form in a page. */
export function formAction(html: string): string {
  const m = /<form[^>]*action="([^"]*)"/.exec(html);
  if (!m) throw new Error('no form in page');
  return m[1]!.replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)));
}
