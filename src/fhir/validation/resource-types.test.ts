import { describe, expect, it } from 'vitest';
import { isKnownResourceType, RESOURCE_TYPES } from './index.js';

describe('R4 resource types (https://hl7.org/fhir/R4/resourcelist.html)', () => {
  it('lists the 146 concrete R4 resource types, sorted', () => {
    expect(RESOURCE_TYPES).toHaveLength(146);
    expect([...RESOURCE_TYPES]).toEqual([...RESOURCE_TYPES].sort());
    for (const type of ['Patient', 'Observation', 'Bundle', 'Parameters', 'Binary', 'MedicinalProductUndesirableEffect']) {
      expect(RESOURCE_TYPES).toContain(type);
    }
  });

  it('knows a type only as spelled, and not the abstract ones', () => {
    expect(isKnownResourceType('Patient')).toBe(true);
    expect(isKnownResourceType('patient')).toBe(false);
    expect(isKnownResourceType('Resource')).toBe(false);
    expect(isKnownResourceType('DomainResource')).toBe(false);
    expect(isKnownResourceType('HumanName')).toBe(false);
    expect(isKnownResourceType('')).toBe(false);
  });

  it('cannot be changed by a caller', () => {
    expect(Object.isFrozen(RESOURCE_TYPES)).toBe(true);
  });
});
