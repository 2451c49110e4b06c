/**
 * The SMART App Launch discovery document served at `/.well-known/smart-configuration` (and below
 * the FHIR base), plus the CapabilityStatement `rest.security` element that points at the same
 * endpoints. Pure.
 * @see https://hl7.org/fhir/smart-app-launch/STU2/conformance.html
 */
import type { ExternalIssuerConfig } from './auth-config.js';

/** The endpoints of Tessera's own authorization server, for issuer `issuer`. */
export function builtinEndpoints(issuer: string): SmartEndpoints {
  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    authorizationEndpoint: `${issuer}/auth`,
    tokenEndpoint: `${issuer}/token`,
    revocationEndpoint: `${issuer}/token/revocation`,
  };
}

/** The endpoints advertised for an external issuer. */
export function externalEndpoints(ext: ExternalIssuerConfig): SmartEndpoints {
  const out: SmartEndpoints = { issuer: ext.issuer };
  if (ext.jwksUrl) out.jwksUri = ext.jwksUrl;
  if (ext.authorizationEndpoint) out.authorizationEndpoint = ext.authorizationEndpoint;
  if (ext.tokenEndpoint) out.tokenEndpoint = ext.tokenEndpoint;
  return out;
}

/** Where an authorization server's endpoints are. */
export interface SmartEndpoints {
  issuer: string;
  jwksUri?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  revocationEndpoint?: string;
}

/** Builds the smart-configuration JSON object. */
export function smartConfiguration(e: SmartEndpoints, opts: { isBuiltin: boolean }): Record<string, unknown> {
  const doc: Record<string, unknown> = { issuer: e.issuer };
  if (e.jwksUri) doc.jwks_uri = e.jwksUri;
  if (e.authorizationEndpoint) doc.authorization_endpoint = e.authorizationEndpoint;
  if (e.tokenEndpoint) doc.token_endpoint = e.tokenEndpoint;
  if (e.revocationEndpoint) doc.revocation_endpoint = e.revocationEndpoint;
  if (!opts.isBuiltin) {
    doc.capabilities = ['permission-v2'];
    return doc;
  }
  return {
    ...doc,
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['private_key_jwt', 'none'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384', 'RS256', 'ES256', 'PS256', 'PS384'],
    scopes_supported: [
      'openid', 'fhirUser', 'profile', 'launch/patient', 'offline_access', 'online_access',
      'patient/*.cruds', 'patient/*.rs', 'user/*.cruds', 'user/*.rs', 'system/*.cruds', 'system/*.rs',
      'patient/*.read', 'user/*.read', 'system/*.read',
    ],
    capabilities: [
      'launch-standalone',
      'client-public',
      'client-confidential-asymmetric',
      'context-standalone-patient',
      'sso-openid-connect',
      'permission-offline',
      'permission-online',
      'permission-patient',
      'permission-user',
      'permission-v1',
      'permission-v2',
    ],
  };
}

/**
 * The CapabilityStatement `rest.security` element advertising SMART
 * (https://hl7.org/fhir/smart-app-launch/STU2/conformance.html#declaring-support-for-oauth2-endpoints).
 */
export function capabilitySecurity(e: SmartEndpoints): Record<string, unknown> {
  const uris: { url: string; valueUri: string }[] = [];
  if (e.authorizationEndpoint) uris.push({ url: 'authorize', valueUri: e.authorizationEndpoint });
  if (e.tokenEndpoint) uris.push({ url: 'token', valueUri: e.tokenEndpoint });
  if (e.revocationEndpoint) uris.push({ url: 'revoke', valueUri: e.revocationEndpoint });
  return {
    cors: true,
    service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }], text: 'OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)' }],
    extension: [{ url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris', extension: uris }],
  };
}
