import { describe, expect, it } from 'vitest';
import { badRequest, OperationOutcomeError } from './outcome.js';

describe('OperationOutcomeError', () => {
  it('carries status, outcome and the failing expression', () => {
    const err = badRequest('bad id', 'Patient.id');
    expect(err).toBeInstanceOf(OperationOutcomeError);
    expect(err.status).toBe(400);
    expect(err.outcome.issue[0]).toMatchObject({ severity: 'error', code: 'invalid', expression: ['Patient.id'] });
  });
});
