/**
 * What a sign-in may be granted: the requested scopes split into granted and refused by the
 * user's role, and how the patient in context is chosen. Pure.
 */
import type { AuthUser, ProxyRelationship } from '../store/auth-store.js';
import { roleMayHold } from './roles.js';
import { parseScope, type ResourceScope, type ScopeParseOptions } from './scopes.js';

/** How the patient context is settled. */
export type PatientContextPlan =
  | { kind: 'none' }
  /** The user's own record, no question asked (a patient). */
  | { kind: 'own'; patientId: string }
  /** Pick one of these (a carer: themself and the people they have proxy access for). */
  | { kind: 'choose'; patientIds: string[]; ownPatientId?: string }
  /** Type a patient id (staff). */
  | { kind: 'enter' };

/** The consent decision before the user presses Allow. */
export interface ConsentPlan {
  grantOidc: string[];
  rejectOidc: string[];
  grantResource: string[];
  rejectResource: string[];
  patient: PatientContextPlan;
}

/** The Patient id in a `Patient/x` fhirUser, if that is what it is. */
export function ownPatientId(user: Pick<AuthUser, 'fhirUser'>): string | undefined {
  const m = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(user.fhirUser ?? '');
  return m?.[1];
}

/** Builds the plan for `user` from the scopes oidc-provider says are not yet granted. */
export function planConsent(
  user: Pick<AuthUser, 'role' | 'fhirUser'>,
  proxies: readonly ProxyRelationship[],
  missingOidc: readonly string[],
  missingResource: readonly string[],
  opts?: ScopeParseOptions,
): ConsentPlan {
  const wantsPatient = missingOidc.includes('launch/patient');
  const own = ownPatientId(user);
  let patient: PatientContextPlan = { kind: 'none' };
  // Without `launch/patient` no record is put in context: a member of the public then sees
  // their own record and those they hold proxy access for, and the app picks one per request.
  if (!wantsPatient) {
    patient = { kind: 'none' };
  } else if (user.role === 'patient') {
    if (own) patient = { kind: 'own', patientId: own };
  } else if (user.role === 'carer') {
    const ids = [...(own ? [own] : []), ...proxies.map((p) => p.patientId).filter((id) => id !== own)];
    if (ids.length > 0) patient = { kind: 'choose', patientIds: ids, ...(own ? { ownPatientId: own } : {}) };
  } else {
    patient = { kind: 'enter' };
  }
  const hasPatient = patient.kind !== 'none';
  const grantOidc: string[] = [];
  const rejectOidc: string[] = [];
  for (const s of missingOidc) {
    if (s === 'launch/patient' && !hasPatient) rejectOidc.push(s);
    else grantOidc.push(s);
  }
  const grantResource: string[] = [];
  const rejectResource: string[] = [];
  for (const raw of missingResource) {
    let scope: ResourceScope | undefined;
    try {
      const parsed = parseScope(raw, opts);
      if (parsed.kind === 'resource') scope = parsed;
    } catch {
      scope = undefined;
    }
    if (scope && roleMayHold(user.role, scope)) grantResource.push(raw);
    else rejectResource.push(raw);
  }
  return { grantOidc, rejectOidc, grantResource, rejectResource, patient };
}

/** Checks the patient the user picked against the plan; returns the id or an error message. */
export function choosePatient(plan: PatientContextPlan, submitted: string | undefined): { patientId?: string; error?: string } {
  switch (plan.kind) {
    case 'none':
      return {};
    case 'own':
      return { patientId: plan.patientId };
    case 'choose':
      if (!submitted) return { error: 'Select whose record the app should open' };
      return plan.patientIds.includes(submitted) ? { patientId: submitted } : { error: 'Select one of the records listed' };
    case 'enter': {
      const id = (submitted ?? '').trim();
      if (!id) return { error: 'Enter the id of the patient record to open' };
      return /^[A-Za-z0-9\-.]{1,64}$/.test(id) ? { patientId: id } : { error: 'A patient id has only letters, digits, hyphens and full stops' };
    }
  }
}
