/**
 * Assembles sign-in and tokens and mounts them on Fastify:
 * - `/.well-known/smart-configuration` and `/fhir/.well-known/smart-configuration`;
 * - in `builtin` mode, oidc-provider at the issuer path (`/oauth2/*`: `/auth`, `/token`, `/jwks`,
 *   `/token/revocation`, `/session/end`, `/.well-known/openid-configuration`) and the sign-in and
 *   consent pages at `/oauth2/interaction/:uid`;
 * - `verifyAccessToken` for the FHIR API (Tessera's own tokens, and the external issuer's when
 *   configured).
 * The provider routes get the raw request: they live in an encapsulated plugin whose only body
 * "parser" leaves the stream unread, and the reply is hijacked and handed to the provider.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JWTPayload } from 'jose';
import type { Logger } from 'pino';
import type { SqlClient } from '../store/database.js';
import { AuthStore } from '../store/auth-store.js';
import type { AuthConfig, ClientMetadata } from './auth-config.js';
import { registerNhsukAssets } from '../design-system/nhsuk-assets.js';
import { registerInteractionRoutes } from './interactions.js';
import { createAuthPages } from './pages.js';
import { KeyRing } from './key-ring.js';
import { LoginThrottle } from './login-throttle.js';
import type { Principal } from './principal.js';
import type { ScopeParseOptions } from './scopes.js';
import { builtinEndpoints, capabilitySecurity, externalEndpoints, smartConfiguration, type SmartEndpoints } from './smart-configuration.js';
import { createTokenVerifier, type VerifyAccessToken } from './verify-token.js';

/** What sign-in and tokens need. */
export interface AuthDeps {
  /** The database (any node's connection; all state is shared through it). */
  db: SqlClient;
  config: AuthConfig;
  /** Public base URL of this Tessera, e.g. `https://tessera.example` (the FHIR base is `<it>/fhir`). */
  publicUrl: string;
  log: Logger;
  /** Finds a patient's display name (consent page, staff patient picker); undefined if none. */
  lookupPatient?: (id: string) => Promise<{ name: string } | undefined>;
  /** Completes a principal from an external token (e.g. NHS number → Patient). */
  resolveExternal?: (principal: Principal, claims: JWTPayload) => Promise<Principal | undefined>;
  /** Resource-type check for scopes, e.g. `(t) => RESOURCE_TYPES.has(t)`. */
  isResourceType?: (name: string) => boolean;
  /**
   * First-party OAuth clients built into Tessera (e.g. the patient app), registered beside the
   * configured ones; sign-in grants them what the user's role allows without a consent page.
   */
  builtinClients?: readonly ClientMetadata[];
  now?: () => Date;
}

/** Sign-in and token services for the rest of the server. */
export interface Auth {
  /** Verifies a bearer token (throws `TokenError`, an OperationOutcomeError with 401/403). */
  verifyAccessToken: VerifyAccessToken;
  /** Tessera's own issuer URL. */
  issuer: string;
  /** The FHIR base URL: every access token's audience. */
  fhirBase: string;
  /** The authorization server advertised to apps. */
  endpoints: SmartEndpoints;
  /** The `/.well-known/smart-configuration` document. */
  smartConfiguration: Record<string, unknown>;
  /** The CapabilityStatement `rest.security` element. */
  capabilitySecurity: Record<string, unknown>;
  keys: KeyRing;
  store: AuthStore;
  /** Stops background cleanup. */
  close(): void;
}

/** The FHIR base URL and the `aud` values accepted for it (localhost and 127.0.0.1 are the same machine). */
export function audiencesFor(publicUrl: string): { fhirBase: string; audiences: string[] } {
  const base = publicUrl.replace(/\/$/, '');
  const fhirBase = `${base}/fhir`;
  const audiences = [fhirBase];
  const u = new URL(base);
  const loopback = ['localhost', '127.0.0.1', '[::1]'];
  if (loopback.includes(u.hostname)) {
    for (const h of loopback) {
      const v = new URL(base);
      v.hostname = h;
      const alias = `${v.href.replace(/\/$/, '')}/fhir`;
      if (!audiences.includes(alias)) audiences.push(alias);
    }
  }
  return { fhirBase, audiences };
}

/**
 * Tessera's public base URL from its settings: `baseUrl` when set (behind a proxy), else
 * `http://localhost:<port>` for loopback and wildcard hosts, else `http://<host>:<port>`. The
 * server and the command line must agree on it: it fixes the issuer and the token audience.
 */
export function publicUrlFor(c: { baseUrl?: string | undefined; host: string; port: number }): string {
  if (c.baseUrl) return c.baseUrl.replace(/\/$/, '');
  const local = ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost'].includes(c.host);
  return `http://${local ? 'localhost' : c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port}`;
}

/** The issuer for a public base URL. */
export function issuerFor(publicUrl: string): string {
  return `${publicUrl.replace(/\/$/, '')}/oauth2`;
}

