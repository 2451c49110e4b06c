/**
 * Who may see which records: the access policy for one caller, decided from their verified
 * token (`Principal`) and a few facts about them read from the record (`CallerFacts`). The
 * store turns a policy into one SQL condition (`store/access-sql.ts`), so it applies inside
 * every query — reads, searches, includes, chains, `_has`, history, `$everything` — and paging
 * and totals stay exact. Pure: no I/O.
 *
 * Rules (nhs-domain.md §3, §4):
 * - a backend system (client credentials, `system/` scopes) is unrestricted, within its scopes;
 * - a patient sees their own record (every linked record of theirs) at the online access level
 *   their practice set (full by default; `online-level.ts`) and the records they hold proxy
 *   access for, never items hidden from online access, and nothing but their demographics while
 *   an enhanced review is pending;
 * - staff see a patient's record only through a care relationship (registered practice, an
 *   open encounter, episode of care, referral or care team) or a break-glass grant, and never
 *   what the patient withheld from sharing (unless they are the patient's registered practice);
 * - everyone may read directory data that belongs to no patient (organisations, practitioners,
 *   medications, value sets, …).
 */
import type { Principal } from '../auth/principal.js';
import { asShownAt, lowerOf, type OnlineLevel } from './online-level.js';

/** A proxy relationship as access needs it. */
export interface ProxyFact {
  patientId: string;
  permissions: readonly string[];
  /** The patient's birth date (YYYY-MM-DD or partial), for the age rules. */
  birthDate?: string;
  validFrom?: Date;
  validTo?: Date;
}

/** What the record says about a patient caller. */
export interface CallerFacts {
  /** Patient records linked to each record id the caller may open (the id itself first). */
  linked: ReadonlyMap<string, readonly string[]>;
  /** Proxy relationships of the signed-in user. */
  proxies: readonly ProxyFact[];
  /** Record ids with an enhanced review pending (nhs-domain §3.3): demographics only. */
  reviewPending: ReadonlySet<string>;
  /**
   * The online access level the practice set for a person below the default `full`, by record
   * id (every linked record of the person carries the person's lowest level). `online-level.ts`.
   */
  levels?: ReadonlyMap<string, OnlineLevel>;
}

/** The access policy of one caller. */
export type AccessPolicy =
  /** A backend system: every record (scopes still apply). */
  | { kind: 'unrestricted' }
  /**
   * A member of the public. `own`: their own records; `proxied`: records they act for as a
   * proxy (items hidden from proxies are hidden too); `limited`: records of which only the
   * Patient resource may be read; `coded` and `summary`: their own records where their
   * practice set that lower online access level (present only when not empty).
   */
  | { kind: 'patient'; own: readonly string[]; proxied: readonly string[]; limited: readonly string[]; coded?: readonly string[]; summary?: readonly string[] }
  /**
   * Staff: `grantees` are the relative references a care relationship may name (their
   * Practitioner and Organization); `subject` identifies them for break-glass grants.
   */
  | { kind: 'staff'; grantees: readonly string[]; subject: string }
  /** Nobody's records (directory data only). */
  | { kind: 'directory-only' };

/** Whole years between a (possibly partial) birth date and `now`. */
export function ageInYears(birthDate: string, now: Date): number | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(birthDate);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = m[2] ? Number(m[2]) : 1;
  const d = m[3] ? Number(m[3]) : 1;
  let age = now.getUTCFullYear() - y;
  if (now.getUTCMonth() + 1 < mo || (now.getUTCMonth() + 1 === mo && now.getUTCDate() < d)) age--;
  return age;
}

/**
 * Whether a proxy may view the record (not just act on appointments or prescriptions), by the
 * practice's grant and the age rules of nhs-domain §3.5: a parent's access to a child's record
 * ends at 11 unless the practice has reviewed it with the child (`gillick-reviewed`); from 16
 * the person must have consented (`patient-consented`), or the practice granted it in their
 * best interests (`best-interests`).
 */
export function proxyMayViewRecord(p: ProxyFact, now: Date): boolean {
  if (p.validFrom && p.validFrom > now) return false;
  if (p.validTo && p.validTo <= now) return false;
  if (!p.permissions.includes('record')) return false;
  const age = p.birthDate ? ageInYears(p.birthDate, now) : undefined;
  if (age === undefined) return p.permissions.includes('patient-consented') || p.permissions.includes('best-interests');
  if (age < 11) return true;
  if (age < 16) return p.permissions.includes('gillick-reviewed') || p.permissions.includes('best-interests');
  return p.permissions.includes('patient-consented') || p.permissions.includes('best-interests');
}

