/**
 * Input validation shared by every calculator, in two steps with different statuses
 * (https://hl7.org/fhir/R4/http.html):
 *  1. structure (zod): missing, wrong type, NaN, unknown key, unknown code → 400;
 *  2. plausibility (metadata limits): a well-formed value outside physiological limits → 422.
 * Every issue's `expression` names the input, so a form can point at the field.
 */
import type { z } from 'zod';
import { issue } from '../fhir/outcome.js';
import type { OperationOutcomeIssue } from '../fhir/types.js';
import type { InputDefinition } from './types.js';

/**
 * Extra words for a diagnostic about one input's value, e.g. "if this is in °F…". Gets the
 * other inputs too, since some mistakes show only against another input (the unit).
 */
export type HintFn = (value: number, inputs: Readonly<Record<string, unknown>>) => string | undefined;
/** Hints by input name. */
export type Hints = Readonly<Record<string, HintFn>>;

/** Caps the issues echoed for unknown keys: a hostile body could send thousands. */
const MAX_UNKNOWN_KEY_ISSUES = 10;

/** Names are client-supplied when they are unknown keys; keep diagnostics short. */
function safeName(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}…` : name;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return 'an infinite number';
    return String(value);
  }
  // Short strings are echoed (a mistyped code is easier to fix when you see it); long
  // strings and objects only by type, as their content can be long or sensitive.
  if (typeof value === 'string' && value.length <= 20) return JSON.stringify(value);
  return `a ${typeof value}`;
}

function describeExpected(expected: string, def: InputDefinition | undefined): string {
  if (expected === 'int' || def?.type === 'integer') return 'a whole number';
  if (expected === 'number') return 'a number';
  if (expected === 'boolean') return 'true or false';
  if (expected === 'string') return 'a text code';
  return expected;
}

function asRecord(input: unknown): Readonly<Record<string, unknown>> {
  return typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
}

function withHint(message: string, name: string, value: unknown, inputs: unknown, hints: Hints): string {
  const hint = typeof value === 'number' && Number.isFinite(value) ? hints[name]?.(value, asRecord(inputs)) : undefined;
  return hint ? `${message} ${hint}` : message;
}

function valueAt(input: unknown, key: string): unknown {
  if (typeof input !== 'object' || input === null || !Object.hasOwn(input, key)) return undefined;
  return (input as Record<string, unknown>)[key];
}

/**
 * Maps zod issues to OperationOutcome issues naming the input in `expression`. The
 * diagnostics are ours, not zod's, so they are stable and never echo long client text.
 */
export function zodIssuesToOutcome(
  zodIssues: readonly z.core.$ZodIssue[],
  input: unknown,
  inputs: readonly InputDefinition[],
  hints: Hints = {},
  keyHints: Readonly<Record<string, string>> = {},
): OperationOutcomeIssue[] {
  const out: OperationOutcomeIssue[] = [];
  const known = inputs.map((d) => d.name).join(', ');
  for (const zi of zodIssues) {
    const key = zi.path[0];
    if (zi.code === 'unrecognized_keys') {
      for (const k of zi.keys.slice(0, MAX_UNKNOWN_KEY_ISSUES)) {
        const why = Object.hasOwn(keyHints, k) ? ` ${keyHints[k]}` : '';
        out.push(issue('structure', `Unknown input '${safeName(k)}'.${why} Accepted inputs: ${known}.`, safeName(k)));
      }
      if (zi.keys.length > MAX_UNKNOWN_KEY_ISSUES) {
        out.push(issue('structure', `${zi.keys.length - MAX_UNKNOWN_KEY_ISSUES} more unknown inputs not listed.`));
      }
      continue;
    }
    if (typeof key !== 'string') {
      out.push(issue('structure', 'The input must be an object of named values.'));
      continue;
    }
    const def = inputs.find((d) => d.name === key);
    const raw = valueAt(input, key);
    if (raw === undefined || raw === null) {
      out.push(issue('required', `${key} is required.`, key));
      continue;
    }
    switch (zi.code) {
      case 'invalid_value':
        out.push(issue('code-invalid', `${key} must be one of ${zi.values.map(String).join(', ')}; got ${describeValue(raw)}.`, key));
        break;
      case 'invalid_type':
        out.push(issue('value', withHint(`${key} must be ${describeExpected(zi.expected, def)}; got ${describeValue(raw)}.`, key, raw, input, hints), key));
        break;
      default:
        out.push(issue('value', withHint(`${key} is not a valid ${def?.type ?? 'value'}; got ${describeValue(raw)}.`, key, raw, input, hints), key));
    }
  }
  return out;
}

function limitsFor(def: InputDefinition, values: Readonly<Record<string, unknown>>): { min?: number; max?: number; unit?: string } {
  if (def.unitFrom && def.limitsByUnit) {
    const unit = values[def.unitFrom];
    if (typeof unit !== 'string') return {};
    const limits = def.limitsByUnit[unit];
    return limits ? { ...limits, unit } : {};
  }
  return { min: def.min, max: def.max, unit: def.unit };
}

/** UCUM codes are for machines; diagnostics are read by people. */
const DISPLAY_UNITS: Readonly<Record<string, string>> = {
  'mm[Hg]': ' mmHg', Cel: ' °C', 'umol/L': ' µmol/L', 'mg/dL': ' mg/dL', '%': '%', '/min': '/min', a: ' years', kg: ' kg', m: ' m',
};

function displayUnit(unit: string | undefined): string {
  if (unit === undefined) return '';
  return DISPLAY_UNITS[unit] ?? ` ${unit}`;
}

function formatLimit(n: number): string {
  // Derived limits (e.g. mg/dL from µmol/L) are long decimals; 4 significant figures are enough to read.
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(4)));
}

/**
 * Checks every numeric input against its documented limits (inclusive). Returns the
 * issues (code `value`), for the caller to throw once with status 422.
 */
export function checkLimits(
  values: Readonly<Record<string, unknown>>,
  inputs: readonly InputDefinition[],
  hints: Hints = {},
): OperationOutcomeIssue[] {
  const out: OperationOutcomeIssue[] = [];
  for (const def of inputs) {
    const value = values[def.name];
    if (typeof value !== 'number') continue;
    const { min, max, unit } = limitsFor(def, values);
    if (min === undefined && max === undefined) continue;
    if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
      const range = `${min === undefined ? '' : formatLimit(min)}–${max === undefined ? '' : formatLimit(max)}`;
      const u = displayUnit(unit);
      const message = `${def.name} ${value}${u} is outside the accepted range ${range}${u}.`;
      out.push(issue('value', withHint(message, def.name, value, values, hints), def.name));
    }
  }
  return out;
}
