/**
 * Whether a source system is connected, unavailable or not connected, from what Tessera saw of
 * its deliveries rather than only from configuration. In the push model a GP system, trust or
 * laboratory sends its data to Tessera; when its deliveries are failing, or overdue, what the
 * record shows from it may be out of date, and the patient app says so ("what is known, as of
 * the last successful delivery") instead of implying it is current. Pure.
 *
 * The rule, for a source the directory knows:
 * - configured `not-connected`: stays so (there is no feed to fail);
 * - its last delivery failed (a failure newer than the last success): `unavailable`;
 * - it has an `overdueAfterSeconds` and nothing has arrived for longer (or ever): `unavailable`;
 * - configured `unavailable` (an operator says so, e.g. planned downtime): stays so;
 * - otherwise `connected`.
 * `asOf` is the last successful delivery, when there was one.
 */
import type { SourceSystemInfo } from './sources.js';

/** What the ingest path recorded for one source (`store/source-deliveries.ts`). */
export interface DeliveryFacts {
  /** The `meta.source` URI. */
  source: string;
  lastSuccess?: Date;
  lastFailure?: Date;
}

/** The source with its status decided from its deliveries at `now`. */
export function liveStatus(system: SourceSystemInfo, delivery: DeliveryFacts | undefined, now: Date): SourceSystemInfo {
  if (system.status === 'not-connected') return system;
  const success = delivery?.lastSuccess;
  const failure = delivery?.lastFailure;
  const isFailing = !!failure && (!success || failure > success);
  const isOverdue = system.overdueAfterSeconds !== undefined && (!success || now.getTime() - success.getTime() > system.overdueAfterSeconds * 1000);
  const asOf = success ? { asOf: success.toISOString() } : system.asOf ? { asOf: system.asOf } : {};
  if (isFailing || isOverdue || system.status === 'unavailable') {
    const { asOf: _configured, ...rest } = system;
    return { ...rest, status: 'unavailable', ...asOf, ...(isFailing ? { reason: 'failing' as const } : isOverdue ? { reason: 'overdue' as const } : {}) };
  }
  return { ...system, status: 'connected' };
}

/** Every source with its live status. */
export function liveStatuses(systems: readonly SourceSystemInfo[], deliveries: readonly DeliveryFacts[], now: Date): SourceSystemInfo[] {
  const bySource = new Map(deliveries.map((d) => [d.source, d]));
  return systems.map((s) => liveStatus(s, bySource.get(s.uri), now));
}
