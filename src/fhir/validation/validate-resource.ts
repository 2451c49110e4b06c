/**
 * The structural walk: every property of a resource, recursively, against the R4 structure
 * tables. It checks what the StructureDefinitions say about shape (known elements, cardinality,
 * arrays, choices, primitive formats, reference formats) and their required bindings, and
 * nothing that needs FHIRPath, a terminology server, profiles or other resources.
 *
 * @see https://hl7.org/fhir/R4/json.html
 * @see https://hl7.org/fhir/R4/validation.html
 */
import { issue, type IssueCode } from '../outcome.js';
import { isObject, type OperationOutcomeIssue } from '../types.js';
import { resourceStructure, structureOf, type ElementInfo, type Structure } from './definitions.js';
import { checkPrimitive, describeJson } from './primitive-values.js';
import { checkFullUrl, checkReference } from './reference-format.js';
import { checkCode, checkCodings } from './required-bindings.js';

/** Per-call state: the issues found, whether conditional references are allowed here, and depth. */
interface Walk {
  readonly issues: OperationOutcomeIssue[];
  allowConditional: boolean;
  depth: number;
}

/**
 * Real resources nest a few dozen objects deep at most (Bundle → resource → contained →
 * Questionnaire items). A request body of nothing but `{"item":[{"item":[…` could otherwise
 * overflow the stack and turn a client's mistake into a server error.
 */
const MAX_DEPTH = 256;

// Strings whose meaning goes beyond their datatype, found by identity so the check costs nothing
// for every other primitive.
const REFERENCE = structureOf('Reference')?.elements.get('reference');
const FULL_URL = structureOf('Bundle.entry')?.elements.get('fullUrl');

/**
 * Validates a FHIR R4 resource (parsed JSON) against the R4 StructureDefinitions and returns
 * every problem found, or `[]` when it is structurally valid. Contained resources, Bundle entries
 * and other nested resources are validated the same way.
 *
 * Checked: `resourceType`; unknown elements (including `_name` siblings of non-primitives);
 * min/max cardinality and the array rules of the JSON format; empty objects, arrays and strings;
 * one type per choice element (`value[x]`); primitive values against the R4 datatype regexes and
 * ranges; the format of `Reference.reference` and `Bundle.entry.fullUrl`; and required
 * bindings on `code` elements and on codings, where the value set could be expanded from the
 * spec (see the README for the few that could not). Not checked: invariants (FHIRPath
 * constraints), other binding strengths and display names, profiles and extension definitions,
 * and whether references resolve.
 *
 * Each issue has severity `error`, a code (`structure`, `required`, `value`, `invalid` or
 * `code-invalid`) and an `expression` such as `Patient.name[0].given[1]`; a nested resource's elements are addressed
 * through its container, e.g. `Bundle.entry[2].resource.status`. A property whose value is
 * `undefined` (possible in objects built in code, never in parsed JSON) counts as absent. The
 * only issue without an expression is the one for a value that is not a JSON object at all.
 *
 * @see https://hl7.org/fhir/R4/json.html
 * @see https://hl7.org/fhir/R4/elementdefinition.html#min-max
 * @see https://hl7.org/fhir/R4/formats.html#choice
 * @see https://hl7.org/fhir/R4/datatypes.html#primitive
 * @see https://hl7.org/fhir/R4/references.html
 * @see https://hl7.org/fhir/R4/terminologies.html#required
 */
export function validateResource(resource: unknown): OperationOutcomeIssue[] {
  const walk: Walk = { issues: [], allowConditional: false, depth: 0 };
  visitResource(resource, undefined, walk);
  return walk.issues;
}

