/**
 * Mounts the patient app at `/patient` on a Fastify instance: assets, sign-in and sign-out, and
 * the pages. Every dependency is passed in; nothing is held between requests (the session is
 * an encrypted cookie). Record data is read and written only through the FHIR router, as the
 * signed-in person.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { VerifyAccessToken } from '../auth/verify-token.js';
import type { Principal } from '../auth/principal.js';
import type { AuthStore } from '../store/auth-store.js';
import { defaultGlossary, type Glossary } from './glossary/glossary.js';
import { registerAssets } from './http/assets.js';
import type { PageHandler, PageRequest, PageResult, ProfileOption, RequestContext } from './http/page.js';
import { pageHeaders } from './http/security-headers.js';
import { createRenderer, type Render } from './http/templates.js';
import { accessLevelFor, type AccessLevel } from './model/access-level.js';
import type { SourceDirectory } from './model/sources.js';
import { createRecordClient, RecordRequestError, type FhirHandler } from './record-client.js';
import { csrfToken, isCsrfValid } from './session/csrf.js';
import { authorizeUrl, endSessionUrl, exchangeCode, pkcePair, refreshTokens, revokeToken, type ProviderPost, type TokenResponse } from './session/oauth-client.js';
import { CookieSealer } from './session/sealed-cookie.js';
import type { PatientSession, SignInState } from './session/session.js';
import { PAGES } from './pages/index.js';

/** What the patient app needs. */
export interface PatientAppDeps {
  /** The FHIR router: the only way to the record. */
  router: FhirHandler;
  verifyAccessToken: VerifyAccessToken;
  /** Secrets for cookies and CSRF, proxy relationships and user names. */
  authStore: Pick<AuthStore, 'ensureSecret' | 'listProxyRelationships' | 'findUserById'>;
  /** Tessera's public base URL (`https://…`: cookies are then `Secure`). */
  publicUrl: string;
  /** The OpenID Connect issuer (its path is where the provider is mounted). */
  issuer: string;
  /** The FHIR base URL. */
  fhirBase: string;
  sources: SourceDirectory;
  /**
   * The online access level the access layer gives `principal` to record `patientId`
   * (`access/policy.ts` `onlineLevelIn`): how the practice's level reaches the app. Without it,
   * a person's own record is shown in full.
   */
  onlineLevel?: (principal: Principal, patientId: string) => Promise<AccessLevel>;
  glossary?: Glossary;
  log: Logger;
  now?: () => Date;
}

const SESSION_COOKIE = 'tessera_patient';
const SIGN_IN_COOKIE = 'tessera_patient_signin';
const VISIT_COOKIE = 'tessera_patient_visit';
const SESSION_SECONDS = 8 * 3600;
const FORM_LIMIT = 16 * 1024;

