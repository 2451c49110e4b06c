/**
 * The tamper-evidence of the audit trail: each stored audit row carries the SHA-256 of its own
 * canonical text and the previous row's hash in the same chain, so changing, deleting or
 * reordering a row breaks the chain at that point.
 *
 * What this does not do: stop someone who can write to the database from rewriting a chain's
 * tail and its head together (the hash has no secret). Detecting that needs the heads kept
 * somewhere else too; see `src/audit/README.md`.
 */
import { hash } from 'node:crypto';
import { NO_PATIENT_CHAIN } from './access-record.js';

/** The `prev_hash` of a chain's first row. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, numbers and strings as
 * `JSON.stringify` writes them — the serialisation of RFC 8785 (JCS) for the values FHIR JSON
 * uses (finite numbers; no `undefined`, which is dropped from objects as JSON does). The same
 * event always gives the same text, however its keys were ordered or however it was stored.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8785
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`canonicalJson: cannot serialise a ${typeof value}`);
    return text;
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** One stored audit row, as chained: every column a reader relies on is covered by the hash. */
export interface ChainEntry {
  /** The chain: a patient id, the no-patient chain, or an audit writer's chain. */
  chainKey: string;
  /** Position in the chain, from 1. */
  seq: number;
  eventId: string;
  /** `recorded_at` as an ISO 8601 instant with milliseconds (`Date#toISOString`). */
  recordedAt: string;
  action: string;
  /** The agent searched on: a person's reference, else the client id. */
  agentRef: string | null;
  /** Whether this row is the event's full copy (searches across chains read only these). */
  isPrimary: boolean;
  /** The patient whose record the access touched (null: none); whose access list shows the row. */
  patientId: string | null;
  /** The access as canonical JSON text (`audit/stored-access.ts`; rows written before it: the whole AuditEvent), exactly as stored. */
  content: string;
}

/**
 * The canonical text of a row, as hashed: `canonicalJson` of the entry with its event parsed —
 * built around the stored content text rather than re-serialising it, which gives the same text
 * when the content is canonical, and a different one (so a failed check) when it was edited in
 * any way, including into equivalent JSON.
 */
export function canonicalEntry(e: ChainEntry): string {
  // Keys in sorted order: action, agentRef, chainKey, content, eventId, isPrimary, [patientId,]
  // recordedAt, seq — written directly (every read of a record appends a row);
  // `hash-chain.test.ts` checks it is exactly canonicalJson's text. The patient goes in only where
  // the chain does not already say it, so rows of patients' own chains (including those written
  // before the column existed) hash as they always did, and moving a row to another patient's
  // list changes its hash either way.
  if (!Number.isFinite(e.seq)) throw new TypeError('canonicalEntry: non-finite seq');
  const patient = patientImplied(e) ? '' : `"patientId":${JSON.stringify(e.patientId)},`;
  return `{"action":${JSON.stringify(e.action)},"agentRef":${JSON.stringify(e.agentRef)},"chainKey":${JSON.stringify(e.chainKey)},"content":${e.content},"eventId":${JSON.stringify(e.eventId)},"isPrimary":${e.isPrimary},${patient}"recordedAt":${JSON.stringify(e.recordedAt)},"seq":${JSON.stringify(e.seq)}}`;
}

/** Whether the row's chain names its patient: a patient's own chain, or the no-patient chain with no patient. */
export function patientImplied(e: Pick<ChainEntry, 'chainKey' | 'patientId'>): boolean {
  return e.patientId === null ? e.chainKey === NO_PATIENT_CHAIN : e.patientId === e.chainKey;
}

/** The hash of a row: SHA-256 (hex) over the previous row's hash, a newline and the row's canonical text. */
export function linkHash(prevHash: string, canonicalText: string): string {
  return hash('sha256', `${prevHash}\n${canonicalText}`);
}

/** Convenience: the hash of `entry` following `prevHash`. */
export function entryHash(prevHash: string, entry: ChainEntry): string {
  return linkHash(prevHash, canonicalEntry(entry));
}
