/**
 * User roles, what kind of principal each becomes, and the most a sign-in of that role may be
 * granted. Scopes are a ceiling; the access policies decide what is actually visible.
 */
import { parseScope, scopeWithinAny, type ResourceScope, type ScopeContext } from './scopes.js';

/** Roles of people who sign in to Tessera. */
export const USER_ROLES = ['patient', 'carer', 'gp', 'hospital-doctor', 'nurse', 'practice-admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** True for a known role. */
export function isUserRole(s: string): s is UserRole {
  return (USER_ROLES as readonly string[]).includes(s);
}

/** Whether a role acts as a member of the public (patient, carer) or as staff. */
export function isPublicRole(role: string): boolean {
  return role === 'patient' || role === 'carer';
}

/** Scope contexts a sign-in of this role may be granted: the public never get `user/` or `system/`. */
export function allowedContexts(role: string): ScopeContext[] {
  return isPublicRole(role) ? ['patient'] : ['patient', 'user'];
}

const CEILINGS: Record<'public' | 'staff', ResourceScope[]> = {
  public: [parseScope('patient/*.cruds') as ResourceScope],
  staff: [parseScope('patient/*.cruds') as ResourceScope, parseScope('user/*.cruds') as ResourceScope],
};

/** The resource scopes a sign-in with `role` may hold at most. */
export function roleCeiling(role: string): ResourceScope[] {
  return CEILINGS[isPublicRole(role) ? 'public' : 'staff'];
}

/** True when `scope` may be granted to a sign-in with `role`. */
export function roleMayHold(role: string, scope: ResourceScope): boolean {
  return scopeWithinAny(scope, roleCeiling(role));
}

/** Scopes `tessera token --user` gives each role (what a typical app of theirs would ask for). */
export function defaultScopeForRole(role: string): string {
  switch (role) {
    case 'patient':
    case 'carer':
      return 'launch/patient patient/*.cruds';
    case 'practice-admin':
      return 'user/*.rs user/Patient.cu user/Appointment.cud';
    default:
      return 'user/*.cruds';
  }
}