/** `path` is where the resource sits (`Bundle.entry[0].resource`), undefined at the root. */
function visitResource(value: unknown, path: string | undefined, walk: Walk): void {
  if (!isObject(value)) {
    report(walk, 'structure', `A resource must be a JSON object, found ${describeJson(value)}`, path);
    return;
  }
  const type = value['resourceType'];
  const structure = typeof type === 'string' ? resourceStructure(type) : undefined;
  if (structure === undefined) {
    const where = path === undefined ? 'resourceType' : `${path}.resourceType`;
    if (type === undefined) report(walk, 'required', 'Missing resourceType', where);
    else report(walk, 'invalid', `Unknown resourceType ${typeof type === 'string' ? `'${type}'` : describeJson(type)}: not an R4 resource type`, where);
    return;
  }
  // Conditional references live only inside a transaction (https://hl7.org/fhir/R4/http.html#trules);
  // a Bundle nested deeper sets its own rule, and the outer one applies again after it.
  const outer = walk.allowConditional;
  if (type === 'Bundle') walk.allowConditional = value['type'] === 'transaction';
  visitObject(value, structure, path ?? structure.name, walk);
  walk.allowConditional = outer;
}

function visitObject(object: Record<string, unknown>, structure: Structure, path: string, walk: Walk): void {
  if (walk.depth >= MAX_DEPTH) {
    report(walk, 'structure', `Nested more than ${MAX_DEPTH} objects deep; not validated further`, path);
    return;
  }
  walk.depth++;
  visitProperties(object, structure, path, walk);
  walk.depth--;
}

function visitProperties(object: Record<string, unknown>, structure: Structure, path: string, walk: Walk): void {
  let isEmpty = true;
  let choices: ElementInfo[] | undefined;
  for (const key in object) {
    const value = object[key];
    if (value === undefined) continue;
    isEmpty = false;
    const element = structure.elements.get(key);
    if (element === undefined) {
      report(walk, 'structure', unknownMessage(key, structure), `${path}.${key}`);
      continue;
    }
    if (element.choice !== undefined) choices = checkChoice(element, choices, path, walk);
    switch (element.kind) {
      case 'resourceType':
        continue;
      case 'sibling':
        visitSibling(object, element, value, path, walk);
        continue;
    }
    if (element.isArray) {
      if (!Array.isArray(value)) {
        report(walk, 'structure', `${element.name} can repeat, so it must be a JSON array, found ${describeJson(value)}`, `${path}.${key}`);
      } else if (value.length === 0) {
        report(walk, 'structure', `Empty array '${key}': a property with no values must be left out`, `${path}.${key}`);
      } else {
        for (let i = 0; i < value.length; i++) visitValue(value[i], element, object, path, i, walk);
      }
    } else if (Array.isArray(value)) {
      report(walk, 'structure', `${element.name} has max cardinality 1, so it must not be a JSON array`, `${path}.${key}`);
    } else {
      visitValue(value, element, object, path, -1, walk);
    }
  }
  if (isEmpty) {
    // ele-1 and https://hl7.org/fhir/R4/json.html: an object must carry a value or children.
    report(walk, 'structure', 'Empty object: an element must have a value or children', path);
    return;
  }
  for (const required of structure.required) {
    if (!hasAny(object, required.keys)) {
      report(walk, 'required', `Missing required element '${required.name}' (min cardinality ${required.min})`, `${path}.${required.name}`);
    }
  }
}

/** `index` is the position in the array, or -1 for a single value. */
function visitValue(value: unknown, element: ElementInfo, object: Record<string, unknown>, path: string, index: number, walk: Walk): void {
  switch (element.kind) {
    case 'primitive': {
      if (value === null) {
        // null only holds a place in a primitive array whose `_name` has the extension for it.
        if (index >= 0 && hasSiblingAt(object, element.key, index)) return;
        report(walk, 'structure', `null is not allowed for ${element.name}${index >= 0 ? ' unless _' + element.key + ' has an extension at the same index' : ''}`, at(path, element.key, index));
        return;
      }
      const problem = checkPrimitive(value, element.primitive!);
      if (problem !== undefined) {
        report(walk, problem.code, problem.message, at(path, element.key, index));
        return;
      }
      if (element.binding !== undefined) {
        checkCode(value as string, element.binding, at(path, element.key, index), walk.issues);
        return;
      }
      const message = element === REFERENCE ? checkReference(value as string, walk.allowConditional)
        : element === FULL_URL ? checkFullUrl(value as string) : undefined;
      if (message !== undefined) report(walk, 'value', message, at(path, element.key, index));
      return;
    }
    case 'complex':
      if (!isObject(value)) {
        report(walk, 'structure', `${element.name} is a ${element.type}, so it must be a JSON object, found ${describeJson(value)}`, at(path, element.key, index));
      } else {
        const where = at(path, element.key, index);
        visitObject(value, element.structure!, where, walk);
        if (element.binding !== undefined) checkCodings(value, element.type, element.binding, where, walk.issues);
      }
      return;
    case 'resource':
      visitResource(value, at(path, element.key, index), walk);
      return;
  }
}

