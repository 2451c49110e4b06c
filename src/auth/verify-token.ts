/**
 * Bearer-token verification: signature against the issuer's keys, an algorithm allow-list (never
 * `none`, never HMAC), `iss`, `aud` (the FHIR base URL), `exp`/`nbf`, then the claims mapped to a
 * `Principal`. Tokens from Tessera's own issuer are checked against the shared key ring; tokens
 * from a configured external OpenID Connect provider (NHS login, NHS CIS2 …) against its JWKS.
 * Stateless: no database read per request (keys are cached; an unknown `kid` triggers a re-read).
 * @see https://www.rfc-editor.org/rfc/rfc9068 (JWT access tokens)
 * @see https://hl7.org/fhir/smart-app-launch/STU2/app-launch.html#step-5-access-token
 */
import {
  createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify,
  type JWTPayload, type JWTVerifyGetKey,
} from 'jose';
import { OperationOutcomeError, issue, outcomeOf } from '../fhir/outcome.js';
import type { ExternalIssuerConfig } from './auth-config.js';
import type { KeyRing } from './key-ring.js';
import { TokenError, type Principal, type PrincipalKind, type TokenFailure } from './principal.js';
import { isPublicRole } from './roles.js';
import { parseScopes, resourceScopes, type ScopeContext, type ScopeParseOptions } from './scopes.js';

/** Verifies a bearer token, resolving to who is calling or throwing `TokenError`. */
export type VerifyAccessToken = (token: string) => Promise<Principal>;

/** What the verifier trusts. */
export interface TokenVerifierOptions {
  /** Tessera's own issuer, e.g. `https://tessera.example/oauth2`. */
  issuer: string;
  /** The FHIR base URL every access token must name in `aud`. */
  audience: string;
  /** Tessera's signing keys. */
  keys: KeyRing;
  /** Algorithms accepted for Tessera's own tokens. */
  algorithms?: readonly string[];
  /** An external issuer to trust as well. */
  external?: ExternalIssuerConfig;
  /**
   * Completes a principal from an external token, e.g. finds the Patient for an NHS number.
   * Returning undefined refuses the token (401).
   */
  resolveExternal?: (principal: Principal, claims: JWTPayload) => Promise<Principal | undefined>;
  /** Resource type check for scopes (e.g. the R4 list). */
  scopeOptions?: ScopeParseOptions;
  /** Clock, for tests. */
  now?: () => Date;
  /** Seconds of clock skew tolerated on `exp`/`nbf`. */
  clockToleranceSeconds?: number;
}

/** The scope contexts each kind of principal may hold. */
const CONTEXTS: Record<PrincipalKind, readonly ScopeContext[]> = {
  patient: ['patient'],
  proxy: ['patient'],
  practitioner: ['patient', 'user'],
  system: ['system'],
};

const FHIR_USER_TYPES = /(?:^|\/)((?:Patient|Practitioner|PractitionerRole|RelatedPerson|Person)\/[A-Za-z0-9\-.]{1,64})$/;

/** `https://x/fhir/Patient/1` or `Patient/1` → `Patient/1`; undefined when not a user reference. */
export function relativeFhirUser(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return FHIR_USER_TYPES.exec(value)?.[1];
}

function mapJoseError(err: unknown): TokenFailure | undefined {
  if (err instanceof TokenError) return err.reason;
  if (err instanceof joseErrors.JWTExpired) return 'expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return 'wrong-audience';
    if (err.claim === 'iss') return 'wrong-issuer';
    if (err.claim === 'nbf') return 'not-yet-valid';
    return 'invalid-claims';
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'alg-not-allowed';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad-signature';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'unknown-key';
  if (err instanceof joseErrors.JWKSTimeout || (err instanceof joseErrors.JOSEError && err.code === 'ERR_JOSE_GENERIC')) return undefined;
  if (err instanceof joseErrors.JOSEError) return 'malformed';
  return undefined;
}

function unavailable(): OperationOutcomeError {
  return new OperationOutcomeError(503, outcomeOf([issue('transient', 'The identity provider keys could not be fetched; try again shortly')]), { 'retry-after': '30' });
}

