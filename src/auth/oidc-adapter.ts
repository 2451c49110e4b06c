/**
 * oidc-provider's storage adapter over `AuthStore`: sessions, interactions, grants, codes,
 * refresh tokens and clients all live in the database, so any app node can continue what
 * another began. (The library's default is an in-memory LRU, which would tie a sign-in to one node.)
 * @see https://github.com/panva/node-oidc-provider/blob/v9.x/example/my_adapter.js
 */
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { AuthStore } from '../store/auth-store.js';

/** Returns the adapter factory oidc-provider calls once per model name. */
export function createOidcAdapter(store: AuthStore): new (model: string) => Adapter {
  return class DatabaseAdapter implements Adapter {
    constructor(private readonly model: string) {}

    upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      return store.oidcUpsert(this.model, id, payload, expiresIn);
    }

    find(id: string): Promise<AdapterPayload | undefined> {
      return store.oidcFind(this.model, id);
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return store.oidcFindByUserCode(this.model, userCode);
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return store.oidcFindByUid(this.model, uid);
    }

    async consume(id: string): Promise<void> {
      // The library checks `consumed` before calling this; a concurrent redeemer on another
      // node may have got in between, so the database has the last word.
      if (!(await store.oidcConsume(this.model, id))) throw new errors.InvalidGrant(`${this.model} already used`);
    }

    destroy(id: string): Promise<void> {
      return store.oidcDestroy(this.model, id);
    }

    revokeByGrantId(grantId: string): Promise<void> {
      return store.oidcRevokeByGrantId(this.model, grantId);
    }
  };
}
