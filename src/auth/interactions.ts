/**
 * The sign-in and consent steps of an authorization (oidc-provider "interactions") as Fastify
 * routes under `<issuer path>/interaction/:uid`. Registered in their own encapsulated plugin with
 * a small url-encoded body parser, so they neither see nor disturb the FHIR adapter's parsers.
 * Every form carries a CSRF token bound to the interaction, whose id is itself bound to a signed
 * cookie; failed sign-ins are throttled per username and IP.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionDetails, Provider } from 'oidc-provider';
import type { Logger } from 'pino';
import type { AuthStore, AuthUser } from '../store/auth-store.js';
import { choosePatient, planConsent, type ConsentPlan } from './consent.js';
import type { LoginThrottle } from './login-throttle.js';
import { PAGE_HEADERS, describeScope, type AuthPages, type PageError, type PatientChoice } from './pages.js';
import { burnPasswordCheck, hashPassword, needsRehash, verifyPassword } from './passwords.js';
import type { ScopeParseOptions } from './scopes.js';

/** What the interaction routes need. */
export interface InteractionDeps {
  provider: Provider;
  /** The pages, in the NHS design system. */
  pages: AuthPages;
  store: AuthStore;
  throttle: LoginThrottle;
  /** The FHIR base URL (the resource indicator the provider uses). */
  fhirBase: string;
  /** Path prefix of the issuer, e.g. `/oauth2`. */
  mountPath: string;
  /** Secret for CSRF tokens (shared by all nodes). */
  csrfSecret: string;
  /** Seconds a grant (and so its launch context) lasts. */
  grantTtlSeconds: number;
  /** Finds a patient's display name; undefined when there is no such patient. */
  lookupPatient?: (id: string) => Promise<{ name: string } | undefined>;
  log: Logger;
  now: () => Date;
  scopeOptions?: ScopeParseOptions;
  /**
   * Clients Tessera itself registers (e.g. the patient app): their users trust Tessera already,
   * so asking "allow this app?" at every sign-in adds nothing. They get their grant without a
   * consent page, unless a choice is needed (whose record to open), which is still asked.
   */
  firstPartyClientIds?: readonly string[];
}

const FORM_LIMIT = 16 * 1024;

function csrfToken(secret: string, uid: string): string {
  return createHmac('sha256', secret).update(`tessera-csrf:${uid}`).digest('base64url');
}

function csrfMatches(secret: string, uid: string, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const expected = Buffer.from(csrfToken(secret, uid));
  const got = Buffer.from(submitted);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

function send(reply: FastifyReply, status: number, html: string, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(status).headers({ ...PAGE_HEADERS, ...headers }).send(html);
}

function formOf(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof req.body !== 'string') return out;
  for (const [k, v] of new URLSearchParams(req.body)) if (!(k in out)) out[k] = v;
  return out;
}