function claimString(claims: JWTPayload, name: string): string | undefined {
  const v = claims[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Creates the verifier. */
export function createTokenVerifier(opts: TokenVerifierOptions): VerifyAccessToken {
  const algorithms = [...(opts.algorithms ?? ['ES256', 'RS256'])];
  const now = opts.now ?? (() => new Date());
  const clockTolerance = opts.clockToleranceSeconds ?? 30;
  const external = opts.external;
  const externalKeys: JWTVerifyGetKey | undefined = external
    ? external.jwksUrl
      ? createRemoteJWKSet(new URL(external.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 })
      : createLocalJWKSet(external.jwks as Parameters<typeof createLocalJWKSet>[0])
    : undefined;

  const localKey: JWTVerifyGetKey = async (header) => {
    const key = await opts.keys.verificationKey(header.kid, header.alg);
    if (!key) throw new TokenError('unknown-key');
    return key;
  };

  function principalFromLocal(claims: JWTPayload): Principal {
    const clientId = claimString(claims, 'client_id');
    const subject = claims.sub;
    if (!clientId || !subject) throw new TokenError('invalid-claims');
    const role = claimString(claims, 'role');
    const fhirUser = relativeFhirUser(claims.fhirUser);
    const patient = claimString(claims, 'patient');
    let kind: PrincipalKind;
    if (!role) {
      // Client-credentials tokens have no user: their subject is the client itself.
      if (subject !== clientId) throw new TokenError('invalid-claims');
      kind = 'system';
    } else if (role === 'patient') kind = 'patient';
    else if (role === 'carer') kind = patient && fhirUser !== `Patient/${patient}` ? 'proxy' : 'patient';
    else kind = 'practitioner';
    const p: Principal = base(claims, kind, clientId, subject, opts.issuer);
    if (role) {
      p.userId = subject;
      p.role = role;
    }
    if (fhirUser) p.fhirUser = fhirUser;
    if (patient) p.patient = patient;
    const organization = claimString(claims, 'organization');
    if (organization) p.organization = organization;
    return p;
  }

  async function principalFromExternal(ext: ExternalIssuerConfig, claims: JWTPayload): Promise<Principal> {
    const c = ext.claims;
    const subject = claimString(claims, c.subject);
    if (!subject) throw new TokenError('invalid-claims');
    const clientId = claimString(claims, c.clientId) ?? claimString(claims, 'azp') ?? ext.issuer;
    const rawScope = claims[c.scope];
    const scope = Array.isArray(rawScope) ? rawScope.filter((s) => typeof s === 'string').join(' ') : typeof rawScope === 'string' ? rawScope : (ext.defaultScope ?? '');
    const role = claimString(claims, c.role);
    const kind: PrincipalKind = role ? (isPublicRole(role) ? 'patient' : 'practitioner') : ext.kind;
    const p = base({ ...claims, scope }, kind, clientId, subject, ext.issuer);
    if (role) p.role = role;
    const fhirUser = relativeFhirUser(claims[c.fhirUser]);
    if (fhirUser) p.fhirUser = fhirUser;
    const patient = claimString(claims, c.patient);
    if (patient) p.patient = patient;
    const nhsNumber = claimString(claims, c.nhsNumber);
    if (nhsNumber) p.nhsNumber = nhsNumber;
    if (!opts.resolveExternal) return p;
    const resolved = await opts.resolveExternal(p, claims);
    if (!resolved) throw new TokenError('invalid-claims');
    return resolved;
  }

  function base(claims: JWTPayload, kind: PrincipalKind, clientId: string, subject: string, issuer: string): Principal {
    const scope = typeof claims.scope === 'string' ? claims.scope : '';
    const parsed = parseScopes(scope, opts.scopeOptions);
    if (parsed.invalid.length > 0) throw new TokenError('invalid-scope');
    const scopes = resourceScopes(parsed.scopes);
    // A validly signed token that claims more than its holder's kind may have is refused, never trimmed.
    if (scopes.some((s) => !CONTEXTS[kind].includes(s.context))) throw new TokenError('scope-not-permitted');
    const p: Principal = { kind, clientId, scopes, scope, subject, issuer, expiresAt: new Date((claims.exp ?? 0) * 1000) };
    if (claims.jti) p.tokenId = claims.jti;
    return p;
  }

  return async function verifyAccessToken(token: string): Promise<Principal> {
    try {
      if (typeof token !== 'string' || token.split('.').length !== 3) throw new TokenError('malformed');
      let header;
      let unverified;
      try {
        header = decodeProtectedHeader(token);
        unverified = decodeJwt(token);
      } catch {
        throw new TokenError('malformed');
      }
      const alg = header.alg;
      if (typeof alg !== 'string' || alg.toLowerCase() === 'none' || alg.startsWith('HS')) throw new TokenError('alg-not-allowed');
      if (unverified.iss === opts.issuer) {
        if (!algorithms.includes(alg)) throw new TokenError('alg-not-allowed');
        const { payload } = await jwtVerify(token, localKey, {
          issuer: opts.issuer, audience: opts.audience, algorithms, typ: 'at+jwt',
          currentDate: now(), clockTolerance, requiredClaims: ['exp', 'sub'],
        });
        return principalFromLocal(payload);
      }
      if (external && externalKeys && unverified.iss === external.issuer) {
        if (!(external.algorithms as readonly string[]).includes(alg)) throw new TokenError('alg-not-allowed');
        const { payload } = await jwtVerify(token, externalKeys, {
          issuer: external.issuer, audience: external.audience ?? opts.audience, algorithms: [...external.algorithms],
          currentDate: now(), clockTolerance, requiredClaims: ['exp'],
        });
        return await principalFromExternal(external, payload);
      }
      throw new TokenError('wrong-issuer');
    } catch (err) {
      if (err instanceof OperationOutcomeError) throw err;
      const reason = mapJoseError(err);
      if (reason) throw new TokenError(reason);
      if (err instanceof joseErrors.JOSEError) throw unavailable();
      throw err;
    }
  };
}
