import { describe, expect, it } from 'vitest';
import { accessLevelFor, allows } from './access-level.js';

describe('accessLevelFor', () => {
  it('gives people their own full record (prospective access, nhs-domain §3.2)', () => {
    expect(accessLevelFor(true)).toBe('full');
  });
  it('gives people their own record at a lower level when their practice set one', () => {
    expect(accessLevelFor(true, [], 'summary')).toBe('summary');
    expect(accessLevelFor(true, ['record'], 'detailed-coded')).toBe('detailed-coded');
  });
  it('gives a proxy what the practice set, and nothing without a record permission (§3.5)', () => {
    expect(accessLevelFor(false, ['record', 'appointments'])).toBe('full');
    expect(accessLevelFor(false, ['record-summary'])).toBe('summary');
    expect(accessLevelFor(false, ['record-summary', 'record-coded'])).toBe('detailed-coded');
    expect(accessLevelFor(false, ['appointments', 'prescriptions'])).toBe('none');
  });
  it('orders the levels', () => {
    expect(allows('full', 'summary')).toBe(true);
    expect(allows('summary', 'detailed-coded')).toBe(false);
  });
});
