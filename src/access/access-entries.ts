/**
 * Index rows that access decisions are made from, computed from a resource when it is written
 * and stored beside its search index rows (token table, parameters named `_access:*`, which no
 * client can search on). Keeping them in the index means every access check is an indexed
 * lookup inside the query that reads the data, so paging and totals stay exact.
 *
 * - `_access:grantee`: an active care relationship a resource establishes between its patient
 *   and an organisation or practitioner (`system` = the kind, `code` = `Organization/x`).
 * - `_access:online`: the resource must not be shown online to the patient (`hidden`), to
 *   proxies (`hidden-from-proxy`), or not yet (`awaiting-filing`). nhs-domain §3.3, §3.4.
 * - `_access:sensitivity`: a sensitivity label (v3-ActCode, e.g. `SEX`), which a patient may
 *   withhold from sharing.
 * - `_access:consent`: an active sharing choice on a Consent (see {@link consentChoices}).
 * - `_access:review`: an enhanced-review marker (`indicated` / `not-indicated`, date in `text`).
 * - `_access:level`: the online access level a practice set on a Patient (`online-level.ts`).
 *
 * Pure: no I/O.
 */
import type { TokenEntry } from '../search/index-entries.js';
import {
  ACT_CODE, CONSENT_SOURCE_EXTENSION, ONLINE_VISIBILITY, REVIEW_INDICATED, REVIEW_NOT_INDICATED,
  SENSITIVITY_CODES, SHARING_CHOICE, SNOMED, TYPE_1_OPT_OUT_SNOMED,
} from './codes.js';
import { onlineLevelOf } from './online-level.js';

/** Parameter names of the access rows. */
export const ACCESS_PARAM = {
  grantee: '_access:grantee',
  online: '_access:online',
  sensitivity: '_access:sensitivity',
  consent: '_access:consent',
  review: '_access:review',
  level: '_access:level',
} as const;

/** Kinds of care relationship, as the `system` of a grantee row. */
export type RelationshipKind = 'registered' | 'encounter' | 'episode' | 'referral' | 'care-team';

/** Resource types on which an enhanced-review code is recorded (and read from). */
export const REVIEW_TYPES: readonly string[] = ['Observation', 'Condition', 'Procedure', 'Flag'];

/** Resource types whose rows can grant a care relationship. */
export const RELATIONSHIP_TYPES = ['Patient', 'Encounter', 'EpisodeOfCare', 'ServiceRequest', 'CareTeam'] as const;

