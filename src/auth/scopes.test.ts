import { describe, expect, it } from 'vitest';
import {
  anyScopeGrants, formatScope, parseScope, parseScopes, resourceScopes, ScopeSyntaxError, scopeWithin,
  type ResourceScope,
} from './scopes.js';

const res = (s: string) => parseScope(s) as ResourceScope;

// Examples from https://hl7.org/fhir/smart-app-launch/STU2/scopes-and-launch-context.html
describe('parseScope (SMART App Launch 2.0 §Scopes)', () => {
  it('parses patient/Observation.rs', () => {
    expect(parseScope('patient/Observation.rs')).toEqual({
      kind: 'resource', context: 'patient', resourceType: 'Observation', permissions: 'rs', raw: 'patient/Observation.rs', isV1: false,
    });
  });
  it('parses user/*.cruds and system/*.rs', () => {
    expect(res('user/*.cruds')).toMatchObject({ context: 'user', resourceType: '*', permissions: 'cruds' });
    expect(res('system/*.rs')).toMatchObject({ context: 'system', resourceType: '*', permissions: 'rs' });
  });
  it('parses a granular scope with a query (category=laboratory)', () => {
    const s = res('patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory');
    expect(s.query).toEqual([['category', 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory']]);
  });
  it('maps SMART v1 .read, .write and .* to rs, cud and cruds', () => {
    expect(res('patient/Observation.read')).toMatchObject({ permissions: 'rs', isV1: true });
    expect(res('user/Patient.write')).toMatchObject({ permissions: 'cud', isV1: true });
    expect(res('system/*.*')).toMatchObject({ permissions: 'cruds', isV1: true });
    expect(formatScope(res('patient/*.read'))).toBe('patient/*.rs');
  });
  it('parses identity and launch scopes', () => {
    expect(parseScope('openid')).toEqual({ kind: 'identity', raw: 'openid' });
    expect(parseScope('fhirUser')).toEqual({ kind: 'identity', raw: 'fhirUser' });
    expect(parseScope('offline_access')).toEqual({ kind: 'identity', raw: 'offline_access' });
    expect(parseScope('launch/patient')).toEqual({ kind: 'launch', context: 'patient', raw: 'launch/patient' });
    expect(parseScope('launch')).toEqual({ kind: 'launch', raw: 'launch' });
  });
  it.each([
    ['patient/Observation.sr', 'letters out of order'],
    ['patient/Observation.rr', 'repeated letter'],
    ['patient/Observation.', 'no permissions'],
    ['patient/Observation.x', 'unknown letter'],
    ['patient/Observation.crudsx', 'too many letters'],
    ['clinic/Observation.rs', 'unknown context'],
    ['patient/observation.rs', 'lower-case type'],
    ['patient/Observation', 'no permissions part'],
    ['patient/*.read?category=x', 'v1 with a query'],
    ['patient/Observation.rs?', 'empty query'],
    ['patient/Observation.rs?=x', 'query without a name'],
    ['launch/', 'empty launch context'],
    ['superuser', 'unknown scope'],
    ['patient/Obs"ervation.rs', 'a character RFC 6749 forbids'],
  ])('rejects %s (%s)', (scope) => {
    expect(() => parseScope(scope)).toThrow(ScopeSyntaxError);
  });
  it('checks resource types when given a predicate', () => {
    const isResourceType = (t: string) => t === 'Observation';
    expect(() => parseScope('patient/Observation.rs', { isResourceType })).not.toThrow();
    expect(() => parseScope('patient/Unicorn.rs', { isResourceType })).toThrow(/not a resource type/);
    expect(() => parseScope('patient/*.rs', { isResourceType })).not.toThrow();
  });
});

describe('parseScopes', () => {
  it('splits on spaces, drops duplicates and collects malformed tokens', () => {
    const p = parseScopes('openid fhirUser  launch/patient patient/Observation.rs patient/Observation.rs bogus');
    expect(p.scopes.map((s) => s.raw)).toEqual(['openid', 'fhirUser', 'launch/patient', 'patient/Observation.rs']);
    expect(p.invalid.map((e) => e.scope)).toEqual(['bogus']);
    expect(resourceScopes(p.scopes)).toHaveLength(1);
  });
  it('accepts an empty or missing string', () => {
    expect(parseScopes(undefined)).toEqual({ scopes: [], invalid: [] });
    expect(parseScopes('')).toEqual({ scopes: [], invalid: [] });
  });
});

describe('scope comparison', () => {
  it('scopeWithin: type, permissions and context must all be covered', () => {
    expect(scopeWithin(res('patient/Observation.rs'), res('patient/*.cruds'))).toBe(true);
    expect(scopeWithin(res('patient/Observation.rs'), res('patient/Observation.r'))).toBe(false);
    expect(scopeWithin(res('patient/*.rs'), res('patient/Observation.rs'))).toBe(false);
    expect(scopeWithin(res('user/Observation.rs'), res('patient/*.cruds'))).toBe(false);
  });
  it('scopeWithin: an outer query must also be on the inner scope', () => {
    expect(scopeWithin(res('patient/Observation.rs?category=lab'), res('patient/Observation.rs?category=lab'))).toBe(true);
    expect(scopeWithin(res('patient/Observation.rs'), res('patient/Observation.rs?category=lab'))).toBe(false);
    expect(scopeWithin(res('patient/Observation.rs?category=lab'), res('patient/Observation.rs'))).toBe(true);
  });
  it('anyScopeGrants', () => {
    const scopes = [res('patient/Observation.rs'), res('patient/Patient.r')];
    expect(anyScopeGrants(scopes, 'patient', 'Observation', 's')).toBe(true);
    expect(anyScopeGrants(scopes, 'patient', 'Patient', 's')).toBe(false);
    expect(anyScopeGrants(scopes, 'user', 'Observation', 'r')).toBe(false);
  });
});
