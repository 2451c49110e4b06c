/**
 * A small seeded pseudo-random number generator (sfc32, seeded through splitmix32) with the
 * helpers the population generator needs. Same seed, same sequence, on every platform: the
 * arithmetic is 32-bit integer only. Not for anything security-related.
 *
 * @see https://pracrand.sourceforge.net/RNG_engines.txt (sfc32)
 */

/** splitmix32: turns any 32-bit state into a well-mixed 32-bit value. */
function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a of a label, so that `fork('person-7')` and `fork('person-8')` give unrelated streams. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A seeded random stream. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private readonly seed: number;

  /** `seed` is any integer (only its low 32 bits are used). */
  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.a = splitmix32(this.seed);
    this.b = splitmix32(this.a);
    this.c = splitmix32(this.b);
    this.d = splitmix32(this.c);
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /**
   * An independent stream named by `label`, derived from this stream's seed only (not from how
   * much of this stream has been used), so adding a draw in one place does not shift another.
   */
  fork(label: string): Random {
    return new Random(splitmix32(this.seed ^ hashLabel(label)));
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** A uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A uniform number in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One item of a non-empty list, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One item, with probability proportional to its weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new RangeError('weighted pick from an empty list');
    return last[0];
  }

  /** A normally distributed number (Box–Muller). */
  normal(mean: number, sd: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A Poisson-distributed count (Knuth; fine for the small means used here). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** A random (version 4 form) UUID, lower case, from this stream. */
  uuid(): string {
    const w0 = this.uint32();
    const w1 = (this.uint32() & 0xffff0fff) | 0x00004000;
    const w2 = (this.uint32() & 0x3fffffff) | 0x80000000;
    const w3 = this.uint32();
    const h = (w: number, shift: number) => HEX[(w >>> shift) & 0xff]!;
    return `${h(w0, 24)}${h(w0, 16)}${h(w0, 8)}${h(w0, 0)}-${h(w1, 24)}${h(w1, 16)}-${h(w1, 8)}${h(w1, 0)}-`
      + `${h(w2, 24)}${h(w2, 16)}-${h(w2, 8)}${h(w2, 0)}${h(w3, 24)}${h(w3, 16)}${h(w3, 8)}${h(w3, 0)}`;
  }

  /** A string of `length` random decimal digits. */
  digits(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += String(this.uint32() % 10);
    return out;
  }
}
