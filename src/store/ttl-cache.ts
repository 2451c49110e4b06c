/**
 * A small per-node memo with an expiry: what `AccessResolver` remembers for a few seconds or
 * minutes (callers' facts, access decisions, display names). Bounded: when full it starts again
 * empty, which only costs the lookups it saves. Not shared between nodes, so it must only hold
 * what can be read again from the database.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(private readonly ttlMs: number, private readonly max = 10_000) {}

  /** The value for `key` unless it has expired at `now` (ms). */
  get(key: string, now: number): V | undefined {
    const hit = this.entries.get(key);
    return hit && hit.until > now ? hit.value : undefined;
  }

  /** Remembers `value` until the TTL has passed, or until `until` (ms) if that is sooner. */
  set(key: string, value: V, now: number, until?: number): void {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, { value, until: Math.min(now + this.ttlMs, until ?? Infinity) });
  }

  /** The remembered value, or `load()`'s, remembered. Undefined results are remembered too. */
  async remember(key: string, now: number, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value;
    const value = await load();
    this.set(key, value, now);
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
