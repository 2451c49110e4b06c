/**
 * Who is calling, as established from a verified access token, and the errors verification
 * throws. The errors are `OperationOutcomeError`s, so the HTTP adapter answers them as FHIR
 * OperationOutcomes with a `WWW-Authenticate` header (RFC 6750 §3) without special cases.
 */
import { OperationOutcomeError, issue, outcomeOf } from '../fhir/outcome.js';
import type { ResourceScope } from './scopes.js';

/**
 * What kind of caller:
 * - `patient`: a member of the public acting for themselves;
 * - `proxy`: a carer acting for someone else (their `patient` context);
 * - `practitioner`: staff (GP, hospital doctor, nurse, practice administrator);
 * - `system`: a backend service (client credentials), no person involved.
 */
export type PrincipalKind = 'patient' | 'proxy' | 'practitioner' | 'system';

/** A verified caller. */
export interface Principal {
  kind: PrincipalKind;
  /** The OAuth client the token was issued to. */
  clientId: string;
  /** Resource scopes granted (parsed; v1 scopes mapped to v2 permissions). */
  scopes: readonly ResourceScope[];
  /** The token's scope string as issued. */
  scope: string;
  /** The token's `sub`: a user id, or the client id for system tokens. */
  subject: string;
  /** The issuer that signed the token. */
  issuer: string;
  /** The token id (`jti`), for audit. */
  tokenId?: string;
  expiresAt: Date;
  /** Tessera user id, for sign-ins to Tessera itself. */
  userId?: string;
  /** The user's role (`patient`, `carer`, `gp`, …) when known. */
  role?: string;
  /** Relative reference to the user's own resource, e.g. `Patient/123` or `Practitioner/9`. */
  fhirUser?: string;
  /** Patient in context (SMART `launch/patient`): the patient id, no type prefix. */
  patient?: string;
  /** Relative reference to the user's organisation, when known. */
  organization?: string;
  /** NHS number from an external identity provider (e.g. NHS login), when present. */
  nhsNumber?: string;
}

/** Why a token was refused. */
export type TokenFailure =
  | 'missing'
  | 'malformed'
  | 'alg-not-allowed'
  | 'bad-signature'
  | 'unknown-key'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'expired'
  | 'not-yet-valid'
  | 'invalid-claims'
  | 'invalid-scope'
  | 'scope-not-permitted';

const MESSAGES: Record<TokenFailure, string> = {
  missing: 'No bearer token was sent',
  malformed: 'The bearer token is not a well-formed signed JWT',
  'alg-not-allowed': 'The bearer token is signed with an algorithm this server does not accept',
  'bad-signature': 'The bearer token signature is not valid',
  'unknown-key': 'The bearer token is signed with a key this server does not know',
  'wrong-issuer': 'The bearer token was not issued by a trusted issuer',
  'wrong-audience': 'The bearer token is not for this FHIR server',
  expired: 'The bearer token has expired',
  'not-yet-valid': 'The bearer token is not valid yet',
  'invalid-claims': 'The bearer token is missing required claims',
  'invalid-scope': 'The bearer token carries a malformed scope',
  'scope-not-permitted': 'The bearer token carries scopes this kind of user may not hold',
};

/**
 * A refused token: 401 `invalid_token` for anything wrong with the token itself, 403
 * `insufficient_scope` when a well-formed, correctly signed token claims more than its holder
 * may have.
 */
export class TokenError extends OperationOutcomeError {
  constructor(readonly reason: TokenFailure) {
    const isForbidden = reason === 'scope-not-permitted';
    const status = isForbidden ? 403 : 401;
    const oauthError = isForbidden ? 'insufficient_scope' : 'invalid_token';
    const description = MESSAGES[reason];
    const challenge = reason === 'missing' ? 'Bearer realm="tessera"' : `Bearer realm="tessera", error="${oauthError}", error_description="${description}"`;
    super(status, outcomeOf([issue(isForbidden ? 'forbidden' : 'login', description)]), { 'www-authenticate': challenge });
    this.name = 'TokenError';
  }
}

/** Reads the bearer token from an `Authorization` header value; throws `TokenError('missing')`. */
export function bearerToken(authorization: string | undefined): string {
  const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization?.trim() ?? '');
  if (!m) throw new TokenError(authorization ? 'malformed' : 'missing');
  return m[1]!;
}
