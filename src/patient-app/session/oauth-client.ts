/**
 * The patient app as a first-party OAuth client of Tessera's own OpenID Connect provider:
 * authorization code with PKCE S256, a public client (no secret to leak), the code exchanged
 * and tokens refreshed in-process (Fastify `inject`, so it works with no network), and the
 * access token verified like any other to get the signed-in person's `Principal`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636 (PKCE)
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html (sign-out)
 */
import { createHash, randomBytes } from 'node:crypto';

/** The patient app's client id. */
export const PATIENT_APP_CLIENT_ID = 'tessera-patient-app';
/** What the app asks for: who you are, your record (read and write as the access rules allow), staying signed in. No `launch/patient`: the app picks whose record per request. */
export const PATIENT_APP_SCOPE = 'openid fhirUser patient/*.cruds offline_access';

/** The OAuth client registration of the patient app for a Tessera at `publicUrl`. */
export function patientAppClient(publicUrl: string) {
  const base = publicUrl.replace(/\/$/, '');
  return {
    client_id: PATIENT_APP_CLIENT_ID,
    client_name: 'Tessera patient app',
    redirect_uris: [`${base}/patient/auth/callback`],
    post_logout_redirect_uris: [`${base}/patient/signed-out`],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none' as const,
    allowed_smart_scopes: 'patient/*.cruds',
  };
}

/** A PKCE verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The authorization request URL (path and query on this server). */
export function authorizeUrl(issuerPath: string, publicUrl: string, fhirBase: string, state: string, challenge: string): string {
  const q = new URLSearchParams({
    response_type: 'code', client_id: PATIENT_APP_CLIENT_ID, redirect_uri: `${publicUrl.replace(/\/$/, '')}/patient/auth/callback`,
    scope: PATIENT_APP_SCOPE, state, aud: fhirBase, code_challenge: challenge, code_challenge_method: 'S256',
  });
  return `${issuerPath}/auth?${q}`;
}

/** The sign-out (RP-initiated logout) URL, which ends the sign-in session at the provider too. */
export function endSessionUrl(issuerPath: string, publicUrl: string): string {
  const q = new URLSearchParams({ client_id: PATIENT_APP_CLIENT_ID, post_logout_redirect_uri: `${publicUrl.replace(/\/$/, '')}/patient/signed-out` });
  return `${issuerPath}/session/end?${q}`;
}

/** A token endpoint response. */
export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  id_token?: string;
}

/** Posts a form to a provider endpoint in-process; resolves status and parsed JSON. */
export type ProviderPost = (path: string, form: Record<string, string>) => Promise<{ status: number; json: Record<string, unknown> }>;

/** Exchanges an authorization code. */
export async function exchangeCode(post: ProviderPost, issuerPath: string, publicUrl: string, code: string, verifier: string): Promise<TokenResponse | undefined> {
  const res = await post(`${issuerPath}/token`, {
    grant_type: 'authorization_code', code, redirect_uri: `${publicUrl.replace(/\/$/, '')}/patient/auth/callback`, client_id: PATIENT_APP_CLIENT_ID, code_verifier: verifier,
  });
  return res.status === 200 && typeof res.json.access_token === 'string' ? (res.json as unknown as TokenResponse) : undefined;
}

/** Uses a refresh token (rotated by the provider for public clients). */
export async function refreshTokens(post: ProviderPost, issuerPath: string, refreshToken: string): Promise<TokenResponse | undefined> {
  const res = await post(`${issuerPath}/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: PATIENT_APP_CLIENT_ID });
  return res.status === 200 && typeof res.json.access_token === 'string' ? (res.json as unknown as TokenResponse) : undefined;
}

/** Revokes a refresh token (sign-out); failures are ignored, the token expires anyway. */
export async function revokeToken(post: ProviderPost, issuerPath: string, token: string): Promise<void> {
  await post(`${issuerPath}/token/revocation`, { token, token_type_hint: 'refresh_token', client_id: PATIENT_APP_CLIENT_ID }).catch(() => undefined);
}