/** Whether a proxy relationship is current at all (for demographics, appointments, …). */
export function proxyIsCurrent(p: ProxyFact, now: Date): boolean {
  return !(p.validFrom && p.validFrom > now) && !(p.validTo && p.validTo <= now);
}

/** The Patient id in a `Patient/x` reference. */
export function patientIdOf(ref: string | undefined): string | undefined {
  const m = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(ref ?? '');
  return m?.[1];
}

/** The record ids a public caller starts from (before linking): own and proxied. */
export function publicStartingPoints(principal: Principal): string[] {
  const own = patientIdOf(principal.fhirUser);
  const out = own ? [own] : [];
  if (principal.patient && !out.includes(principal.patient)) out.push(principal.patient);
  return out;
}

/** Decides the policy for a verified caller. */
export function accessPolicy(principal: Principal, facts: CallerFacts, now: Date): AccessPolicy {
  if (principal.kind === 'system') return { kind: 'unrestricted' };
  if (principal.kind === 'practitioner') {
    const grantees = [principal.fhirUser, principal.organization].filter((g): g is string => !!g && /^(Practitioner|PractitionerRole|Organization)\//.test(g));
    if (grantees.length === 0) return { kind: 'directory-only' };
    return { kind: 'staff', grantees, subject: `${principal.issuer}|${principal.subject}` };
  }
  const ownId = patientIdOf(principal.fhirUser);
  const linkedOf = (id: string) => facts.linked.get(id) ?? [id];
  const own = new Set<string>();
  const proxied = new Set<string>();
  const limited = new Set<string>();
  const add = (ids: readonly string[], target: Set<string>) => {
    for (const id of ids) {
      if (facts.reviewPending.has(id)) limited.add(id);
      else target.add(id);
    }
  };
  // SMART: a `patient` launch context narrows patient/ scopes to that one patient.
  const context = principal.patient;
  const coded = new Set<string>();
  const summary = new Set<string>();
  if (ownId && (!context || context === ownId || linkedOf(ownId).includes(context))) {
    // The person's own record at the level their practice set (the lowest over linked records).
    const ids = linkedOf(ownId);
    let level: OnlineLevel = 'full';
    for (const id of ids) level = lowerOf(level, facts.levels?.get(id) ?? 'full');
    add(ids, level === 'full' ? own : level === 'detailed-coded' ? coded : level === 'summary' ? summary : limited);
  }
  for (const p of facts.proxies) {
    if (p.patientId === ownId || !proxyIsCurrent(p, now)) continue;
    if (context && context !== p.patientId && !linkedOf(p.patientId).includes(context)) continue;
    if (proxyMayViewRecord(p, now)) add(linkedOf(p.patientId), proxied);
    else for (const id of linkedOf(p.patientId)) limited.add(id);
  }
  for (const id of own) proxied.delete(id);
  // A record both one's own (at a lower level) and proxied: the own level stands.
  for (const id of [...coded, ...summary]) proxied.delete(id);
  for (const id of [...own, ...proxied, ...coded, ...summary]) limited.delete(id);
  return {
    kind: 'patient', own: [...own], proxied: [...proxied], limited: [...limited],
    ...(coded.size > 0 ? { coded: [...coded] } : {}), ...(summary.size > 0 ? { summary: [...summary] } : {}),
  };
}

/**
 * The online access level a patient policy gives to record `patientId`: `full` for their own
 * (or, for a proxy, the records they may view — the app narrows a proxy's view further by their
 * permissions), the practice's lower level where set, `none` for demographics only.
 */
export function onlineLevelIn(policy: AccessPolicy, patientId: string): OnlineLevel {
  if (policy.kind === 'unrestricted') return 'full';
  if (policy.kind !== 'patient') return 'none';
  if (policy.own.includes(patientId) || policy.proxied.includes(patientId)) return 'full';
  if (policy.coded?.includes(patientId)) return 'detailed-coded';
  if (policy.summary?.includes(patientId)) return 'summary';
  return 'none';
}

/**
 * `json`, a stored resource of record `patientId` (null: none), as this caller may receive it: a
 * patient or carer gets it as the record's online access level shows it (`asShownAt`: no
 * free-text notes below the full record), as the patient app shows it. Everyone else gets `json`
 * unchanged.
 */
export function asSeenBy(policy: AccessPolicy, json: string, patientId: string | null | undefined): string {
  // Cheap checks first: this runs on every resource a response carries.
  if (policy.kind !== 'patient' || !patientId || !json.includes('"note"')) return json;
  const level = onlineLevelIn(policy, patientId);
  if (level === 'full') return json;
  const resource = JSON.parse(json) as object;
  const shown = asShownAt(level, resource);
  return shown === resource ? json : JSON.stringify(shown);
}
