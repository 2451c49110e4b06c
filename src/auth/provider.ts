/**
 * Tessera's OpenID Connect / OAuth 2.0 authorization server: oidc-provider (an OpenID-certified
 * library) configured for SMART App Launch 2.0 —
 * - authorization code with PKCE S256 (required for every client), public or `private_key_jwt`;
 * - client credentials for backend services, authenticated with `private_key_jwt` only;
 * - refresh tokens (`offline_access`, `online_access`), rotated for public clients;
 * - access tokens as RFC 9068 JWTs for one audience, the FHIR base URL, signed ES256;
 * - SMART scopes as the resource server's scopes, checked per request (see `resourceScopesFor`);
 * - the chosen patient (`launch/patient`) in the token and the token response.
 * All state is in the database (adapter, keys, cookie secrets), so any node serves any step.
 * @see https://hl7.org/fhir/smart-app-launch/STU2/app-launch.html
 * @see https://hl7.org/fhir/smart-app-launch/STU2/backend-services.html
 */
import Provider, { errors, type Configuration, type KoaContextWithOIDC, type ClientModel, type TokenModel } from 'oidc-provider';
import type { Logger } from 'pino';
import type { AuthStore } from '../store/auth-store.js';
import type { AuthConfig, ClientMetadata } from './auth-config.js';
import type { KeyRing } from './key-ring.js';
import { createOidcAdapter } from './oidc-adapter.js';
import { PAGE_HEADERS, type AuthPages } from './pages.js';
import { parseScopes, resourceScopes, scopeWithinAny, type ResourceScope, type ScopeParseOptions } from './scopes.js';

/** What the provider needs. */
export interface ProviderDeps {
  /** The issuer, e.g. `https://tessera.example/oauth2`; its path is where the provider is mounted. */
  issuer: string;
  /** The FHIR base URL: the only resource (audience) tokens are issued for. */
  fhirBase: string;
  /** Values accepted for the SMART `aud` authorization parameter (the FHIR base and its aliases). */
  audiences: readonly string[];
  store: AuthStore;
  keys: KeyRing;
  /** Secrets that sign cookies; the same on every node. */
  cookieKeys: string[];
  config: AuthConfig;
  log: Logger;
  scopeOptions?: ScopeParseOptions;
  /** First-party clients built into Tessera; a configured client with the same id wins. */
  builtinClients?: readonly ClientMetadata[];
  /** The sign-out and error pages (NHS design system). */
  pages: AuthPages;
}

/** OIDC scopes the provider knows (everything else is a SMART resource scope or refused). */
export const OIDC_SCOPES = ['openid', 'fhirUser', 'profile', 'offline_access', 'online_access', 'launch/patient'];

/** Where the interaction (sign-in/consent) pages live, relative to the issuer. */
export const INTERACTION_PATH = '/interaction';

