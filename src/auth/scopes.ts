/**
 * SMART App Launch 2.0 scopes, parsed into data. Pure: no I/O.
 *
 * Resource scopes are `context/Type.permissions[?query]` where context is `patient`, `user` or
 * `system`, Type a resource type or `*`, and permissions a non-empty subset of `cruds` in that
 * order (create, read, update, delete, search). SMART v1 `.read`, `.write` and `.*` are accepted
 * and mapped to `rs`, `cud` and `cruds`.
 * @see https://hl7.org/fhir/smart-app-launch/STU2/scopes-and-launch-context.html
 */

/** Who a resource scope is for. */
export type ScopeContext = 'patient' | 'user' | 'system';

/** One SMART v2 permission letter. */
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';

const PERMISSION_ORDER = 'cruds';
const V1_PERMISSIONS: Record<string, string> = { read: 'rs', write: 'cud', '*': 'cruds' };

/** A resource scope such as `patient/Observation.rs`. */
export interface ResourceScope {
  kind: 'resource';
  context: ScopeContext;
  /** A resource type, or `*` for all. */
  resourceType: string;
  /** The permitted letters in canonical order, e.g. `rs`. */
  permissions: string;
  /** Granular-scope search parameters (`?category=…`), if any, in order. */
  query?: [string, string][];
  /** The scope exactly as written. */
  raw: string;
  /** True when written in SMART v1 syntax (`.read`, `.write`, `.*`). */
  isV1: boolean;
}

/** A launch-context scope: `launch`, `launch/patient`, `launch/encounter`. */
export interface LaunchScope {
  kind: 'launch';
  /** `undefined` for bare `launch` (EHR launch), else the context name. */
  context?: string;
  raw: string;
}

/** An identity or token scope: `openid`, `fhirUser`, `profile`, `offline_access`, `online_access`. */
export interface IdentityScope {
  kind: 'identity';
  raw: 'openid' | 'fhirUser' | 'profile' | 'offline_access' | 'online_access';
}

/** Any scope Tessera understands. */
export type SmartScope = ResourceScope | LaunchScope | IdentityScope;

/** A scope string that is not a valid SMART scope. */
export class ScopeSyntaxError extends Error {
  constructor(readonly scope: string, reason: string) {
    super(`'${scope}' is not a valid scope: ${reason}`);
    this.name = 'ScopeSyntaxError';
  }
}

/** Options for parsing. */
export interface ScopeParseOptions {
  /** Checks a resource type name (e.g. against the R4 list); by default any `[A-Z][A-Za-z]*`. */
  isResourceType?: (name: string) => boolean;
}

const IDENTITY = new Set(['openid', 'fhirUser', 'profile', 'offline_access', 'online_access']);
const RESOURCE_SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]*)\.([^?]+)(?:\?(.*))?$/;
// RFC 6749 §3.3 scope-token characters.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Canonical order of a permission string, or undefined when it is not a valid v2 subset. */
function canonicalPermissions(s: string): string | undefined {
  if (s.length === 0 || s.length > 5) return undefined;
  let last = -1;
  for (const ch of s) {
    const i = PERMISSION_ORDER.indexOf(ch);
    // SMART v2 requires the letters in order, without repeats.
    if (i <= last) return undefined;
    last = i;
  }
  return s;
}

/**
 * Parses one scope. Throws `ScopeSyntaxError` for anything malformed, including unknown
 * non-resource scopes.
 */
export function parseScope(scope: string, opts: ScopeParseOptions = {}): SmartScope {
  if (!SCOPE_TOKEN.test(scope)) throw new ScopeSyntaxError(scope, 'contains characters not allowed in a scope');
  if (IDENTITY.has(scope)) return { kind: 'identity', raw: scope as IdentityScope['raw'] };
  if (scope === 'launch') return { kind: 'launch', raw: scope };
  if (scope.startsWith('launch/')) {
    const context = scope.slice('launch/'.length);
    if (!/^[a-z][a-zA-Z]*$/.test(context)) throw new ScopeSyntaxError(scope, 'launch context must be a name such as launch/patient');
    return { kind: 'launch', context, raw: scope };
  }
  const m = RESOURCE_SCOPE.exec(scope);
  if (!m) throw new ScopeSyntaxError(scope, 'expected context/Type.permissions, e.g. patient/Observation.rs');
  const [, context, resourceType, perms, query] = m as unknown as [string, ScopeContext, string, string, string | undefined];
  if (resourceType !== '*' && opts.isResourceType && !opts.isResourceType(resourceType)) {
    throw new ScopeSyntaxError(scope, `'${resourceType}' is not a resource type`);
  }
  let permissions: string | undefined;
  let isV1 = false;
  if (perms in V1_PERMISSIONS) {
    if (query !== undefined) throw new ScopeSyntaxError(scope, 'SMART v1 scopes cannot carry a query');
    permissions = V1_PERMISSIONS[perms];
    isV1 = true;
  } else {
    permissions = canonicalPermissions(perms);
    if (!permissions) throw new ScopeSyntaxError(scope, `permissions must be letters from 'cruds' in that order, or read/write/*`);
  }
  const out: ResourceScope = { kind: 'resource', context, resourceType, permissions: permissions!, raw: scope, isV1 };
  if (query !== undefined) {
    if (query.length === 0) throw new ScopeSyntaxError(scope, 'empty query');
    const pairs = [...new URLSearchParams(query)] as [string, string][];
    if (pairs.some(([k, v]) => !k || !v)) throw new ScopeSyntaxError(scope, 'query parameters need a name and a value');
    out.query = pairs;
  }
  return out;
}

