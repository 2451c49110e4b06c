import { z } from 'zod';
import { describe, expect, it, vi } from 'vitest';
import { issue, OperationOutcomeError } from '../fhir/outcome.js';
import { defineCalculator } from './define-calculator.js';
import type { CalculatorMetadata } from './types.js';
import { catchOutcome } from './testing.js';

const metadata = (): CalculatorMetadata => ({
  name: 'fake', title: 'Fake', version: '0.0.0', status: 'draft',
  source: { citation: 'None', url: 'https://example.org' }, additionalSources: [], intendedUse: 'Tests.', limitations: [],
  inputs: [{ name: 'x', type: 'decimal', min: 0, max: 10, required: true, description: 'x' }],
  outputs: [{ name: 'y', type: 'decimal', description: 'y' }],
});
const inputSchema = z.strictObject({ x: z.number() });

describe('defineCalculator', () => {
  it('refuses to return a non-finite number (a bug, so a plain Error, not an outcome)', () => {
    const calc = defineCalculator({ metadata: metadata(), inputSchema, compute: ({ x }) => ({ y: { z: x / 0 } }) });
    expect(() => calc.calculate({ x: 1 })).toThrow('non-finite number at result.y.z');
    expect(() => calc.calculate({ x: 1 })).not.toThrow(OperationOutcomeError);
  });

  it('runs the cross-check only on input within limits, and throws its issues as 422', () => {
    const crossCheck = vi.fn(() => [issue('business-rule', 'no', ['x'])]);
    const calc = defineCalculator({ metadata: metadata(), inputSchema, crossCheck, compute: ({ x }) => x });
    expect(catchOutcome(() => calc.calculate({ x: 11 })).status).toBe(422);
    expect(crossCheck).not.toHaveBeenCalled();
    expect(catchOutcome(() => calc.calculate({ x: 5 })).outcome.issue[0]).toMatchObject({ code: 'business-rule' });
    expect(crossCheck).toHaveBeenCalledTimes(1);
  });

  it('never calls compute with invalid input', () => {
    const compute = vi.fn(() => 1);
    const calc = defineCalculator({ metadata: metadata(), inputSchema, compute });
    catchOutcome(() => calc.calculate({ x: 'a' }));
    catchOutcome(() => calc.calculate({ x: -1 }));
    expect(compute).not.toHaveBeenCalled();
  });

  it('deep-freezes the metadata', () => {
    const calc = defineCalculator({ metadata: metadata(), inputSchema, compute: () => 1 });
    expect(Object.isFrozen(calc.metadata.inputs[0])).toBe(true);
    expect(Object.isFrozen(calc)).toBe(true);
  });
});
