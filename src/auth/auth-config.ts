/**
 * Sign-in and token settings, validated with zod. `loadAuthConfig(env)` is called by
 * `config/config.ts` (the only reader of `process.env`), which stores the result as `config.auth`.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `TESSERA_AUTH_MODE` | `builtin`: Tessera is the OpenID Connect provider; `external`: trust tokens from another issuer | builtin |
 * | `TESSERA_AUTH_ACCESS_TOKEN_TTL` | seconds an access token from a sign-in lasts | 3600 |
 * | `TESSERA_AUTH_SYSTEM_TOKEN_TTL` | seconds a client-credentials (backend) token lasts | 900 |
 * | `TESSERA_AUTH_REFRESH_TOKEN_TTL` | seconds a refresh token lasts | 1209600 (14 days) |
 * | `TESSERA_AUTH_LOGIN_MAX_FAILURES` | failed sign-ins per username and IP before throttling | 5 |
 * | `TESSERA_AUTH_LOGIN_WINDOW` | seconds the failures are counted over, and the lock-out | 900 |
 * | `TESSERA_AUTH_CLIENTS` | JSON array of OAuth client metadata (RFC 7591 names) registered at start | [] |
 * | `TESSERA_TRUST_PROXY` | `true` behind a TLS-terminating proxy: trust `X-Forwarded-*` | false |
 * | `TESSERA_INSECURE_OPEN_API` | `true`: NO authentication — every FHIR request acts as a backend system, nothing is audited. For benchmarking the cost of access control only; refused unless listening on a loopback address | false |
 * | `TESSERA_AUTH_EXTERNAL_ISSUER` | external mode: the trusted issuer (`iss`) | — |
 * | `TESSERA_AUTH_EXTERNAL_JWKS_URL` | external mode: its JWKS URL | — |
 * | `TESSERA_AUTH_EXTERNAL_JWKS` | external mode: or a static JWKS (JSON) | — |
 * | `TESSERA_AUTH_EXTERNAL_AUDIENCE` | external mode: required `aud` | the FHIR base URL |
 * | `TESSERA_AUTH_EXTERNAL_ALGS` | external mode: accepted JWS algorithms, comma-separated | RS256,PS256,ES256 |
 * | `TESSERA_AUTH_EXTERNAL_CLAIMS` | external mode: JSON map of Principal field → claim name | see `DEFAULT_EXTERNAL_CLAIMS` |
 * | `TESSERA_AUTH_EXTERNAL_KIND` | external mode: principal kind when no role claim decides it | patient |
 * | `TESSERA_AUTH_EXTERNAL_DEFAULT_SCOPE` | external mode: scopes assumed when the token has none | — |
 * | `TESSERA_AUTH_EXTERNAL_AUTHORIZE_URL`, `TESSERA_AUTH_EXTERNAL_TOKEN_URL` | external mode: advertised in smart-configuration | — |
 */
import { z } from 'zod';

/** The claims an external token is mapped from, by Principal field. */
export const DEFAULT_EXTERNAL_CLAIMS = {
  subject: 'sub',
  scope: 'scope',
  clientId: 'client_id',
  fhirUser: 'fhirUser',
  patient: 'patient',
  role: 'role',
  /** NHS login puts the NHS number here; the lead's resolver maps it to a Patient. */
  nhsNumber: 'nhs_number',
} as const;

const claimMapSchema = z.object({
  subject: z.string().min(1),
  scope: z.string().min(1),
  clientId: z.string().min(1),
  fhirUser: z.string().min(1),
  patient: z.string().min(1),
  role: z.string().min(1),
  nhsNumber: z.string().min(1),
});

const jwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) });

const ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const externalSchema = z
  .object({
    issuer: z.string().url(),
    jwksUrl: z.string().url().optional(),
    jwks: jwksSchema.optional(),
    audience: z.string().min(1).optional(),
    algorithms: z.array(z.enum(ALGS)).min(1),
    claims: claimMapSchema,
    kind: z.enum(['patient', 'practitioner']),
    defaultScope: z.string().min(1).optional(),
    authorizationEndpoint: z.string().url().optional(),
    tokenEndpoint: z.string().url().optional(),
  })
  .refine((e) => (e.jwksUrl === undefined) !== (e.jwks === undefined), { message: 'set exactly one of TESSERA_AUTH_EXTERNAL_JWKS_URL or TESSERA_AUTH_EXTERNAL_JWKS', path: ['jwks'] });

/**
 * Client metadata as in RFC 7591 / OpenID Connect Dynamic Client Registration. Public apps use
 * `none` (PKCE); backend services `private_key_jwt` with `jwks` or `jwks_uri`. Shared secrets
 * are not offered. `allowed_smart_scopes` (Tessera's own) caps the SMART scopes a client may get.
 */
