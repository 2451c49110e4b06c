import { describe, expect, it } from 'vitest';
import { loadAuthConfig } from './auth-config.js';
import { audiencesFor, issuerFor, publicUrlFor } from './register-auth.js';
import { builtinEndpoints, capabilitySecurity, smartConfiguration } from './smart-configuration.js';
import { relativeFhirUser } from './verify-token.js';

describe('loadAuthConfig', () => {
  it('defaults to the built-in provider', () => {
    const c = loadAuthConfig({});
    expect(c).toMatchObject({ mode: 'builtin', accessTokenTtl: 3600, systemTokenTtl: 900, refreshTokenTtl: 1209600, loginMaxFailures: 5, loginWindowSeconds: 900, clients: [], trustProxy: false });
    expect(c.external).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads clients as JSON and refuses shared secrets and bad JSON', () => {
    const c = loadAuthConfig({ TESSERA_AUTH_CLIENTS: JSON.stringify([{ client_id: 'a', redirect_uris: ['https://a.example/cb'] }]) });
    expect(c.clients[0]?.client_id).toBe('a');
    expect(() => loadAuthConfig({ TESSERA_AUTH_CLIENTS: '[{' })).toThrow(/TESSERA_AUTH_CLIENTS is not valid JSON/);
    expect(() => loadAuthConfig({ TESSERA_AUTH_CLIENTS: JSON.stringify([{ client_id: 'a', token_endpoint_auth_method: 'client_secret_basic' }]) })).toThrow(/auth\.clients/);
  });

  it('names the bad setting without echoing its value', () => {
    expect(() => loadAuthConfig({ TESSERA_AUTH_ACCESS_TOKEN_TTL: '5' })).toThrow(/auth\.accessTokenTtl/);
    expect(() => loadAuthConfig({ TESSERA_AUTH_MODE: 'magic' })).toThrow(/auth\.mode/);
  });

  it('configures an external issuer with a claim map', () => {
    const c = loadAuthConfig({
      TESSERA_AUTH_MODE: 'external', TESSERA_AUTH_EXTERNAL_ISSUER: 'https://idp.example', TESSERA_AUTH_EXTERNAL_JWKS_URL: 'https://idp.example/jwks',
      TESSERA_AUTH_EXTERNAL_CLAIMS: '{"fhirUser":"fhir_user"}', TESSERA_AUTH_EXTERNAL_ALGS: 'ES256, PS256',
    });
    expect(c.external).toMatchObject({ issuer: 'https://idp.example', jwksUrl: 'https://idp.example/jwks', algorithms: ['ES256', 'PS256'], kind: 'patient' });
    expect(c.external?.claims).toMatchObject({ fhirUser: 'fhir_user', scope: 'scope', nhsNumber: 'nhs_number' });
    expect(() => loadAuthConfig({ TESSERA_AUTH_EXTERNAL_ISSUER: 'https://idp.example', TESSERA_AUTH_EXTERNAL_ALGS: 'HS256', TESSERA_AUTH_EXTERNAL_JWKS_URL: 'https://idp.example/jwks' })).toThrow(/algorithms/);
  });
});

describe('URLs', () => {
  it('derives the public URL, issuer and FHIR audience', () => {
    expect(publicUrlFor({ host: '127.0.0.1', port: 8080 })).toBe('http://localhost:8080');
    expect(publicUrlFor({ host: '0.0.0.0', port: 80 })).toBe('http://localhost:80');
    expect(publicUrlFor({ host: 'tessera.internal', port: 8080 })).toBe('http://tessera.internal:8080');
    expect(publicUrlFor({ baseUrl: 'https://tessera.nhs.example/', host: '0.0.0.0', port: 8080 })).toBe('https://tessera.nhs.example');
    expect(issuerFor('https://t.example')).toBe('https://t.example/oauth2');
  });
  it('accepts localhost and 127.0.0.1 as the same FHIR server, nothing else', () => {
    expect(audiencesFor('http://localhost:8080')).toEqual({
      fhirBase: 'http://localhost:8080/fhir',
      audiences: ['http://localhost:8080/fhir', 'http://127.0.0.1:8080/fhir', 'http://[::1]:8080/fhir'],
    });
    expect(audiencesFor('https://t.example').audiences).toEqual(['https://t.example/fhir']);
  });
  it('reads fhirUser as a relative reference', () => {
    expect(relativeFhirUser('https://t.example/fhir/Practitioner/abc')).toBe('Practitioner/abc');
    expect(relativeFhirUser('Patient/1')).toBe('Patient/1');
    expect(relativeFhirUser('https://t.example/fhir/Observation/1')).toBeUndefined();
    expect(relativeFhirUser(42)).toBeUndefined();
  });
});

describe('SMART discovery', () => {
  it('advertises the endpoints and capabilities (SMART App Launch 2.0 §Conformance)', () => {
    const doc = smartConfiguration(builtinEndpoints('https://t.example/oauth2'), { isBuiltin: true });
    expect(doc).toMatchObject({ issuer: 'https://t.example/oauth2', token_endpoint: 'https://t.example/oauth2/token', code_challenge_methods_supported: ['S256'] });
    expect(doc.token_endpoint_auth_methods_supported).toEqual(['private_key_jwt', 'none']);
    expect(doc.capabilities).not.toContain('client-confidential-symmetric');
  });
  it('builds the CapabilityStatement security element with the oauth-uris extension', () => {
    const sec = capabilitySecurity(builtinEndpoints('https://t.example/oauth2')) as { extension: { extension: { url: string }[] }[] };
    expect(sec.extension[0]!.extension.map((e) => e.url)).toEqual(['authorize', 'token', 'revoke']);
  });
});
