/**
 * Collects one source system's resources as FHIR transaction entries. Every resource gets
 * `meta.source` naming the system and an identifier from that system, and is written with a
 * conditional update keyed on that identifier (`PUT Type?identifier=system|value`), so that
 * importing the same file twice updates rather than duplicates. References inside a bundle use
 * the entries' `urn:uuid:` full URLs.
 *
 * @see https://hl7.org/fhir/R4/http.html#cond-update
 * @see https://hl7.org/fhir/R4/bundle.html#references
 */
import type { Bundle, BundleEntry, Resource } from '../../fhir/types.js';
import type { Random } from '../random.js';

/** An identifier `{ system, value }`. */
export interface IdentifierValue {
  readonly system: string;
  readonly value: string;
}

/** Escapes what would break a query string; our systems and values rarely need it. */
function queryValue(text: string): string {
  return text.replace(/[%&#+ ,|\\$]/g, (c) => encodeURIComponent(c));
}

/** The conditional URL that finds a resource by identifier: `Type?identifier=system|value`. */
export function identifierQuery(type: string, id: IdentifierValue): string {
  return `${type}?identifier=${queryValue(id.system)}|${queryValue(id.value)}`;
}

/**
 * How entries are written: `conditional` (the default) as `PUT Type?identifier=system|value`;
 * `id` as `PUT Type/<id>` with an id derived from the same identifier, for servers where a
 * conditional update costs a search per entry. Both are idempotent.
 */
export type RequestStyle = 'conditional' | 'id';

/**
 * The logical id a resource gets in `id` style: `<prefix>-<last path segment of the identifier
 * system>-<value>`, e.g. `gp-A99001-encounter-4061728-3`; characters outside the id alphabet
 * become `-`, and an id longer than 64 characters is shortened with a hash of the whole.
 *
 * @see https://hl7.org/fhir/R4/datatypes.html#id
 */
export function logicalId(prefix: string, key: IdentifierValue): string {
  const segment = key.system.slice(key.system.lastIndexOf('/') + 1);
  const id = `${prefix}-${segment}-${key.value}`.replace(/[^A-Za-z0-9.-]/g, '-');
  if (id.length <= 64) return id;
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return `${id.slice(0, 55)}-${(h >>> 0).toString(16).padStart(8, '0')}`;
}

/** Writes the entries of one source system. */
export class BundleWriter {
  readonly entries: BundleEntry[] = [];

  /**
   * `source` is the system's `meta.source` URI; `random` makes the `urn:uuid:` full URLs;
   * `idPrefix` (the source's key) starts logical ids in `id` style.
   */
  constructor(private readonly source: string, private readonly random: Random, private readonly style: RequestStyle = 'conditional', private readonly idPrefix = 'r') {}

  /**
   * Adds `body` (a resource without `meta` or `identifier`) as `type`, keyed on `key`, with any
   * `otherIdentifiers` after it. Returns the entry's full URL for references.
   */
  add(type: string, key: IdentifierValue, body: Record<string, unknown>, otherIdentifiers: readonly Record<string, unknown>[] = []): string {
    const fullUrl = `urn:uuid:${this.random.uuid()}`;
    const id = this.style === 'id' ? logicalId(this.idPrefix, key) : undefined;
    const resource: Resource = {
      resourceType: type,
      ...(id !== undefined ? { id } : {}),
      meta: { source: this.source },
      identifier: [{ system: key.system, value: key.value }, ...otherIdentifiers],
      ...body,
    };
    const url = id !== undefined ? `${type}/${id}` : identifierQuery(type, key);
    this.entries.push({ fullUrl, resource, request: { method: 'PUT', url } });
    return fullUrl;
  }
}

/** A transaction Bundle of `entries`, stamped with `timestamp` and the source that sent it. */
export function transactionBundle(entries: BundleEntry[], timestamp: string, source?: string): Bundle {
  return {
    resourceType: 'Bundle',
    ...(source !== undefined ? { meta: { source } } : {}),
    type: 'transaction',
    timestamp,
    entry: entries,
  };
}