/** Registers the patient app (call before `app.ready()`). */
export async function registerPatientApp(app: FastifyInstance, deps: PatientAppDeps): Promise<void> {
  const now = deps.now ?? (() => new Date());
  const publicUrl = deps.publicUrl.replace(/\/$/, '');
  const issuerPath = new URL(deps.issuer).pathname.replace(/\/$/, '');
  const isSecure = publicUrl.startsWith('https:');
  const sessionKey = await deps.authStore.ensureSecret('patient-app-session-key-1', randomBytes(32).toString('base64url'));
  const csrfSecret = await deps.authStore.ensureSecret('patient-app-csrf-key-1', randomBytes(32).toString('base64url'));
  const sessions = new CookieSealer(sessionKey, 'tessera-patient-session');
  const signIns = new CookieSealer(sessionKey, 'tessera-patient-sign-in');
  const visits = new CookieSealer(sessionKey, 'tessera-patient-visit');
  const glossary = deps.glossary ?? defaultGlossary();
  const render: Render = createRenderer();
  const host = new URL(publicUrl).host;

  /** Posts a form to the provider in-process: no network, the same server. */
  const post: ProviderPost = async (path, form) => {
    const res = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded', host }, payload: new URLSearchParams(form).toString() });
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(res.body) as Record<string, unknown>;
    } catch {
      json = {};
    }
    return { status: res.statusCode, json };
  };

  function cookie(name: string, value: string, maxAge: number, path = '/patient'): string {
    return `${name}=${value}; Path=${path}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${isSecure ? '; Secure' : ''}`;
  }

  function readCookie(req: FastifyRequest, name: string): string | undefined {
    const header = req.headers.cookie ?? '';
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
    }
    return undefined;
  }

  async function sealSession(s: PatientSession): Promise<string> {
    const t = now();
    return cookie(SESSION_COOKIE, await sessions.seal(s, t, new Date(s.started + SESSION_SECONDS * 1000)), Math.max(1, Math.floor((s.started + SESSION_SECONDS * 1000 - t.getTime()) / 1000)));
  }

  function renderPage(reply: FastifyReply, view: string, title: string, model: Record<string, unknown>, status = 200, extra: Record<string, unknown> = {}): FastifyReply {
    const nonce = randomBytes(16).toString('base64url');
    const html = render(view, { ...model, ...extra, title, cspNonce: nonce });
    return reply.code(status).headers(pageHeaders(nonce)).send(html);
  }

  function navFor(ctx: RequestContext | undefined, current?: string) {
    if (!ctx) return [];
    const items = [
      { href: '/patient', text: 'Home', key: 'home' },
      { href: '/patient/record', text: 'My record', key: 'record' },
      { href: '/patient/results', text: 'Test results', key: 'results' },
      { href: '/patient/timeline', text: 'Timeline', key: 'timeline' },
      { href: '/patient/activity', text: 'Who has looked', key: 'activity' },
      { href: '/patient/sharing', text: 'Sharing choices', key: 'sharing' },
      ...(ctx.profiles.length > 1 ? [{ href: '/patient/profiles', text: 'People I care for', key: 'profiles' }] : []),
    ];
    return items.map((i) => ({ href: i.href, text: i.text, ...(i.key === current ? { current: true } : {}) }));
  }

  function layoutFor(ctx: RequestContext | undefined, current?: string): Record<string, unknown> {
    return {
      signedIn: !!ctx,
      userName: ctx?.userName,
      nav: navFor(ctx, current),
      ...(ctx && !ctx.profile.isOwn ? { actingFor: ctx.session.profile === ctx.profile.patientId ? ctx.session.profileName ?? 'the person you care for' : undefined } : {}),
    };
  }

  /** Opens the session, refreshing tokens when needed; undefined when signed out. */
  async function openSession(req: FastifyRequest, reply: FastifyReply): Promise<{ session: PatientSession; principal: Principal } | undefined> {
    const t = now();
    let session = await sessions.open<PatientSession>(readCookie(req, SESSION_COOKIE), t);
    if (!session || session.v !== 1) return undefined;
    if (session.atExp - 30_000 < t.getTime()) {
      const refreshed = session.rt ? await refreshTokens(post, issuerPath, session.rt) : undefined;
      if (!refreshed) {
        reply.header('set-cookie', cookie(SESSION_COOKIE, '', 0));
        return undefined;
      }
      session = withTokens(session, refreshed, t);
      reply.header('set-cookie', await sealSession(session));
    }
    try {
      return { session, principal: await deps.verifyAccessToken(session.at) };
    } catch {
      return undefined;
    }
  }

  function withTokens(s: PatientSession, tokens: TokenResponse, t: Date): PatientSession {
    return { ...s, at: tokens.access_token, ...(tokens.refresh_token ? { rt: tokens.refresh_token } : {}), atExp: t.getTime() + (tokens.expires_in ?? 300) * 1000 };
  }

  async function contextFor(req: FastifyRequest, reply: FastifyReply): Promise<RequestContext | undefined> {
    const opened = await openSession(req, reply);
    if (!opened) return undefined;
    const { session, principal } = opened;
    const t = now();
    const proxies = await deps.authStore.listProxyRelationships(session.uid, t);
    const profiles: ProfileOption[] = [
      ...(session.own ? [{ patientId: session.own, isOwn: true, permissions: [] }] : []),
      ...proxies.filter((p) => p.patientId !== session.own).map((p) => ({ patientId: p.patientId, isOwn: false, permissions: p.permissions })),
    ];
    const profile = profiles.find((p) => p.patientId === session.profile) ?? profiles[0];
    if (!profile) return undefined;
    const [directory, ownLevel] = await Promise.all([
      deps.sources.list(),
      session.own && deps.onlineLevel ? deps.onlineLevel(principal, session.own) : Promise.resolve<AccessLevel>('full'),
    ]);
    return {
      now: t, session, principal, profile, profiles, directory, glossary,
      client: createRecordClient(deps.router, principal, deps.fhirBase),
      csrf: csrfToken(csrfSecret, session.sid),
      viewer: profile.isOwn ? 'patient' : 'proxy',
      level: accessLevelFor(profile.isOwn, profile.permissions, ownLevel), ownLevel,
      userName: session.name ?? 'Signed in',
      log: req.log,
    };
  }

  function formOf(req: FastifyRequest): [string, string][] {
    return typeof req.body === 'string' ? [...new URLSearchParams(req.body)] : [];
  }

  async function answer(reply: FastifyReply, ctx: RequestContext, result: PageResult): Promise<FastifyReply> {
    if ('redirect' in result) {
      if (result.session) reply.header('set-cookie', await sealSession({ ...ctx.session, ...result.session }));
      return reply.header('cache-control', 'no-store').redirect(result.redirect, 303);
    }
    return renderPage(reply, result.view, result.title, result.model, result.status ?? 200, {
      layout: layoutFor(ctx, result.nav), csrf: ctx.csrf, errors: result.errors ?? [], ...(result.banner ? { banner: result.banner, bannerSuccess: true } : {}),
    });
  }

  function failurePage(reply: FastifyReply, req: FastifyRequest, ctx: RequestContext | undefined, err: unknown): FastifyReply {
    if (err instanceof RecordRequestError && (err.status === 404 || err.status === 410 || err.status === 403)) {
      return renderPage(reply, 'errors/not-found.njk', 'Page not found', {}, 404, { layout: layoutFor(ctx) });
    }
    req.log.error({ err }, 'patient app page failed');
    return renderPage(reply, 'errors/problem.njk', 'Sorry, there is a problem with the service', { requestId: req.id }, 500, { layout: layoutFor(ctx) });
  }

  await app.register(async (child) => {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT }, (_req, body, done) => done(null, body));
    registerAssets(child);

    const route = (method: 'GET' | 'POST', url: string, handler: PageHandler) => {
      child.route({
        method, url,
        handler: async (req, reply) => {
          let ctx: RequestContext | undefined;
          try {
            ctx = await contextFor(req, reply);
            if (!ctx) {
              if (method === 'GET' && url === '/patient') return renderPage(reply, 'start/start.njk', 'Your health record', {}, 200, { layout: layoutFor(undefined) });
              return reply.header('cache-control', 'no-store').redirect('/patient', 303);
            }
            const formAll = method === 'POST' ? formOf(req) : [];
            const form: Record<string, string> = {};
            for (const [k, v] of formAll) form[k] = k in form ? `${form[k]}\n${v}` : v;
            if (method === 'POST' && !isCsrfValid(csrfSecret, ctx.session.sid, form.csrf)) {
              return renderPage(reply, 'errors/problem.njk', 'Your form could not be sent', { message: 'The form was out of date or was not sent from this service. Go back, reload the page and try again.' }, 403, { layout: layoutFor(ctx) });
            }
            const pageReq: PageRequest = { ctx, params: (req.params ?? {}) as Record<string, string>, query: Object.fromEntries(Object.entries((req.query ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)])), form, formAll };
            return await answer(reply, ctx, await handler(pageReq));
          } catch (err) {
            return failurePage(reply, req, ctx, err);
          }
        },
      });
    };
    for (const p of PAGES) route(p.method, p.path, p.handler);

    // Sign in: PKCE and state in a short-lived sealed cookie, then off to Tessera's sign-in page.
    child.get('/patient/auth/sign-in', async (_req, reply) => {
      const t = now();
      const { verifier, challenge } = pkcePair();
      const state = randomBytes(16).toString('base64url');
      const sealed = await signIns.seal({ state, verifier } satisfies SignInState, t, new Date(t.getTime() + 15 * 60_000));
      return reply.header('set-cookie', cookie(SIGN_IN_COOKIE, sealed, 15 * 60, '/patient/auth')).header('cache-control', 'no-store')
        .redirect(authorizeUrl(issuerPath, publicUrl, deps.fhirBase, state, challenge), 303);
    });

    child.get<{ Querystring: { code?: string; state?: string; error?: string } }>('/patient/auth/callback', async (req, reply) => {
      const t = now();
      const pending = await signIns.open<SignInState>(readCookie(req, SIGN_IN_COOKIE), t);
      reply.header('set-cookie', cookie(SIGN_IN_COOKIE, '', 0, '/patient/auth'));
      const problem = (message: string) => renderPage(reply, 'errors/problem.njk', 'You could not be signed in', { message, retry: true }, 400, { layout: layoutFor(undefined) });
      if (req.query.error) return problem('Signing in was cancelled or not allowed. You can try again.');
      if (!pending || !req.query.state || req.query.state !== pending.state || !req.query.code) return problem('Your sign-in took too long or was started in another window. Try again.');
      const tokens = await exchangeCode(post, issuerPath, publicUrl, req.query.code, pending.verifier);
      if (!tokens) return problem('Your sign-in could not be completed. Try again.');
      let principal: Principal;
      try {
        principal = await deps.verifyAccessToken(tokens.access_token);
      } catch {
        return problem('Your sign-in could not be completed. Try again.');
      }
      if (principal.kind !== 'patient' || !principal.userId) return problem('This service is for patients and the people who care for them. Staff should use the clinician app.');
      const user = await deps.authStore.findUserById(principal.userId);
      const own = /^Patient\/(.+)$/.exec(principal.fhirUser ?? '')?.[1];
      const lastVisit = await visits.open<{ uid: string; t: number }>(readCookie(req, VISIT_COOKIE), t);
      const session: PatientSession = {
        v: 1, sid: randomUUID(), uid: principal.userId, at: tokens.access_token, atExp: t.getTime() + (tokens.expires_in ?? 300) * 1000,
        ...(tokens.refresh_token ? { rt: tokens.refresh_token } : {}),
        ...(own ? { own, profile: own } : {}),
        ...(lastVisit && lastVisit.uid === principal.userId ? { since: lastVisit.t } : {}),
        started: t.getTime(),
        ...(user ? { name: user.displayName } : {}),
      };
      const visitCookie = cookie(VISIT_COOKIE, await visits.seal({ uid: principal.userId, t: t.getTime() }, t, new Date(t.getTime() + 400 * 86_400_000)), 400 * 86_400);
      reply.header('set-cookie', [cookie(SIGN_IN_COOKIE, '', 0, '/patient/auth'), await sealSession(session), visitCookie]);
      return reply.header('cache-control', 'no-store').redirect('/patient', 303);
    });

    // Sign out: a confirmation page (a form with a CSRF token), then the session cookie is
    // cleared, the refresh token revoked, and the provider's sign-in session ended.
    child.get('/patient/auth/sign-out', async (req, reply) => {
      const ctx = await contextFor(req, reply);
      if (!ctx) return reply.redirect('/patient/signed-out', 303);
      return renderPage(reply, 'sign-out/sign-out.njk', 'Sign out', {}, 200, { layout: layoutFor(ctx), csrf: ctx.csrf });
    });
    child.post('/patient/auth/sign-out', async (req, reply) => {
      const t = now();
      const session = await sessions.open<PatientSession>(readCookie(req, SESSION_COOKIE), t);
      const form = Object.fromEntries(formOf(req));
      if (session && !isCsrfValid(csrfSecret, session.sid, form.csrf)) {
        return renderPage(reply, 'errors/problem.njk', 'Your form could not be sent', { message: 'The form was out of date. Go back, reload the page and try again.' }, 403, { layout: layoutFor(undefined) });
      }
      if (session?.rt) await revokeToken(post, issuerPath, session.rt);
      reply.header('set-cookie', cookie(SESSION_COOKIE, '', 0));
      return reply.header('cache-control', 'no-store').redirect(endSessionUrl(issuerPath, publicUrl), 303);
    });
    child.get('/patient/signed-out', async (_req, reply) =>
      renderPage(reply, 'sign-out/signed-out.njk', 'You have signed out', {}, 200, { layout: layoutFor(undefined) }));
    for (const [path, view, title] of [['/patient/about', 'about/about.njk', 'About this record'], ['/patient/accessibility', 'about/accessibility.njk', 'Accessibility statement']] as const) {
      child.get(path, async (req, reply) => renderPage(reply, view, title, {}, 200, { layout: layoutFor(await contextFor(req, reply).catch(() => undefined)) }));
    }
    child.get('/patient/*', async (req, reply) => renderPage(reply, 'errors/not-found.njk', 'Page not found', {}, 404, { layout: layoutFor(await contextFor(req, reply).catch(() => undefined)) }));
  });
}