function oneClaim(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The SMART scopes a client may ever be given (`allowed_smart_scopes`), if it has a cap. */
function clientCeiling(client: ClientModel | undefined, opts?: ScopeParseOptions): ResourceScope[] | undefined {
  const raw = oneClaim(client?.['allowed_smart_scopes']);
  return raw === undefined ? undefined : resourceScopes(parseScopes(raw, opts).scopes);
}

/**
 * The resource scopes an access token may carry in this request: the SMART scopes requested (or,
 * at the token endpoint, those on the code or refresh token being redeemed) that are well-formed,
 * in a context this grant type allows, and within the client's `allowed_smart_scopes`. The user's
 * own ceiling was applied at consent, and oidc-provider intersects with the grant.
 */
export function resourceScopesFor(ctx: KoaContextWithOIDC, opts?: ScopeParseOptions): string[] {
  const { params, entities, client } = ctx.oidc;
  const candidates = [params.scope, entities.AuthorizationCode?.scope, entities.RefreshToken?.scope]
    .filter((s): s is string => typeof s === 'string')
    .join(' ');
  const isClientCredentials = params.grant_type === 'client_credentials';
  const ceiling = clientCeiling(client, opts);
  const out: string[] = [];
  for (const s of resourceScopes(parseScopes(candidates, opts).scopes)) {
    if (isClientCredentials ? s.context !== 'system' : s.context === 'system') continue;
    // Backend clients must be registered with a cap; apps acting for a user may have one.
    if (ceiling ? !scopeWithinAny(s, ceiling) : isClientCredentials) continue;
    if (!out.includes(s.raw)) out.push(s.raw);
  }
  return out;
}

/** The auth pages' headers (strict CSP, no caching, no framing) on a provider-rendered page. */
function pageHeaders(ctx: KoaContextWithOIDC): void {
  ctx.type = 'html';
  for (const [k, v] of Object.entries(PAGE_HEADERS)) if (k !== 'content-type') ctx.set(k, v);
}

/** Creates the provider (not yet mounted). */
export function createProvider(deps: ProviderDeps): Provider {
  const { store, config, fhirBase, log } = deps;
  const mountPath = new URL(deps.issuer).pathname.replace(/\/$/, '');

  const configuration: Configuration = {
    adapter: createOidcAdapter(store),
    clients: [
      ...(deps.builtinClients ?? []).filter((b) => !config.clients.some((c) => c.client_id === b.client_id)),
      ...config.clients,
    ].map((c) => ({ ...c })),
    jwks: deps.keys.privateJwks(),
    cookies: {
      keys: deps.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    async findAccount(_ctx: unknown, sub: string) {
      const user = await store.findUserById(sub);
      if (!user || user.disabled) return undefined;
      return {
        accountId: user.id,
        claims() {
          const claims: Record<string, unknown> = { sub: user.id, name: user.displayName };
          if (user.fhirUser) claims.fhirUser = `${fhirBase}/${user.fhirUser}`;
          return claims;
        },
      };
    },
    claims: { openid: ['sub'], fhirUser: ['fhirUser'], profile: ['name'] },
    scopes: OIDC_SCOPES,
    extraParams: {
      // SMART requires the app to name the FHIR server it wants a token for; a token must never
      // be issued for a server that is not us (https://hl7.org/fhir/smart-app-launch/STU2/app-launch.html#obtain-authorization-code).
      async aud(ctx: KoaContextWithOIDC, value: unknown) {
        const wantsResource = resourceScopes(parseScopes(ctx.oidc.params.scope, deps.scopeOptions).scopes).length > 0;
        if (value === undefined) {
          if (wantsResource) throw new errors.InvalidRequest('aud is required: the FHIR base URL of this server');
          return;
        }
        if (typeof value !== 'string' || !deps.audiences.includes(value.replace(/\/$/, ''))) {
          throw new errors.InvalidRequest('aud is not the FHIR base URL of this server');
        }
      },
      launch: null,
    },
    clientAuthMethods: ['none', 'private_key_jwt'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      id_token_signed_response_alg: 'RS256',
    },
    enabledJWA: {
      clientAuthSigningAlgValues: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'],
      idTokenSigningAlgValues: ['RS256', 'ES256'],
    },
    extraClientMetadata: {
      properties: ['allowed_smart_scopes'],
      validator(_ctx: unknown, key: string, value: unknown) {
        if (key !== 'allowed_smart_scopes' || value === undefined) return;
        if (typeof value !== 'string' || parseScopes(value, deps.scopeOptions).invalid.length > 0) {
          throw new errors.InvalidRequest('allowed_smart_scopes must be space-separated SMART resource scopes');
        }
      },
    },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // An app may revoke only its own tokens (RFC 7009 §2.1).
      revocation: { enabled: true, allowedPolicy: async (_ctx: unknown, client: ClientModel, token: TokenModel) => token.clientId === client.clientId },
      introspection: { enabled: false },
      userinfo: { enabled: false },
      registration: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx: KoaContextWithOIDC, form: string) {
          // `form` is the library's own hidden form with its CSRF token.
          pageHeaders(ctx);
          ctx.body = deps.pages.logout(form);
        },
        async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
          pageHeaders(ctx);
          ctx.body = deps.pages.message('You have signed out', 'You have signed out of Tessera. You can close this window.');
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => fhirBase,
        useGrantedResource: async () => true,
        async getResourceServerInfo(ctx: KoaContextWithOIDC, resource: string) {
          if (resource.replace(/\/$/, '') !== fhirBase) throw new errors.InvalidTarget('the only resource is this server\u2019s FHIR API');
          const isSystem = ctx.oidc.params.grant_type === 'client_credentials';
          return {
            scope: resourceScopesFor(ctx, deps.scopeOptions).join(' '),
            audience: fhirBase,
            accessTokenTTL: isSystem ? config.systemTokenTtl : config.accessTokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    async extraTokenClaims(_ctx: unknown, token: TokenModel) {
      if (!token.accountId) return undefined;
      const user = await store.findUserById(token.accountId);
      if (!user) return undefined;
      const claims: Record<string, unknown> = { role: user.role };
      if (user.fhirUser) claims.fhirUser = `${fhirBase}/${user.fhirUser}`;
      if (user.organization) claims.organization = user.organization;
      if (token.grantId) {
        const launch = await store.getLaunchContext(token.grantId);
        if (launch) claims.patient = launch.patientId;
      }
      return claims;
    },
    // Every authorization goes through the consent step (where the patient is chosen): grants
    // are never silently reused from an earlier visit. First-party clients pass that step
    // without a page (`interactions.ts`), third-party apps are always asked.
    async loadExistingGrant(ctx: KoaContextWithOIDC & { oidc: { result?: { consent?: { grantId?: string } } } }) {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    async issueRefreshToken(_ctx: unknown, client: ClientModel, code: { scopes: Set<string> }) {
      return client.grantTypeAllowed('refresh_token') && (code.scopes.has('offline_access') || code.scopes.has('online_access'));
    },
    clientBasedCORS(_ctx: unknown, origin: string, client: ClientModel & { redirectUris?: string[] }) {
      if (origin === 'null') return false;
      return (client.redirectUris ?? []).some((uri) => URL.canParse(uri) && new URL(uri).origin === origin);
    },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `${mountPath}${INTERACTION_PATH}/${interaction.uid}`,
    },
    ttl: {
      AccessToken: config.accessTokenTtl,
      ClientCredentials: config.systemTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: config.refreshTokenTtl,
      Grant: config.refreshTokenTtl,
      Interaction: 30 * 60,
      Session: 8 * 3600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
      PreAuthorizedCode: 600,
    },
    async renderError(ctx: KoaContextWithOIDC, out: { error?: string }, error: Error) {
      // Only the OAuth error code reaches the page; descriptions can echo request parameters.
      log.info({ oauthError: out.error, err: { name: error.name, message: error.message } }, 'authorization error page');
      pageHeaders(ctx);
      ctx.body = deps.pages.message('Sign-in could not continue', `The request could not be completed (${out.error ?? 'error'}). Go back to the app and try again.`);
    },
  };

  const provider = new Provider(deps.issuer, configuration);
  provider.proxy = config.trustProxy;

  provider.use(async (ctx, next) => {
    // OpenID Connect drops offline_access unless the user is prompted for consent; Tessera
    // always asks for consent, so say so (https://openid.net/specs/openid-connect-core-1_0.html#OfflineAccess).
    if (ctx.method === 'GET' && ctx.path === '/auth') {
      const prompt = typeof ctx.query.prompt === 'string' ? ctx.query.prompt.split(' ') : [];
      if (!prompt.includes('none') && !prompt.includes('consent')) {
        const c = ctx as unknown as { query: Record<string, unknown>; url: string; req: { originalUrl?: string } };
        c.query = { ...ctx.query, prompt: [...prompt, 'consent'].join(' ') };
        // oidc-provider finds its mount path by comparing the original and the current URL.
        c.req.originalUrl = `${mountPath}${c.url}`;
      }
    }
    await next();
    if (ctx.oidc?.route === 'token' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
      await completeTokenResponse(ctx, store);
    }
  });

  provider.on('server_error', (_ctx: unknown, err: unknown) => {
    log.error({ err }, 'oidc-provider server error');
  });
  for (const event of ['grant.error', 'authorization.error', 'backchannel.error', 'revocation.error', 'end_session.error']) {
    provider.on(event, (_ctx: unknown, err: unknown) => {
      const e = err as { name?: string; message?: string; error_description?: string };
      log.info({ event, err: { name: e?.name, message: e?.message, description: e?.error_description, detail: (e as { error_detail?: string })?.error_detail, cause: (e as { cause?: { message?: string } })?.cause?.message } }, 'oauth request refused');
    });
  }
  return provider;
}

/**
 * SMART token response extras: the patient in context, and the OpenID scopes granted alongside
 * the resource scopes (oidc-provider lists only the latter for a resource-bound token).
 */
async function completeTokenResponse(ctx: KoaContextWithOIDC, store: AuthStore): Promise<void> {
  const body = ctx.body as Record<string, unknown>;
  const source = ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken;
  const grant = ctx.oidc.entities.Grant;
  if (!source || !grant) return;
  if (source.grantId) {
    const launch = await store.getLaunchContext(source.grantId);
    if (launch) body.patient = launch.patientId;
  }
  const requested = new Set(String(source.scope ?? '').split(' ').filter(Boolean));
  const oidc = grant.getOIDCScopeFiltered(requested).split(' ').filter(Boolean);
  const scopes = [...new Set([...oidc, ...String(body.scope ?? '').split(' ').filter(Boolean)])];
  if (scopes.length) body.scope = scopes.join(' ');
}
