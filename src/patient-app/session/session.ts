/**
 * What the patient app keeps about a signed-in person: everything lives in an encrypted cookie
 * (see `sealed-cookie.ts`), so any Tessera node can serve any request and nothing is held in
 * memory between requests.
 */

/** The contents of the session cookie. */
export interface PatientSession {
  /** Format version. */
  v: 1;
  /** Random id of this session; CSRF tokens are bound to it. */
  sid: string;
  /** Tessera user id (the token's `sub`). */
  uid: string;
  /** Access token for the FHIR API. */
  at: string;
  /** Refresh token, when the sign-in granted one. */
  rt?: string;
  /** When the access token expires (ms since the epoch). */
  atExp: number;
  /** The signed-in person's own Patient id, when they have one. */
  own?: string;
  /** Whose record is shown: a Patient id (own, or one they act for). */
  profile?: string;
  /** The previous visit (ms since the epoch): what is new is what changed after it. */
  since?: number;
  /** When the session started (ms since the epoch). */
  started: number;
  /** The signed-in person's name, for the header. */
  name?: string;
  /** The name of the person whose record is shown, when it is not their own. */
  profileName?: string;
}

/** The short-lived state of a sign-in in progress (between leaving for the login page and coming back). */
export interface SignInState {
  state: string;
  verifier: string;
}