type Json = Record<string, unknown>;
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `Organization/x` from a relative or absolute reference to a grantee type; undefined otherwise. */
export function granteeOf(ref: unknown): string | undefined {
  const r = isObj(ref) ? ref.reference : undefined;
  if (typeof r !== 'string') return undefined;
  const m = /(?:^|\/)(Organization|Practitioner|PractitionerRole)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(r);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

// Statuses during which a resource is a live relationship (R4 value sets).
const OPEN_ENCOUNTER = new Set(['planned', 'arrived', 'triaged', 'in-progress', 'onleave']);
const OPEN_EPISODE = new Set(['planned', 'waitlist', 'active', 'onhold']);
const OPEN_REQUEST = new Set(['draft', 'active', 'on-hold']);
const OPEN_CARE_TEAM = new Set(['proposed', 'active', 'suspended']);

/** The organisations and practitioners a resource relates its patient to, while it is open. */
export function relationshipGrantees(resource: Json): { kind: RelationshipKind; grantee: string }[] {
  const refs: { kind: RelationshipKind; ref: unknown }[] = [];
  const status = resource.status;
  switch (resource.resourceType) {
    case 'Patient':
      // https://hl7.org/fhir/R4/patient-definitions.html#Patient.generalPractitioner — in England,
      // the registered GP practice.
      if (resource.active !== false) for (const r of asArray(resource.generalPractitioner)) refs.push({ kind: 'registered', ref: r });
      break;
    case 'Encounter':
      if (typeof status === 'string' && OPEN_ENCOUNTER.has(status)) {
        refs.push({ kind: 'encounter', ref: resource.serviceProvider });
        for (const p of asArray(resource.participant)) if (isObj(p)) refs.push({ kind: 'encounter', ref: p.individual });
      }
      break;
    case 'EpisodeOfCare':
      if (typeof status === 'string' && OPEN_EPISODE.has(status)) {
        refs.push({ kind: 'episode', ref: resource.managingOrganization }, { kind: 'episode', ref: resource.careManager });
      }
      break;
    case 'ServiceRequest':
      // A referral to an organisation or clinician: they may see the record while it is open.
      if (typeof status === 'string' && OPEN_REQUEST.has(status)) for (const r of asArray(resource.performer)) refs.push({ kind: 'referral', ref: r });
      break;
    case 'CareTeam':
      if (typeof status === 'string' && OPEN_CARE_TEAM.has(status)) {
        for (const p of asArray(resource.participant)) if (isObj(p)) refs.push({ kind: 'care-team', ref: p.member });
        for (const r of asArray(resource.managingOrganization)) refs.push({ kind: 'care-team', ref: r });
      }
      break;
    default:
      break;
  }
  const out: { kind: RelationshipKind; grantee: string }[] = [];
  for (const { kind, ref } of refs) {
    const grantee = granteeOf(ref);
    if (grantee && !out.some((o) => o.kind === kind && o.grantee === grantee)) out.push({ kind, grantee });
  }
  return out;
}

function codings(v: unknown): { system?: unknown; code?: unknown }[] {
  return asArray(v).filter(isObj) as { system?: unknown; code?: unknown }[];
}

/** Online-visibility markers: `hidden`, `hidden-from-proxy`, `awaiting-filing`. */
export function onlineMarkers(resource: Json): string[] {
  const out = new Set<string>();
  const meta = isObj(resource.meta) ? resource.meta : {};
  for (const c of codings(meta.security)) {
    if (c.system === ACT_CODE && c.code === 'NOPAT') out.add('hidden');
    if (c.system === ONLINE_VISIBILITY && (c.code === 'redacted' || c.code === 'third-party')) out.add('hidden');
    if (c.system === ONLINE_VISIBILITY && c.code === 'hidden-from-proxy') out.add('hidden-from-proxy');
  }
  // Results reach patients once filed (nhs-domain §3.4): preliminary or registered are not yet.
  if ((resource.resourceType === 'Observation' || resource.resourceType === 'DiagnosticReport') && (resource.status === 'registered' || resource.status === 'preliminary')) {
    out.add('awaiting-filing');
  }
  return [...out];
}

/** Sensitivity labels (v3-ActCode) in `meta.security`. */
export function sensitivityLabels(resource: Json): string[] {
  const meta = isObj(resource.meta) ? resource.meta : {};
  const out = new Set<string>();
  for (const c of codings(meta.security)) if (c.system === ACT_CODE && typeof c.code === 'string' && SENSITIVITY_CODES.has(c.code)) out.add(c.code);
  return [...out];
}

/**
 * The sharing choices an active Consent records, as strings: `dissent-to-share`,
 * `withhold-category:SEX`, `withhold-source:<meta.source URI>`, `national-data-opt-out`,
 * `type-1-opt-out`. https://hl7.org/fhir/R4/consent.html
 */
export function consentChoices(resource: Json): string[] {
  if (resource.resourceType !== 'Consent' || resource.status !== 'active') return [];
  const kinds = new Set<string>();
  for (const cat of asArray(resource.category)) {
    if (!isObj(cat)) continue;
    for (const c of codings(cat.coding)) {
      if (c.system === SHARING_CHOICE && typeof c.code === 'string') kinds.add(c.code);
      if (c.system === SNOMED && c.code === TYPE_1_OPT_OUT_SNOMED) kinds.add('type-1-opt-out');
    }
  }
  const out = new Set<string>();
  const provision = isObj(resource.provision) ? resource.provision : {};
  const denies = asArray(provision.provision).filter((p): p is Json => isObj(p) && p.type === 'deny');
  for (const kind of kinds) {
    if (kind === 'withhold-category') {
      for (const d of denies) for (const l of codings(d.securityLabel)) if (l.system === ACT_CODE && typeof l.code === 'string') out.add(`withhold-category:${l.code}`);
    } else if (kind === 'withhold-source') {
      for (const d of denies) {
        for (const e of asArray(d.extension)) if (isObj(e) && e.url === CONSENT_SOURCE_EXTENSION && typeof e.valueUri === 'string') out.add(`withhold-source:${e.valueUri}`);
      }
    } else if (kind === 'dissent-to-share' || kind === 'national-data-opt-out' || kind === 'type-1-opt-out') {
      out.add(kind);
    }
  }
  return [...out];
}

/** The date a clinical entry was recorded or took effect, as an ISO string, when it has one. */
function entryDate(resource: Json): string | undefined {
  for (const k of ['effectiveDateTime', 'recordedDate', 'performedDateTime', 'onsetDateTime', 'issued', 'authoredOn', 'date']) {
    const v = resource[k];
    if (typeof v === 'string') return v;
  }
  const p = resource.effectivePeriod ?? resource.performedPeriod;
  if (isObj(p) && typeof p.start === 'string') return p.start;
  const meta = isObj(resource.meta) ? resource.meta : {};
  return typeof meta.lastUpdated === 'string' ? meta.lastUpdated : undefined;
}

/** Enhanced-review markers (nhs-domain §3.3): `indicated` or `not-indicated`, with the date. */
export function reviewMarkers(resource: Json): { code: string; date: string }[] {
  const code = isObj(resource.code) ? resource.code : undefined;
  if (!code || resource.status === 'entered-in-error' || !REVIEW_TYPES.includes(String(resource.resourceType))) return [];
  const out: { code: string; date: string }[] = [];
  const date = entryDate(resource) ?? '';
  for (const c of codings(code.coding)) {
    if (c.system !== SNOMED) continue;
    if (c.code === REVIEW_INDICATED) out.push({ code: 'indicated', date });
    if (c.code === REVIEW_NOT_INDICATED) out.push({ code: 'not-indicated', date });
  }
  return out;
}

/** Every access row for a resource. */
export function accessEntries(resource: Json): TokenEntry[] {
  const out: TokenEntry[] = [];
  for (const g of relationshipGrantees(resource)) out.push({ param: ACCESS_PARAM.grantee, system: g.kind, code: g.grantee, text: null });
  for (const m of onlineMarkers(resource)) out.push({ param: ACCESS_PARAM.online, system: null, code: m, text: null });
  for (const s of sensitivityLabels(resource)) out.push({ param: ACCESS_PARAM.sensitivity, system: ACT_CODE, code: s, text: null });
  for (const c of consentChoices(resource)) out.push({ param: ACCESS_PARAM.consent, system: null, code: c, text: null });
  for (const r of reviewMarkers(resource)) out.push({ param: ACCESS_PARAM.review, system: null, code: r.code, text: r.date });
  const level = onlineLevelOf(resource);
  if (level) out.push({ param: ACCESS_PARAM.level, system: null, code: level, text: null });
  return out;
}
