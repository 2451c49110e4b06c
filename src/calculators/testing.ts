/**
 * Test support for calculator tests (no test-runner import, so it is safe to compile).
 */
import { OperationOutcomeError } from '../fhir/outcome.js';

/**
 * Runs `fn` and returns the OperationOutcomeError it throws. Throws if `fn` returns, or
 * throws anything else, so a test using it cannot pass by accident.
 */
export function catchOutcome(fn: () => unknown): OperationOutcomeError {
  let result: unknown;
  try {
    result = fn();
  } catch (err) {
    if (err instanceof OperationOutcomeError) return err;
    throw err;
  }
  throw new Error(`Expected an OperationOutcomeError, but got a result: ${JSON.stringify(result)}`);
}

/** Every `expression` of every issue, flattened, in order. */
export function expressionsOf(err: OperationOutcomeError): string[] {
  return err.outcome.issue.flatMap((i) => i.expression ?? []);
}
