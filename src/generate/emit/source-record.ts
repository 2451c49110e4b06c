/**
 * One person's record in one source system while it is being written: the bundle entries,
 * and identifiers for each resource from that system (`<system uri>/Id/<type>`, value the
 * local patient number and a running count), so that they are stable across runs with the
 * same seed and unique within the system.
 */
import type { Random } from '../random.js';
import { identifierSystem, type SourceSystem } from '../sources.js';
import { BundleWriter, type IdentifierValue, type RequestStyle } from './bundle-writer.js';

/** A source system's record of one person, being written. */
export class SourceRecord {
  readonly writer: BundleWriter;
  private readonly counters = new Map<string, number>();

  constructor(readonly source: SourceSystem, readonly localPatientId: string, random: Random, style: RequestStyle = 'conditional') {
    this.writer = new BundleWriter(source.uri, random, style, source.key);
  }

  /** The next identifier for a resource of `type` (e.g. `encounter`). */
  nextKey(type: string): IdentifierValue {
    const n = (this.counters.get(type) ?? 0) + 1;
    this.counters.set(type, n);
    return { system: identifierSystem(this.source, type), value: `${this.localPatientId}-${n}` };
  }

  /** Adds a resource with the next identifier of `idType`; returns its full URL. */
  add(resourceType: string, idType: string, body: Record<string, unknown>): string {
    return this.writer.add(resourceType, this.nextKey(idType), body);
  }
}
