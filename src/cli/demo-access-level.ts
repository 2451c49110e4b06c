/**
 * The demo shows a practice-set online access level (`access/online-level.ts`): the second demo
 * patient (`patient2`) sees the detailed coded record only — no letters or notes — as if their
 * practice had lowered it, e.g. while a safeguarding concern is reviewed. Written once, when the
 * demo users are first created, as the practice's GP system would: on their Patient resource.
 */
import { ONLINE_LEVEL_EXTENSION, type OnlineLevel } from '../access/online-level.js';
import type { Resource } from '../fhir/types.js';
import type { FhirStore } from '../store/fhir-store.js';

/** The demo user whose practice lowered their online access, and to what. */
export const DEMO_LIMITED_ACCESS: { username: string; level: OnlineLevel } = { username: 'patient2', level: 'detailed-coded' };

/** Sets `level` on Patient `patientId` (no-op when it is missing or already set). */
export async function setDemoOnlineLevel(store: FhirStore, patientId: string, level: OnlineLevel): Promise<void> {
  const current = await store.readCurrent('Patient', patientId);
  if (!current || current.deleted) return;
  const patient = JSON.parse(current.json) as Resource & { extension?: { url: string; valueCode?: string }[] };
  const others = (patient.extension ?? []).filter((e) => e.url !== ONLINE_LEVEL_EXTENSION);
  if ((patient.extension ?? []).some((e) => e.url === ONLINE_LEVEL_EXTENSION && e.valueCode === level)) return;
  await store.update({ ...patient, extension: [...others, { url: ONLINE_LEVEL_EXTENSION, valueCode: level }] } as Resource);
}
