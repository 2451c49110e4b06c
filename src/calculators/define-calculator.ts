/**
 * The one validation pipeline every calculator runs, so none can skip a step:
 * structure (400) → documented limits (422) → cross-field checks (422) → compute →
 * refuse to return a non-finite number.
 */
import type { z } from 'zod';
import { invalid } from '../fhir/outcome.js';
import type { OperationOutcomeIssue } from '../fhir/types.js';
import type { Calculator, CalculatorMetadata } from './types.js';
import { checkLimits, type Hints, zodIssuesToOutcome } from './validation.js';

/** What a calculator module supplies; see {@link defineCalculator}. */
export interface CalculatorSpec<I, O> {
  readonly metadata: CalculatorMetadata;
  readonly inputSchema: z.ZodType<I>;
  /** Unit-mistake hints added to diagnostics ("this looks like °F"). */
  readonly hints?: Hints;
  /** Explanations for unknown keys a client might expect to work (e.g. `race` for eGFR). */
  readonly keyHints?: Readonly<Record<string, string>>;
  /** Contradictions between inputs that each look plausible alone; issues become a 422. */
  readonly crossCheck?: (input: I) => OperationOutcomeIssue[];
  /** The pure calculation, only ever called with validated input. */
  readonly compute: (input: I) => O;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Throws (a bug, so a plain Error → 500) if any number in `result` is NaN or infinite. */
function assertFinite(result: unknown, path = 'result'): void {
  if (typeof result === 'number') {
    if (!Number.isFinite(result)) throw new Error(`Calculator produced a non-finite number at ${path}`);
  } else if (typeof result === 'object' && result !== null) {
    for (const [k, v] of Object.entries(result)) assertFinite(v, `${path}.${k}`);
  }
}

/**
 * Builds a {@link Calculator} whose `calculate(input: unknown)` validates `input` and throws
 * `OperationOutcomeError` (400 structural, 422 implausible or contradictory) before computing.
 * Metadata is deep-frozen: the HTTP layer reads it, never changes it.
 */
export function defineCalculator<I, O>(spec: CalculatorSpec<I, O>): Calculator<I, O> {
  const { metadata, inputSchema, hints = {}, keyHints = {}, crossCheck, compute } = spec;
  deepFreeze(metadata);
  return Object.freeze({
    metadata,
    inputSchema,
    calculate(input: unknown): O {
      const parsed = inputSchema.safeParse(input);
      if (!parsed.success) throw invalid(zodIssuesToOutcome(parsed.error.issues, input, metadata.inputs, hints, keyHints), 400);
      const value = parsed.data;
      const limitIssues = checkLimits(value as Readonly<Record<string, unknown>>, metadata.inputs, hints);
      if (limitIssues.length > 0) throw invalid(limitIssues, 422);
      const crossIssues = crossCheck?.(value) ?? [];
      if (crossIssues.length > 0) throw invalid(crossIssues, 422);
      const result = compute(value);
      assertFinite(result);
      return result;
    },
  });
}