const clientSchema = z
  .object({
    client_id: z.string().min(1),
    redirect_uris: z.array(z.string().url()).optional(),
    grant_types: z.array(z.string()).optional(),
    token_endpoint_auth_method: z.enum(['none', 'private_key_jwt']).optional(),
    jwks: jwksSchema.optional(),
    jwks_uri: z.string().url().optional(),
    client_name: z.string().optional(),
    allowed_smart_scopes: z.string().optional(),
  })
  .catchall(z.unknown());

const authConfigSchema = z
  .object({
    mode: z.enum(['builtin', 'external']),
    accessTokenTtl: z.coerce.number().int().min(60).max(86_400),
    systemTokenTtl: z.coerce.number().int().min(60).max(86_400),
    refreshTokenTtl: z.coerce.number().int().min(300).max(400 * 86_400),
    loginMaxFailures: z.coerce.number().int().min(1).max(1000),
    loginWindowSeconds: z.coerce.number().int().min(10).max(86_400),
    clients: z.array(clientSchema),
    trustProxy: z.boolean(),
    openApi: z.boolean(),
    external: externalSchema.optional(),
  })
  .refine((c) => c.mode !== 'external' || c.external !== undefined, { message: 'external mode needs TESSERA_AUTH_EXTERNAL_ISSUER and a JWKS', path: ['external'] });

/** Validated sign-in and token settings. */
export type AuthConfig = Readonly<z.infer<typeof authConfigSchema>>;
/** Settings for trusting an external OpenID Connect provider. */
export type ExternalIssuerConfig = NonNullable<AuthConfig['external']>;
/** OAuth client metadata registered from configuration. */
export type ClientMetadata = z.infer<typeof clientSchema>;

function json(name: string, value: string | undefined): unknown {
  if (value === undefined || value === '') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    throw new Error(`Invalid configuration: ${name} is not valid JSON`);
  }
}

/**
 * Builds the auth settings from an environment map. Throws a readable error naming the bad
 * setting (values are never echoed: some are secrets).
 */
export function loadAuthConfig(env: Record<string, string | undefined>): AuthConfig {
  const hasExternal = !!env.TESSERA_AUTH_EXTERNAL_ISSUER;
  const raw = {
    mode: env.TESSERA_AUTH_MODE || 'builtin',
    accessTokenTtl: env.TESSERA_AUTH_ACCESS_TOKEN_TTL || 3600,
    systemTokenTtl: env.TESSERA_AUTH_SYSTEM_TOKEN_TTL || 900,
    refreshTokenTtl: env.TESSERA_AUTH_REFRESH_TOKEN_TTL || 14 * 86_400,
    loginMaxFailures: env.TESSERA_AUTH_LOGIN_MAX_FAILURES || 5,
    loginWindowSeconds: env.TESSERA_AUTH_LOGIN_WINDOW || 900,
    clients: json('TESSERA_AUTH_CLIENTS', env.TESSERA_AUTH_CLIENTS) ?? [],
    trustProxy: env.TESSERA_TRUST_PROXY === 'true',
    openApi: env.TESSERA_INSECURE_OPEN_API === 'true',
    external: hasExternal
      ? {
          issuer: env.TESSERA_AUTH_EXTERNAL_ISSUER,
          jwksUrl: env.TESSERA_AUTH_EXTERNAL_JWKS_URL || undefined,
          jwks: json('TESSERA_AUTH_EXTERNAL_JWKS', env.TESSERA_AUTH_EXTERNAL_JWKS),
          audience: env.TESSERA_AUTH_EXTERNAL_AUDIENCE || undefined,
          algorithms: (env.TESSERA_AUTH_EXTERNAL_ALGS || 'RS256,PS256,ES256').split(',').map((s) => s.trim()).filter(Boolean),
          claims: { ...DEFAULT_EXTERNAL_CLAIMS, ...(json('TESSERA_AUTH_EXTERNAL_CLAIMS', env.TESSERA_AUTH_EXTERNAL_CLAIMS) as object | undefined) },
          kind: env.TESSERA_AUTH_EXTERNAL_KIND || 'patient',
          defaultScope: env.TESSERA_AUTH_EXTERNAL_DEFAULT_SCOPE || undefined,
          authorizationEndpoint: env.TESSERA_AUTH_EXTERNAL_AUTHORIZE_URL || undefined,
          tokenEndpoint: env.TESSERA_AUTH_EXTERNAL_TOKEN_URL || undefined,
        }
      : undefined,
  };
  const parsed = authConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `auth.${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return deepFreeze(parsed.data);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
