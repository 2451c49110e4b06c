/**
 * Loads the parts of a person's record a page needs, through the RecordClient (so the access
 * layer decides what comes back), one compartment search per resource type in parallel, then
 * applies the app's own visibility rules. A type that fails to load is reported, not thrown:
 * the page shows what it has and says what is missing.
 */
import type { Resource } from '../../fhir/types.js';
import type { RecordClient } from '../record-client.js';
import { lastUpdatedBySource } from '../model/sources.js';
import type { AccessLevel } from '../model/access-level.js';
import { forLevel, visibleOnly, type Viewer } from '../model/visibility.js';

/** A loaded record. */
export interface LoadedRecord {
  byType: Map<string, Resource[]>;
  /** Every visible resource loaded. */
  all: Resource[];
  /** Types that could not be loaded. */
  failed: Set<string>;
  /** When each source system last sent anything (over what was loaded). */
  updatedBySource: Map<string, Date>;
}

/**
 * Loads `types` of patient `patientId`'s record as `viewer` sees it at `level`: one `$everything` request
 * for all of them (one round trip, one query plan), or, if that fails, one compartment search
 * per type so that whatever can be loaded still is.
 */
export async function loadRecord(client: RecordClient, patientId: string, types: readonly string[], viewer: Viewer, log?: { warn(o: object, m: string): void }, level: AccessLevel = 'full'): Promise<LoadedRecord> {
  const failed = new Set<string>();
  let loaded: Resource[];
  try {
    loaded = await client.everything(patientId, types);
  } catch (err) {
    log?.warn({ err }, 'patient app: the record could not be loaded in one request; loading it by type');
    const results = await Promise.all(types.map(async (t) => {
      try {
        return await client.searchPatient(patientId, t);
      } catch (e) {
        log?.warn({ err: e, type: t }, 'patient app: part of a record could not be loaded');
        failed.add(t);
        return [] as Resource[];
      }
    }));
    loaded = results.flat();
  }
  const all = forLevel(visibleOnly(loaded, viewer), level);
  const byType = new Map<string, Resource[]>(types.map((t) => [t, []]));
  for (const r of all) byType.get(r.resourceType)?.push(r);
  return { byType, all, failed, updatedBySource: lastUpdatedBySource(all) };
}
