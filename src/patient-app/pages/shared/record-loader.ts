/**
 * Loads the parts of a person's record a page needs, through the RecordClient (so the access
 * layer decides what comes back), one compartment search per resource type in parallel, then
 * applies the app's own visibility rules. A type that fails to load is reported, not thrown:
 * the page shows what it has and says what is missing.
 */
import type { Resource } from '../../../fhir/types.js';
import type { RecordClient } from '../../record-client.js';
import { lastUpdatedBySource } from '../../model/sources.js';
import { visibleOnly, type Viewer } from '../../model/visibility.js';

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

/** Loads `types` of patient `patientId`'s record as `viewer` sees it. */
export async function loadRecord(client: RecordClient, patientId: string, types: readonly string[], viewer: Viewer, log?: { warn(o: object, m: string): void }): Promise<LoadedRecord> {
  const failed = new Set<string>();
  const results = await Promise.all(types.map(async (t) => {
    try {
      return [t, await client.searchPatient(patientId, t)] as const;
    } catch (err) {
      log?.warn({ err, type: t }, 'patient app: part of a record could not be loaded');
      failed.add(t);
      return [t, [] as Resource[]] as const;
    }
  }));
  const loaded = results.flatMap(([, rs]) => rs);
  const visible = new Set(visibleOnly(loaded, viewer));
  const byType = new Map<string, Resource[]>();
  for (const [t, rs] of results) byType.set(t, rs.filter((r) => visible.has(r)));
  const all = [...visible];
  return { byType, all, failed, updatedBySource: lastUpdatedBySource(all) };
}
