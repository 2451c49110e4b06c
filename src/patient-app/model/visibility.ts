/**
 * What a patient, or someone acting for them, may see of a record online — the app's own copy
 * of the rules the FHIR access layer enforces, applied again when pages are built (defence in
 * depth): redacted, third-party and "not for the patient" items are never shown, items hidden
 * from proxies are not shown to proxies, and results not yet filed by a clinician are not
 * shown. Entries marked entered-in-error are left out as well: they are not part of the record.
 * Whatever is hidden is left out silently, and counts are made after filtering, so nothing
 * hints that it exists.
 *
 * @see https://www.england.nhs.uk/long-read/redacting-information-for-online-record-access/ (redaction, for patients and proxies)
 * @see https://terminology.hl7.org/CodeSystem-v3-ActCode.html (NOPAT)
 */
import type { Resource } from '../../fhir/types.js';
import { onlineMarkers } from '../../access/access-entries.js';
import { asShownAt, typeShownAt, type OnlineLevel } from '../../access/online-level.js';
import { codings, list, obj, refKey, keyOf } from './fhir-values.js';

/** Who is looking. */
export type Viewer = 'patient' | 'proxy';

export { ACT_CODE, ONLINE_VISIBILITY } from '../../access/codes.js';

function isEnteredInError(r: Resource): boolean {
  if (r.status === 'entered-in-error') return true;
  const verification = obj(r.verificationStatus);
  return codings(verification).some((c) => c.code === 'entered-in-error');
}

/** True when `viewer` may see `r` online (looking at the resource alone). */
export function isVisibleTo(r: Resource, viewer: Viewer): boolean {
  // The same markers the access layer stores and enforces (`access/access-entries.ts`).
  const markers = onlineMarkers(r as unknown as Record<string, unknown>);
  if (markers.includes('hidden') || markers.includes('awaiting-filing')) return false;
  if (viewer === 'proxy' && markers.includes('hidden-from-proxy')) return false;
  return !isEnteredInError(r);
}

/**
 * Keeps what `viewer` may see. A result is also hidden when the report it belongs to is
 * hidden (a withheld report must not show through its parts), and so is a panel member when
 * its panel Observation is hidden.
 */
export function visibleOnly<T extends Resource>(resources: readonly T[], viewer: Viewer, context: readonly Resource[] = resources): T[] {
  const hiddenParents = new Set<string>();
  for (const r of context) {
    if (isVisibleTo(r, viewer)) continue;
    const children = r.resourceType === 'DiagnosticReport' ? list(r.result) : r.resourceType === 'Observation' ? list(r.hasMember) : [];
    for (const c of children) {
      const k = refKey(c);
      if (k) hiddenParents.add(k);
    }
  }
  return resources.filter((r) => isVisibleTo(r, viewer) && !hiddenParents.has(keyOf(r)));
}

/**
 * What an online access level shows (`access/online-level.ts`; the API enforces the same rules):
 * types outside the level are dropped, and each entry is shown as the level shows it
 * (`asShownAt`: below the full record, without free-text notes).
 */
export function forLevel<T extends Resource>(resources: readonly T[], level: OnlineLevel): T[] {
  if (level === 'full') return [...resources];
  return resources.filter((r) => typeShownAt(level, r.resourceType)).map((r) => asShownAt(level, r));
}