/** The result of parsing a space-separated scope string. */
export interface ParsedScopes {
  scopes: SmartScope[];
  /** Scope tokens that are not valid SMART scopes, each with the reason. */
  invalid: ScopeSyntaxError[];
}

/** Parses a space-separated scope string, collecting (not throwing) the malformed tokens. */
export function parseScopes(scope: string | undefined, opts: ScopeParseOptions = {}): ParsedScopes {
  const out: ParsedScopes = { scopes: [], invalid: [] };
  const seen = new Set<string>();
  for (const token of (scope ?? '').split(' ')) {
    if (token === '' || seen.has(token)) continue;
    seen.add(token);
    try {
      out.scopes.push(parseScope(token, opts));
    } catch (err) {
      if (err instanceof ScopeSyntaxError) out.invalid.push(err);
      else throw err;
    }
  }
  return out;
}

/** Only the resource scopes. */
export function resourceScopes(scopes: readonly SmartScope[]): ResourceScope[] {
  return scopes.filter((s): s is ResourceScope => s.kind === 'resource');
}

/** Writes a resource scope in v2 syntax (v1 scopes come out as their v2 equivalent). */
export function formatScope(s: ResourceScope): string {
  const q = s.query ? `?${new URLSearchParams(s.query).toString()}` : '';
  return `${s.context}/${s.resourceType}.${s.permissions}${q}`;
}

/** True when `scope` grants `permission` on `resourceType` in `context` (ignoring any query). */
export function scopeGrants(scope: ResourceScope, context: ScopeContext, resourceType: string, permission: Permission): boolean {
  return scope.context === context && (scope.resourceType === '*' || scope.resourceType === resourceType) && scope.permissions.includes(permission);
}

/**
 * True when any of `scopes` grants `permission` on `resourceType` in `context`. A scope with a
 * query grants only part of the type; callers that need the whole type should check `query`.
 */
export function anyScopeGrants(scopes: readonly ResourceScope[], context: ScopeContext, resourceType: string, permission: Permission): boolean {
  return scopes.some((s) => scopeGrants(s, context, resourceType, permission));
}

/** The scope contexts that count for a kind of caller: `system/` for backend systems, `user/` and `patient/` for staff, `patient/` for patients and carers. */
export function scopeContextsOf(kind: string): ScopeContext[] {
  if (kind === 'system') return ['system'];
  if (kind === 'practitioner') return ['user', 'patient'];
  return ['patient'];
}

/** True when a caller (a principal's kind and scopes) may do `permission` on `resourceType`. */
export function callerMay(caller: { readonly kind: string; readonly scopes: readonly ResourceScope[] }, resourceType: string, permission: Permission): boolean {
  return scopeContextsOf(caller.kind).some((ctx) => anyScopeGrants(caller.scopes, ctx, resourceType, permission));
}

/**
 * True when everything `inner` grants is also granted by `outer`: same context, a type equal to
 * or covered by `*`, permissions a subset, and `outer`'s query (if any) also on `inner`.
 */
export function scopeWithin(inner: ResourceScope, outer: ResourceScope): boolean {
  if (inner.context !== outer.context) return false;
  if (outer.resourceType !== '*' && outer.resourceType !== inner.resourceType) return false;
  for (const p of inner.permissions) if (!outer.permissions.includes(p)) return false;
  if (outer.query) {
    const have = new Set((inner.query ?? []).map(([k, v]) => `${k}=${v}`));
    if (!outer.query.every(([k, v]) => have.has(`${k}=${v}`))) return false;
  }
  return true;
}

/** True when `inner` is within at least one of `outers`. */
export function scopeWithinAny(inner: ResourceScope, outers: readonly ResourceScope[]): boolean {
  return outers.some((o) => scopeWithin(inner, o));
}
