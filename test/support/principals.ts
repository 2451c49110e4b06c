/**
 * Callers for tests that exercise the API without signing in through OAuth: principals as the
 * token verifier would produce them.
 */
import type { Principal } from '../../src/auth/principal.js';
import { parseScope, type ResourceScope } from '../../src/auth/scopes.js';

const scopesOf = (scope: string): ResourceScope[] => scope.split(' ').map((s) => parseScope(s) as ResourceScope);

/** Builds a principal with `scope` (resource scopes only) and the given identity. */
export function testPrincipal(kind: Principal['kind'], scope: string, extra: Partial<Principal> = {}): Principal {
  return {
    kind, clientId: 'test-client', scope, scopes: scopesOf(scope), subject: extra.userId ?? 'test-client', issuer: 'http://tessera.test/oauth2',
    expiresAt: new Date(Date.now() + 3600_000), ...extra,
  };
}

/** A backend system with every permission: what most API tests act as. */
export const SYSTEM_PRINCIPAL: Principal = testPrincipal('system', 'system/*.cruds');