/** `_name`: the id and extensions of primitive `name`, one item per value when it repeats. */
function visitSibling(object: Record<string, unknown>, element: ElementInfo, value: unknown, path: string, walk: Walk): void {
  const name = element.valueKey;
  const idAndExtensions = element.primitive!.element;
  if (!element.isArray) {
    if (!isObject(value)) {
      report(walk, 'structure', `_${name} must be a JSON object holding the id and extensions of ${name}, found ${describeJson(value)}`, at(path, name, -1));
    } else {
      visitObject(value, idAndExtensions, at(path, name, -1), walk);
    }
    return;
  }
  if (!Array.isArray(value)) {
    report(walk, 'structure', `_${name} must be a JSON array, as ${name} can repeat; found ${describeJson(value)}`, at(path, name, -1));
    return;
  }
  if (value.length === 0) {
    report(walk, 'structure', `Empty array '_${name}': a property with no values must be left out`, at(path, name, -1));
    return;
  }
  const values = object[name];
  if (Array.isArray(values) && values.length !== value.length) {
    report(walk, 'structure', `_${name} must have one item for each item of ${name} (${value.length} and ${values.length})`, at(path, name, -1));
  }
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    if (item === null) {
      // A null value beside it is reported by the value's own walk; alone, it holds nothing.
      if (!Array.isArray(values)) {
        report(walk, 'structure', `_${name}[${i}] is null and ${name} has no value there: the item holds nothing`, at(path, name, i));
      }
    } else if (!isObject(item)) {
      report(walk, 'structure', `_${name}[${i}] must be a JSON object or null, found ${describeJson(item)}`, at(path, name, i));
    } else {
      visitObject(item, idAndExtensions, at(path, name, i), walk);
    }
  }
}

/** Records a choice variant; reports a second variant of the same `[x]` element. */
function checkChoice(element: ElementInfo, seen: ElementInfo[] | undefined, path: string, walk: Walk): ElementInfo[] {
  if (seen === undefined) return [element];
  for (const other of seen) {
    if (other.choice === element.choice && other.valueKey !== element.valueKey) {
      report(walk, 'structure', `${element.choice} allows one type, found both ${other.valueKey} and ${element.valueKey}`, `${path}.${element.valueKey}`);
      return seen;
    }
  }
  seen.push(element);
  return seen;
}

function hasAny(object: Record<string, unknown>, keys: readonly string[]): boolean {
  for (const key of keys) if (object[key] !== undefined) return true;
  return false;
}

function hasSiblingAt(object: Record<string, unknown>, key: string, index: number): boolean {
  const sibling = object[`_${key}`];
  return Array.isArray(sibling) && isObject(sibling[index]);
}

function unknownMessage(key: string, structure: Structure): string {
  const plain = structure.elements.get(key.slice(1));
  if (key.startsWith('_') && plain !== undefined) {
    return `Unknown element '${key}': a _ sibling is only allowed beside a primitive, and ${plain.name} is a ${plain.type}`;
  }
  const variants: string[] = [];
  for (const el of structure.elements.values()) {
    if (el.choice === `${key}[x]` && el.kind !== 'sibling') variants.push(el.key);
  }
  if (variants.length > 0) {
    return `Unknown element '${key}' in ${structure.name}: ${key}[x] needs its type in the name, one of ${variants.join(', ')}`;
  }
  return `Unknown element '${key}' in ${structure.name}`;
}

/** `path.key` or `path.key[index]`: FHIRPath-style, with indexes on repeating elements. */
function at(path: string, key: string, index: number): string {
  return index < 0 ? `${path}.${key}` : `${path}.${key}[${index}]`;
}

function report(walk: Walk, code: IssueCode, diagnostics: string, expression: string | undefined): void {
  walk.issues.push(issue(code, diagnostics, expression));
}
