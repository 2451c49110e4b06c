/**
 * The shape every clinical calculator shares: machine-readable metadata (for FHIR
 * OperationDefinitions and OpenAPI), a zod schema for the input's structure, and one
 * `calculate(input: unknown)` that validates before it computes.
 */
import type { z } from 'zod';

/** A published source, cited as text with a link. */
export interface Citation {
  readonly citation: string;
  readonly url: string;
}

/**
 * Input value types, named after the FHIR primitive types an OperationDefinition
 * parameter would use (https://hl7.org/fhir/R4/datatypes.html#primitive).
 */
export type InputType = 'integer' | 'decimal' | 'boolean' | 'code';

/** Limits for a number whose unit is chosen by another input (e.g. creatinine). */
export interface UnitLimits {
  readonly min: number;
  readonly max: number;
}

/** One input of a calculator. Numeric limits here are the limits `calculate` enforces. */
export interface InputDefinition {
  readonly name: string;
  readonly type: InputType;
  /** UCUM unit (https://ucum.org) of a numeric input, when it has a fixed one. */
  readonly unit?: string;
  /** Lowest accepted value (inclusive), in `unit`. Below it: HTTP 422. */
  readonly min?: number;
  /** Highest accepted value (inclusive), in `unit`. Above it: HTTP 422. */
  readonly max?: number;
  /** When the unit is given by another input, the name of that input ... */
  readonly unitFrom?: string;
  /** ... and the inclusive limits for each of its values. */
  readonly limitsByUnit?: Readonly<Record<string, UnitLimits>>;
  readonly required: boolean;
  /** Value used when an optional input is omitted. */
  readonly default?: string | number | boolean;
  /** The only values accepted (codes, or integer codes such as the SpO₂ scale). */
  readonly values?: readonly (string | number)[];
  readonly description: string;
}

/** Output value types; `part` is a group of named outputs (a FHIR Parameters `part`). */
export type OutputType = 'integer' | 'decimal' | 'boolean' | 'code' | 'string' | 'part';

/** One output of a calculator. */
export interface OutputDefinition {
  readonly name: string;
  readonly type: OutputType;
  readonly unit?: string;
  readonly values?: readonly string[];
  /** True when the output is a list (e.g. notes). */
  readonly repeats?: boolean;
  readonly parts?: readonly OutputDefinition[];
  readonly description: string;
}

/** Everything the HTTP layer needs to describe a calculator without running it. */
export interface CalculatorMetadata {
  /** URL-safe identifier, e.g. `news2`; also the registry key. */
  readonly name: string;
  readonly title: string;
  /** Version of this implementation (semver), not of the published method. */
  readonly version: string;
  /**
   * FHIR publication status. `draft` until a clinical safety case (DCB0129) signs the
   * calculator off for use in care.
   */
  readonly status: 'draft' | 'active';
  /** The primary published source of the method. */
  readonly source: Citation;
  /** Other sources the implementation relies on (guidance for thresholds, units...). */
  readonly additionalSources: readonly Citation[];
  readonly intendedUse: string;
  readonly limitations: readonly string[];
  readonly inputs: readonly InputDefinition[];
  readonly outputs: readonly OutputDefinition[];
}

/**
 * A calculator. `calculate` throws `OperationOutcomeError` (400 malformed or missing,
 * 422 implausible or contradictory) rather than compute from bad data.
 */
export interface Calculator<I = unknown, O = unknown> {
  readonly metadata: CalculatorMetadata;
  /** Structural schema (types, codes, required, no unknown keys); limits are in `metadata`. */
  readonly inputSchema: z.ZodType<I>;
  calculate(input: unknown): O;
}
