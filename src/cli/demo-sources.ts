/**
 * The source systems of the demo: the generated UK population's GP systems, trust systems and
 * laboratories (connected), the patient app itself, and a few systems a real area would have
 * that are not connected, so the patient app can say what a record does not contain.
 */
import { gpSystem, hospitalSystem, laboratorySystem } from '../generate/sources.js';
import { LABORATORIES, PRACTICES, TRUSTS } from '../generate/reference-data/organisations.js';
import type { DeliveryFacts } from '../patient-app/model/source-health.js';
import { liveSourceDirectory, staticSourceDirectory, type SourceDirectory, type SourceSystemInfo } from '../patient-app/model/sources.js';

/** The patient app's own `meta.source` (for what patients create, e.g. reports of errors). */
export const PATIENT_APP_SOURCE = 'https://tessera.example/systems/patient-app';

/** The demo's source systems. */
export function demoSourceSystems(): SourceSystemInfo[] {
  const out: SourceSystemInfo[] = [];
  for (const p of PRACTICES) out.push({ uri: gpSystem(p).uri, name: `your GP practice, ${p.name}`, kind: 'gp', organisation: { odsCode: p.odsCode, name: p.name }, status: 'connected' });
  for (const t of TRUSTS) out.push({ uri: hospitalSystem(t).uri, name: t.name, kind: 'hospital', organisation: { odsCode: t.odsCode, name: t.name }, status: 'connected' });
  for (const l of LABORATORIES) out.push({ uri: laboratorySystem(l).uri, name: `${l.name} (laboratory)`, kind: 'laboratory', organisation: { odsCode: l.siteCode, name: l.name }, status: 'connected' });
  out.push({ uri: PATIENT_APP_SOURCE, name: 'you, through this app', kind: 'app', status: 'connected' });
  // Configured as unavailable (as an operator would during an outage), to show how the app says so.
  out.push({ uri: 'https://tessera.example/systems/community-services', name: 'community nursing services', kind: 'other', status: 'unavailable', asOf: '2026-01-01T00:00:00Z' });
  out.push({ uri: 'https://tessera.example/systems/dental', name: 'your dentist', kind: 'other', status: 'not-connected' });
  out.push({ uri: 'https://tessera.example/systems/mental-health', name: 'mental health services', kind: 'other', status: 'not-connected' });
  return out;
}

/**
 * The demo's source directory, with each system's status decided from the deliveries Tessera
 * recorded (`readDeliveries`, e.g. `listSourceDeliveries(db)`): a feed whose last bundle failed
 * shows as unavailable. The demo's generated feeds are loaded once, so none has an
 * `overdueAfterSeconds` (they would all be overdue a day later); a real deployment sets one per
 * scheduled feed. Without `readDeliveries` the configured statuses are used.
 */
export function demoSourceDirectory(readDeliveries?: () => Promise<readonly DeliveryFacts[]>): SourceDirectory {
  return readDeliveries ? liveSourceDirectory(demoSourceSystems(), readDeliveries) : staticSourceDirectory(demoSourceSystems());
}
