/**
 * The part of oidc-provider 9 that Tessera uses. The package ships no types (DefinitelyTyped's
 * `@types/oidc-provider` exists, but we keep dependencies to what we need); these declarations
 * follow https://github.com/panva/node-oidc-provider/blob/v9.x/docs/README.md.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface AdapterPayload {
    [key: string]: unknown;
    grantId?: string;
    uid?: string;
    userCode?: string;
    consumed?: number;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface ClientModel {
    clientId: string;
    clientName?: string;
    clientAuthMethod: string;
    scope?: string;
    grantTypeAllowed(type: string): boolean;
    [key: string]: unknown;
  }

  export interface GrantModel {
    jti: string;
    accountId: string;
    clientId: string;
    exp?: number;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    rejectOIDCScope(scope: string): void;
    rejectResourceScope(resource: string, scope: string): void;
    getOIDCScope(): string;
    getOIDCScopeFiltered(filter: Set<string>): string;
    getResourceScopeFiltered(resource: string, filter: Iterable<string>): string;
    save(ttl?: number): Promise<string>;
  }

  export interface TokenModel {
    jti: string;
    kind: string;
    accountId?: string;
    clientId?: string;
    grantId?: string;
    scope?: string;
    gty?: string;
    [key: string]: unknown;
  }

  export interface OIDCContext {
    params: Record<string, unknown> & { scope?: string; resource?: string | string[] };
    route?: string;
    client?: ClientModel;
    entities: {
      AuthorizationCode?: TokenModel;
      RefreshToken?: TokenModel;
      AccessToken?: TokenModel;
      ClientCredentials?: TokenModel;
      Grant?: GrantModel;
      Account?: { accountId: string };
      [key: string]: unknown;
    };
    provider: Provider;
  }

  export interface KoaContextWithOIDC {
    oidc: OIDCContext;
    path: string;
    method: string;
    status: number;
    body: unknown;
    ip: string;
    query: Record<string, string | string[] | undefined>;
    querystring: string;
    type: string;
    get(header: string): string;
    set(header: string, value: string): void;
  }

  export interface InteractionDetails {
    uid: string;
    params: Record<string, unknown> & { client_id: string; scope?: string; redirect_uri?: string };
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    session?: { accountId?: string; uid: string };
    grantId?: string;
    lastSubmission?: Record<string, unknown>;
    exp: number;
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string, claims: unknown, rejected: string[]): Promise<Record<string, unknown>> | Record<string, unknown>;
  }

  export type Configuration = Record<string, unknown>;

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    use(middleware: (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionResult(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, opts?: { mergeWithLastSubmission?: boolean }): Promise<string>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, opts?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    readonly Grant: {
      new (init: { accountId: string; clientId: string }): GrantModel;
      find(id: string): Promise<GrantModel | undefined>;
    };
    readonly Client: { find(id: string): Promise<ClientModel | undefined> };
  }

  export const errors: {
    InvalidRequest: new (description?: string) => Error;
    InvalidGrant: new (description?: string) => Error;
    InvalidScope: new (description?: string, scope?: string) => Error;
    InvalidTarget: new (description?: string) => Error;
    AccessDenied: new (description?: string) => Error;
  };

  export default Provider;
}