/** Creates the auth services without mounting anything (CLI, tests). */
export async function createAuth(deps: AuthDeps): Promise<Auth> {
  const store = new AuthStore(deps.db);
  const keys = await KeyRing.open(store);
  const issuer = issuerFor(deps.publicUrl);
  const { fhirBase } = audiencesFor(deps.publicUrl);
  const scopeOptions: ScopeParseOptions = deps.isResourceType ? { isResourceType: deps.isResourceType } : {};
  const verifyAccessToken = createTokenVerifier({
    issuer, audience: fhirBase, keys, scopeOptions,
    ...(deps.config.external ? { external: deps.config.external } : {}),
    ...(deps.resolveExternal ? { resolveExternal: deps.resolveExternal } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const isBuiltin = deps.config.mode === 'builtin';
  const endpoints = isBuiltin || !deps.config.external ? builtinEndpoints(issuer) : externalEndpoints(deps.config.external);
  const now = deps.now ?? (() => new Date());
  const timer = setInterval(() => {
    store.deleteExpired(now(), deps.config.loginWindowSeconds).catch((err: unknown) => deps.log.warn({ err }, 'auth cleanup failed'));
  }, 15 * 60_000);
  timer.unref();
  return {
    verifyAccessToken, issuer, fhirBase, endpoints, keys, store,
    smartConfiguration: smartConfiguration(endpoints, { isBuiltin }),
    capabilitySecurity: capabilitySecurity(endpoints),
    close: () => clearInterval(timer),
  };
}

/**
 * Creates the auth services and mounts their routes on `app` (before `app.ready()`/`listen()`).
 * Closes with the app.
 */
export async function registerAuth(app: FastifyInstance, deps: AuthDeps): Promise<Auth> {
  const auth = await createAuth(deps);
  app.addHook('onClose', async () => auth.close());

  const sendSmartConfiguration = async (_req: FastifyRequest, reply: FastifyReply) =>
    reply.headers({ 'content-type': 'application/json; charset=utf-8', 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=300' }).send(JSON.stringify(auth.smartConfiguration));
  app.get('/.well-known/smart-configuration', sendSmartConfiguration);
  app.get('/fhir/.well-known/smart-configuration', sendSmartConfiguration);

  if (deps.config.mode !== 'builtin') return auth;

  const { createProvider } = await import('./provider.js');
  const { audiences } = audiencesFor(deps.publicUrl);
  const cookieKey = await auth.store.ensureSecret('cookie-key-1', randomBytes(32).toString('base64url'));
  const csrfSecret = await auth.store.ensureSecret('csrf-key-1', randomBytes(32).toString('base64url'));
  const scopeOptions: ScopeParseOptions = deps.isResourceType ? { isResourceType: deps.isResourceType } : {};
  const mountPath = new URL(auth.issuer).pathname.replace(/\/$/, '');
  const now = deps.now ?? (() => new Date());
  // The pages' design system is served beside the provider, under its mount path.
  const assetBase = `${mountPath}/assets/nhsuk`;
  const pages = createAuthPages(assetBase);
  const provider = createProvider({
    pages,
    issuer: auth.issuer, fhirBase: auth.fhirBase, audiences, store: auth.store, keys: auth.keys,
    cookieKeys: [cookieKey], config: deps.config, log: deps.log, scopeOptions,
    ...(deps.builtinClients ? { builtinClients: deps.builtinClients } : {}),
  });

  await app.register(async (child) => {
    registerNhsukAssets(child, assetBase);
    registerInteractionRoutes(child, {
      provider, pages, store: auth.store, fhirBase: auth.fhirBase, mountPath, csrfSecret, log: deps.log, now, scopeOptions,
      grantTtlSeconds: deps.config.refreshTokenTtl,
      throttle: new LoginThrottle(auth.store, { maxFailures: deps.config.loginMaxFailures, windowSeconds: deps.config.loginWindowSeconds, now }),
      ...(deps.lookupPatient ? { lookupPatient: deps.lookupPatient } : {}),
      // A configured client with a built-in id replaces the built-in one, and is not first-party.
      firstPartyClientIds: (deps.builtinClients ?? []).map((c) => c.client_id).filter((id) => !deps.config.clients.some((c) => c.client_id === id)),
    });
  });

  await app.register(async (child) => {
    // Leave the body stream unread: oidc-provider parses (and size-limits) it itself.
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
    const callback = provider.callback();
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      reply.hijack();
      const raw = req.raw as IncomingMessage & { originalUrl?: string };
      raw.originalUrl = raw.url;
      raw.url = (raw.url ?? '/').slice(mountPath.length) || '/';
      await callback(raw, reply.raw);
    };
    child.route({ method: ['GET', 'POST', 'OPTIONS', 'DELETE', 'PUT'], url: `${mountPath}/*`, handler });
  });
  return auth;
}
