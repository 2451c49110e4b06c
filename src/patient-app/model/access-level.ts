/**
 * How much of a record someone may see online, and so which sections the app shows: the
 * summary (allergies and medicines), the detailed coded record (every coded entry, no free
 * text), or the full record (with consultation notes and letters). A person sees their own
 * record at the level their GP practice set — full unless the practice set a lower one
 * (prospective full access is the default in England since October 2023); the access layer
 * decides it from the practice's marker on the Patient (`access/online-level.ts`) and enforces
 * it in the API, and the app is told it (`PatientAppDeps.onlineLevel`). Someone acting for
 * another sees what their proxy access allows. Pure.
 *
 * @see https://digital.nhs.uk/services/nhs-app/nhs-app-guidance-for-gp-practices/guidance-on-nhs-app-features/online-access-to-gp-health-records (levels of access)
 * @see https://www.england.nhs.uk/long-read/online-access-to-new-gp-health-record-information/ (prospective access, 2023)
 */

/** Online access levels. */
export type AccessLevel = 'none' | 'summary' | 'detailed-coded' | 'full';

/** The proxy permissions Tessera records (auth_proxy_relationships.permissions). */
const RECORD_PERMISSIONS: Readonly<Record<string, AccessLevel>> = {
  record: 'full',
  'record-full': 'full',
  'record-coded': 'detailed-coded',
  'record-summary': 'summary',
};

const RANK: Readonly<Record<AccessLevel, number>> = { none: 0, summary: 1, 'detailed-coded': 2, full: 3 };

/**
 * The access level for the person's own record (`ownLevel`: what their practice set, full by
 * default), or for a record they act for with `permissions`.
 */
export function accessLevelFor(isOwn: boolean, permissions: readonly string[] = [], ownLevel: AccessLevel = 'full'): AccessLevel {
  if (isOwn) return ownLevel;
  let level: AccessLevel = 'none';
  for (const p of permissions) {
    const l = RECORD_PERMISSIONS[p];
    if (l && RANK[l] > RANK[level]) level = l;
  }
  return level;
}

/** True when `level` includes what needs `needed`. */
export function allows(level: AccessLevel, needed: AccessLevel): boolean {
  return RANK[level] >= RANK[needed];
}

/** Plain words for each proxy permission, as the "people I care for" page shows them. */
export const PERMISSION_WORDS: Readonly<Record<string, string>> = {
  record: 'see their GP health record',
  'record-full': 'see their GP health record',
  'record-coded': 'see the coded entries of their GP health record (no notes or letters)',
  'record-summary': 'see their allergies and medicines',
  appointments: 'book and manage their appointments',
  prescriptions: 'order their repeat prescriptions',
};

/** The level's name for people. */
export function accessLevelText(level: AccessLevel): string {
  switch (level) {
    case 'full': return 'the full record, including notes and letters';
    case 'detailed-coded': return 'the detailed coded record (no notes or letters)';
    case 'summary': return 'the summary record (allergies and medicines)';
    case 'none': return 'no part of the health record';
  }
}