/** Registers the interaction routes (call inside an encapsulated plugin). */
export function registerInteractionRoutes(app: FastifyInstance, deps: InteractionDeps): void {
  const { provider, store, log, pages } = deps;
  const base = `${deps.mountPath}/interaction`;
  const expired = (reply: FastifyReply) =>
    send(reply, 400, pages.message('Sign-in expired', 'This sign-in has expired or was started in another browser. Go back to the app and start again.'));

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT }, (_req, body, done) => done(null, body));

  async function details(req: FastifyRequest<{ Params: { uid: string } }>, reply: FastifyReply): Promise<InteractionDetails | undefined> {
    try {
      const d = await provider.interactionDetails(req.raw, reply.raw);
      return d.uid === req.params.uid ? d : undefined;
    } catch {
      return undefined;
    }
  }

  async function clientName(clientId: string): Promise<string> {
    const client = await provider.Client.find(clientId);
    return (client?.clientName as string | undefined) ?? clientId;
  }

  async function loginPage(reply: FastifyReply, d: InteractionDetails, status: number, extra: { username?: string; errors?: PageError[] } = {}, headers: Record<string, string> = {}) {
    return send(reply, status, pages.login({
      action: `${base}/${d.uid}/login`, csrfToken: csrfToken(deps.csrfSecret, d.uid), clientName: await clientName(d.params.client_id), ...extra,
    }), headers);
  }

  async function consentModel(d: InteractionDetails, user: AuthUser): Promise<{ plan: ConsentPlan; choices: PatientChoice[] }> {
    const promptDetails = d.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
    const proxies = user.role === 'carer' ? await store.listProxyRelationships(user.id, deps.now()) : [];
    const plan = planConsent(user, proxies, promptDetails.missingOIDCScope ?? [], promptDetails.missingResourceScopes?.[deps.fhirBase] ?? [], deps.scopeOptions);
    const choices: PatientChoice[] = [];
    if (plan.patient.kind === 'choose') {
      for (const id of plan.patient.patientIds) {
        const name = (await deps.lookupPatient?.(id))?.name ?? `Patient ${id}`;
        choices.push({ id, label: id === plan.patient.ownPatientId ? `Yourself (${name})` : `${name} (you have proxy access)` });
      }
    }
    return { plan, choices };
  }

  async function consentPage(reply: FastifyReply, d: InteractionDetails, user: AuthUser, status: number, extra: { selectedPatient?: string; errors?: PageError[] } = {}) {
    const { plan, choices } = await consentModel(d, user);
    return send(reply, status, pages.consent({
      action: `${base}/${d.uid}/confirm`,
      csrfToken: csrfToken(deps.csrfSecret, d.uid),
      clientName: await clientName(d.params.client_id),
      userDisplayName: user.displayName,
      grants: [...plan.grantOidc, ...plan.grantResource].map(describeScope),
      refused: [...plan.rejectOidc, ...plan.rejectResource],
      patientChoices: choices,
      askPatientId: plan.patient.kind === 'enter',
      ...extra,
    }));
  }

  /** Saves the grant (and the patient in context) and hands the interaction back to the provider. */
  async function grantAndContinue(req: FastifyRequest, reply: FastifyReply, d: InteractionDetails, user: AuthUser, plan: ConsentPlan, patientId: string | undefined, isAutomatic = false): Promise<FastifyReply> {
    const grant = d.grantId ? await provider.Grant.find(d.grantId) : undefined;
    const g = grant ?? new provider.Grant({ accountId: user.id, clientId: d.params.client_id });
    if (plan.grantOidc.length) g.addOIDCScope(plan.grantOidc.join(' '));
    if (plan.rejectOidc.length) g.rejectOIDCScope(plan.rejectOidc.join(' '));
    if (plan.grantResource.length) g.addResourceScope(deps.fhirBase, plan.grantResource.join(' '));
    if (plan.rejectResource.length) g.rejectResourceScope(deps.fhirBase, plan.rejectResource.join(' '));
    const grantId = await g.save();
    if (patientId) await store.setLaunchContext(grantId, patientId, new Date(deps.now().getTime() + deps.grantTtlSeconds * 1000));
    log.info({ userId: user.id, clientId: d.params.client_id, granted: plan.grantResource, hasPatientContext: !!patientId, isFirstParty: isAutomatic }, 'access granted');
    const to = await provider.interactionResult(req.raw, reply.raw, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return reply.header('cache-control', 'no-store').redirect(to, 303);
  }

  const firstParty = new Set(deps.firstPartyClientIds ?? []);

  async function sessionUser(d: InteractionDetails): Promise<AuthUser | undefined> {
    const id = d.session?.accountId;
    const user = id ? await store.findUserById(id) : undefined;
    return user && !user.disabled ? user : undefined;
  }

  app.get<{ Params: { uid: string } }>(`${base}/:uid`, async (req, reply) => {
    const d = await details(req, reply);
    if (!d) return expired(reply);
    if (d.prompt.name === 'login') return loginPage(reply, d, 200);
    if (d.prompt.name === 'consent') {
      const user = await sessionUser(d);
      if (!user) return expired(reply);
      if (firstParty.has(d.params.client_id)) {
        // No question to ask when the patient in context is settled without a choice (none, or
        // the patient's own): grant what the user's role allows, as Allow would.
        const { plan } = await consentModel(d, user);
        if (plan.patient.kind === 'none' || plan.patient.kind === 'own') return grantAndContinue(req, reply, d, user, plan, choosePatient(plan.patient, undefined).patientId, true);
      }
      return consentPage(reply, d, user, 200);
    }
    return expired(reply);
  });

  app.post<{ Params: { uid: string } }>(`${base}/:uid/login`, async (req, reply) => {
    const d = await details(req, reply);
    if (!d || d.prompt.name !== 'login') return expired(reply);
    const form = formOf(req);
    if (!csrfMatches(deps.csrfSecret, d.uid, form.csrf)) return send(reply, 403, pages.message('Sign-in could not continue', 'The form was not sent from this sign-in page. Go back to the app and start again.'));
    const username = (form.username ?? '').trim();
    const password = form.password ?? '';
    const missing: PageError[] = [
      ...(username ? [] : [{ text: 'Enter your username', href: '#username' }]),
      ...(password ? [] : [{ text: 'Enter your password', href: '#password' }]),
    ];
    if (missing.length) return loginPage(reply, d, 400, { username, errors: missing });
    const verdict = await deps.throttle.check(username, req.ip);
    if (!verdict.isAllowed) {
      log.warn({ ip: req.ip }, 'sign-in throttled');
      const minutes = Math.ceil(verdict.retryAfterSeconds / 60);
      return loginPage(reply, d, 429, { username, errors: [{ text: `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, href: '#username' }] }, { 'retry-after': String(verdict.retryAfterSeconds) });
    }
    const user = await store.findUserByUsername(username);
    const isValid = user && !user.disabled ? await verifyPassword(password, user.passwordHash) : await burnPasswordCheck(password);
    if (!isValid || !user) {
      await deps.throttle.recordFailure(username, req.ip);
      log.info({ ip: req.ip, isKnownUser: !!user }, 'sign-in failed');
      // One message for unknown users and wrong passwords, so usernames cannot be discovered.
      return loginPage(reply, d, 401, { username, errors: [{ text: 'Enter a correct username and password', href: '#username' }] });
    }
    await deps.throttle.recordSuccess(username, req.ip);
    if (needsRehash(user.passwordHash)) await store.setPasswordHash(user.id, await hashPassword(password));
    log.info({ userId: user.id, clientId: d.params.client_id }, 'signed in');
    const to = await provider.interactionResult(req.raw, reply.raw, { login: { accountId: user.id, remember: false } }, { mergeWithLastSubmission: false });
    return reply.header('cache-control', 'no-store').redirect(to, 303);
  });

  app.post<{ Params: { uid: string } }>(`${base}/:uid/confirm`, async (req, reply) => {
    const d = await details(req, reply);
    if (!d || d.prompt.name !== 'consent') return expired(reply);
    const form = formOf(req);
    if (!csrfMatches(deps.csrfSecret, d.uid, form.csrf)) return send(reply, 403, pages.message('Sign-in could not continue', 'The form was not sent from this page. Go back to the app and start again.'));
    const user = await sessionUser(d);
    if (!user) return expired(reply);
    if (form.decision !== 'allow') {
      const to = await provider.interactionResult(req.raw, reply.raw, { error: 'access_denied', error_description: 'The user did not allow access' }, { mergeWithLastSubmission: false });
      return reply.redirect(to, 303);
    }
    const { plan } = await consentModel(d, user);
    const chosen = choosePatient(plan.patient, form.patient);
    let patientId = chosen.patientId;
    if (!chosen.error && patientId && plan.patient.kind === 'enter' && deps.lookupPatient && !(await deps.lookupPatient(patientId))) {
      patientId = undefined;
      chosen.error = 'There is no patient record with that id';
    }
    if (chosen.error) return consentPage(reply, d, user, 400, { errors: [{ text: chosen.error, href: '#patient' }], ...(form.patient ? { selectedPatient: form.patient } : {}) });

    return grantAndContinue(req, reply, d, user, plan, patientId);
  });
}
