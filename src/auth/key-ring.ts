/**
 * The token signing keys, shared by every app node through the database: generated once by
 * whichever node starts first (a unique index settles the race), then read by all. Each node
 * caches them; a token signed with a `kid` it has not seen makes it re-read the table (at most
 * every `reloadIntervalMs`), so a key added later on another node is picked up.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK, type KeyObject } from 'jose';
import type { AuthStore, StoredSigningKey } from '../store/auth-store.js';

/** Algorithms Tessera signs with: ES256 for access tokens, RS256 for ID tokens (widest client support). */
export const SIGNING_ALGS = ['ES256', 'RS256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

type Key = CryptoKey | KeyObject | Uint8Array;

interface LoadedKey {
  kid: string;
  alg: string;
  active: boolean;
  privateJwk: JWK;
  publicJwk: JWK;
  privateKey?: Key;
  publicKey?: Key;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function publicPart(jwk: JWK): JWK {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(jwk)) if (!PRIVATE_MEMBERS.includes(k)) out[k] = v;
  return out as JWK;
}

async function generate(alg: SigningAlg): Promise<{ kid: string; alg: string; privateJwk: Record<string, unknown> }> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, alg, privateJwk: { ...jwk, kid, alg, use: 'sig' } };
}

/** Signing keys for this node. */
export class KeyRing {
  private keys: LoadedKey[] = [];
  private lastLoad = 0;

  private constructor(
    private readonly store: AuthStore,
    private readonly now: () => number,
    private readonly reloadIntervalMs: number,
  ) {}

  /** Loads the keys, generating any missing active key first. */
  static async open(store: AuthStore, opts: { now?: () => number; reloadIntervalMs?: number } = {}): Promise<KeyRing> {
    const ring = new KeyRing(store, opts.now ?? Date.now, opts.reloadIntervalMs ?? 30_000);
    for (const alg of SIGNING_ALGS) {
      if (!(await store.hasActiveSigningKey(alg))) await store.ensureSigningKey(await generate(alg));
    }
    await ring.reload();
    return ring;
  }

  /** Re-reads the keys from the database. */
  async reload(): Promise<void> {
    const stored = await this.store.listSigningKeys();
    this.keys = stored.map((k: StoredSigningKey) => ({
      kid: k.kid, alg: k.alg, active: k.active, privateJwk: k.privateJwk as JWK, publicJwk: publicPart(k.privateJwk as JWK),
    }));
    this.lastLoad = this.now();
  }

  /** The private JWKS for oidc-provider: active keys first, so it signs with them. */
  privateJwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => ({ ...k.privateJwk })) };
  }

  /** The public JWKS, as published at the `jwks_uri`. */
  publicJwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => ({ ...k.publicJwk })) };
  }

  /** The active private JWK for `alg` (for the CLI credentials file). */
  activePrivateJwk(alg: SigningAlg = 'ES256'): JWK {
    const k = this.keys.find((x) => x.alg === alg && x.active);
    if (!k) throw new Error(`no active ${alg} signing key`);
    return { ...k.privateJwk };
  }

  /** The active key for `alg`, to sign with. */
  async signingKey(alg: SigningAlg = 'ES256'): Promise<{ kid: string; alg: string; key: Key }> {
    const k = this.keys.find((x) => x.alg === alg && x.active);
    if (!k) throw new Error(`no active ${alg} signing key`);
    k.privateKey ??= await importJWK(k.privateJwk, k.alg);
    return { kid: k.kid, alg: k.alg, key: k.privateKey };
  }

  /**
   * The public key a token names by `kid` (and `alg`); undefined when unknown even after a
   * re-read. Refuses a key whose algorithm differs from the header's.
   */
  async verificationKey(kid: string | undefined, alg: string): Promise<Key | undefined> {
    let k = this.find(kid, alg);
    if (!k && kid && this.now() - this.lastLoad >= this.reloadIntervalMs) {
      await this.reload();
      k = this.find(kid, alg);
    }
    if (!k) return undefined;
    k.publicKey ??= await importJWK(k.publicJwk, k.alg);
    return k.publicKey;
  }

  private find(kid: string | undefined, alg: string): LoadedKey | undefined {
    return kid === undefined ? this.keys.find((k) => k.alg === alg && k.active) : this.keys.find((k) => k.kid === kid && k.alg === alg);
  }
}
