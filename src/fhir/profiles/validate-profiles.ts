/**
 * Validation against the UK Core profiles a resource claims in `meta.profile`: what each
 * profile's differential adds to R4 (see `definitions.ts`), and every extension UK Core defines,
 * wherever it appears in such a resource. The R4 rules themselves are `validateResource`'s; run
 * both.
 *
 * @see https://hl7.org/fhir/R4/profiling.html
 * @see https://hl7.org/fhir/R4/validation.html#profile
 */
import { issue, type IssueCode } from '../outcome.js';
import { isObject, type OperationOutcomeIssue } from '../types.js';
import { resourceStructure, structureOf, type ElementInfo, type Structure } from '../validation/definitions.js';
import { isKnownResourceType } from '../validation/index.js';
import { checkCode, checkCodings } from '../validation/required-bindings.js';
import {
  extensionNamed, profileNamed, UK_CORE_STRUCTURE_DEFINITION,
  type ChildNode, type ExtensionDefinition, type Profile, type ProfileNode, type Slice, type Slicing,
} from './definitions.js';

/** Per-call state. `label` names the profile or extension being checked, for diagnostics. */
interface Walk {
  readonly issues: OperationOutcomeIssue[];
  label: string;
  /** `#id` → resource type, for the resource (and its contained resources) being checked. */
  contained: ReadonlyMap<string, string>;
  /** `Bundle.entry.fullUrl` → resource type, inside a Bundle. */
  fullUrls: ReadonlyMap<string, string>;
}

/** Where an extension sits, to check it against its definition's context. */
interface Host {
  /** The element path from the resource, without indexes: `Patient.telecom.system`. */
  readonly path: string;
  /** The same path from the nearest datatype: `ContactPoint.system` (equal to `path` in a resource). */
  readonly typePath: string;
  /** The element's type: `Patient`, `Address`, `code`, `Patient.contact` for a backbone element. */
  readonly type: string;
  readonly isResource: boolean;
}

/** Same guard as the structural walk: extensions can nest as deep as a client makes them. */
const MAX_DEPTH = 256;

const EXTENSION = requireStructure('Extension');
const R4_STRUCTURE_DEFINITION = 'http://hl7.org/fhir/StructureDefinition/';

/** No contained resources, no Bundle around: nothing to resolve references against. */
const NONE: ReadonlyMap<string, string> = new Map();

/** A literal reference's type: `Patient/1`, `Patient/1/_history/2`, or an absolute URL ending so. */
const TYPED_REFERENCE = /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/**
 * Checks a resource against each UK Core profile it claims in `meta.profile`
 * (`https://fhir.hl7.org.uk/StructureDefinition/UKCore-*`, any `|version`), and does the same
 * for its contained resources and Bundle entries, whatever they claim. Returns `[]` when there is
 * nothing to report.
 *
 * Checked, from the profiles' differentials merged with their UK Core ancestors: cardinality
 * tightened by the profile, fixed and pattern values, the types left to a choice element,
 * reference targets (`targetProfile`, as resource types), required bindings whose value sets
 * are enumerable, slices of repeating elements with `value`/`pattern` discriminators (the NHS
 * number identifier, vital-signs LOINC and SNOMED CT codings, blood pressure components, the
 * lab category) including closed slicing, and the profiles' invariants. In a resource that
 * claims a UK Core profile, every extension UK Core defines (and the R4 core extensions its
 * profiles use) is checked against its definition: its context, how often it repeats, its value
 * types, bindings and sub-extensions.
 *
 * Issues: `error`s with codes `required` (too few), `structure` (too many, a type, target,
 * slice or context not allowed), `value` (a fixed or pattern value not met), `code-invalid` (a
 * required binding) and `invariant`; `warning`s for the invariants UK Core marks as warnings, a
 * claimed `UKCore-` profile that is not known here (`not-supported`) and an unknown UK Core
 * extension (`extension`). Other profiles (US Core, …) are not ours to check and are ignored.
 * Expressions are FHIRPath-style, as `validateResource`'s: `Patient.identifier[0].value`.
 *
 * @see https://hl7.org/fhir/R4/profiling.html
 * @see https://hl7.org/fhir/R4/resource.html#Meta (meta.profile: "assertions only")
 */
export function validateProfiles(resource: unknown): OperationOutcomeIssue[] {
  const walk: Walk = { issues: [], label: '', contained: NONE, fullUrls: NONE };
  visitResource(resource, undefined, false, walk);
  return walk.issues;
}

function visitResource(resource: unknown, path: string | undefined, isContained: boolean, walk: Walk): void {
  if (!isObject(resource)) return;
  const type = resource['resourceType'];
  const structure = typeof type === 'string' ? resourceStructure(type) : undefined;
  if (structure === undefined) return; // validateResource reports it
  const where = path ?? structure.name;
  const outerContained = walk.contained;
  // `#id` resolves in the containing resource, from itself and from its contained resources.
  if (!isContained) walk.contained = containedTypes(resource);

  let isProfiled = false;
  const meta = resource['meta'];
  const claims = isObject(meta) && Array.isArray(meta['profile']) ? meta['profile'] : [];
  for (let i = 0; i < claims.length; i++) {
    const claim = claims[i];
    if (typeof claim !== 'string') continue;
    const url = claim.split('|')[0]!;
    const profile = profileNamed(url);
    if (profile === undefined) {
      if (url.startsWith(UK_CORE_STRUCTURE_DEFINITION)) {
        walk.issues.push(issue('not-supported', `Unknown UK Core profile ${url}: not checked`, `${where}.meta.profile[${i}]`, 'warning'));
      }
      continue;
    }
    if (profile.type !== type) {
      walk.issues.push(issue('structure', `${profile.name} is a profile of ${profile.type}, not ${type as string}`, `${where}.meta.profile[${i}]`));
      continue;
    }
    checkProfile(resource, structure, profile, where, walk);
    isProfiled = true;
  }
  if (isProfiled) {
    const host: Host = { path: structure.name, typePath: structure.name, type: structure.name, isResource: true };
    visitExtensions(resource, structure, host, where, 0, walk);
  }

  const contained = resource['contained'];
  if (Array.isArray(contained)) {
    for (let i = 0; i < contained.length; i++) visitResource(contained[i], `${where}.contained[${i}]`, true, walk);
  }
  if (type === 'Bundle' && Array.isArray(resource['entry'])) visitEntries(resource['entry'], where, walk);
  walk.contained = outerContained;
}

function visitEntries(entries: unknown[], where: string, walk: Walk): void {
  const outer = walk.fullUrls;
  const fullUrls = new Map(outer);
  for (const entry of entries) {
    if (!isObject(entry) || typeof entry['fullUrl'] !== 'string' || !isObject(entry['resource'])) continue;
    const type = entry['resource']['resourceType'];
    if (typeof type === 'string') fullUrls.set(entry['fullUrl'], type);
  }
  walk.fullUrls = fullUrls;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (isObject(entry)) visitResource(entry['resource'], `${where}.entry[${i}].resource`, false, walk);
  }
  walk.fullUrls = outer;
}

function containedTypes(resource: Record<string, unknown>): ReadonlyMap<string, string> {
  const contained = resource['contained'];
  if (!Array.isArray(contained) || contained.length === 0) return NONE;
  const types = new Map<string, string>();
  for (const c of contained) {
    if (isObject(c) && typeof c['id'] === 'string' && typeof c['resourceType'] === 'string') types.set(c['id'], c['resourceType']);
  }
  return types;
}

function checkProfile(resource: Record<string, unknown>, structure: Structure, profile: Profile, where: string, walk: Walk): void {
  walk.label = profile.name;
  checkConstraints(resource, profile.root, where, walk);
  checkChildren(resource, structure, profile.root, where, walk);
}

/** One value of an element, with its `_name` sibling for a primitive, and where it is. */
interface Occurrence {
  readonly value: unknown;
  readonly sibling: unknown;
  readonly info: ElementInfo;
  readonly path: string;
}

/** The profile's constraints on the children of `object` (of R4 type `structure`). */
function checkChildren(object: Record<string, unknown>, structure: Structure, node: ProfileNode, path: string, walk: Walk): void {
  for (const child of node.children) {
    const found: Occurrence[] = [];
    if (child.isChoice) {
      collectChoice(object, structure, child.name, path, found);
    } else {
      const info = structure.elements.get(child.name);
      if (info !== undefined) collect(object, info, path, found);
    }
    if (found.length < child.node.min || found.length > child.node.max) {
      reportCardinality(found.length, child.node, `'${child.name}'`, `${path}.${found[0]?.info.key ?? child.name}`, walk);
    }
    for (const occurrence of found) checkOccurrence(occurrence, child.node, walk);
    if (child.node.slicing !== undefined) checkSlices(found, child, child.node.slicing, path, walk);
  }
}

/** Call only when `count` is outside `node`'s min..max. */
function reportCardinality(count: number, node: ProfileNode, what: string, expression: string, walk: Walk): void {
  if (count < node.min) {
    const message = count === 0 ? `${what} is required (min ${node.min})` : `${what} needs at least ${node.min}, found ${count}`;
    report(walk, 'required', `${walk.label}: ${message}`, expression);
  } else {
    const message = node.max === 0 ? `${what} is not allowed (max 0)` : `${what} allows at most ${node.max}, found ${count}`;
    report(walk, 'structure', `${walk.label}: ${message}`, expression);
  }
}

/**
 * The present variants of choice element `name` (`value[x]`): found from the object's own keys,
 * as it has a handful and the choice can have fifty types (Extension.value[x]).
 */
function collectChoice(object: Record<string, unknown>, structure: Structure, name: string, path: string, out: Occurrence[]): void {
  for (const key in object) {
    const info = structure.elements.get(key);
    if (info === undefined || info.choice !== name) continue;
    if (info.kind !== 'sibling') {
      collect(object, info, path, out);
    } else if (object[info.valueKey] === undefined) {
      // `_valueString` alone: a value with extensions and no value.
      const valueInfo = structure.elements.get(info.valueKey);
      if (valueInfo !== undefined) collect(object, valueInfo, path, out);
    }
  }
}

/** Adds the values of `info` in `object`; a primitive counts when it has a value or a `_name`. */
function collect(object: Record<string, unknown>, info: ElementInfo, path: string, out: Occurrence[]): void {
  const value = object[info.key];
  const sibling = info.primitive === undefined ? undefined : object[`_${info.key}`];
  if (value === undefined && sibling === undefined) return;
  if (!info.isArray) {
    out.push({ value: value ?? undefined, sibling, info, path: `${path}.${info.key}` });
    return;
  }
  // Wrong shapes (a single value where an array belongs) are validateResource's to report.
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const siblings = Array.isArray(sibling) ? sibling : sibling === undefined ? [] : [sibling];
  const count = Math.max(values.length, siblings.length);
  for (let i = 0; i < count; i++) {
    const v: unknown = values[i] ?? undefined;
    const s: unknown = siblings[i] ?? undefined;
    if (v === undefined && s === undefined) continue;
    out.push({ value: v, sibling: s, info, path: `${path}.${info.key}[${i}]` });
  }
}

/** Everything the profile says about one value: type, fixed/pattern, binding, target, children. */
function checkOccurrence(occurrence: Occurrence, node: ProfileNode, walk: Walk): void {
  const { value, info, path } = occurrence;
  if (node.types !== undefined && !node.types.has(info.type)) {
    report(walk, 'structure', `${walk.label}: ${info.name} must be ${[...node.types].join(' or ')}, found ${info.key}`, path);
    return;
  }
  if (node.fixed !== undefined && !equalsFixed(value, node.fixed)) {
    report(walk, 'value', `${walk.label}: ${info.name} must be ${show(node.fixed)} (fixed by the profile), found ${show(value)}`, path);
  }
  if (node.pattern !== undefined && !containsPattern(value, node.pattern)) {
    report(walk, 'value', `${walk.label}: ${info.name} must match ${show(node.pattern)} (pattern in the profile), found ${show(value)}`, path);
  }
  if (node.binding !== undefined && value !== undefined) {
    if (info.type === 'code' && typeof value === 'string') checkCode(value, node.binding, path, walk.issues);
    else if ((info.type === 'Coding' || info.type === 'CodeableConcept') && isObject(value)) checkCodings(value, info.type, node.binding, path, walk.issues);
  }
  if (node.targets !== undefined && info.type === 'Reference' && isObject(value)) checkTarget(value, node.targets, info, path, walk);
  if (isObject(value)) checkConstraints(value, node, path, walk);
  if (node.children.length === 0) return;
  if (info.kind === 'primitive') {
    // A primitive's children (its extensions) live in its `_name` object.
    checkChildren(isObject(occurrence.sibling) ? occurrence.sibling : {}, info.primitive!.element, node, path, walk);
  } else if (info.kind === 'complex' && isObject(value)) {
    checkChildren(value, info.structure!, node, path, walk);
  }
}

/**
 * Puts each value of a sliced element in the first slice whose discriminators it matches,
 * checks each slice's cardinality and constraints, and, if the slicing is closed, that every value
 * is in a slice. https://hl7.org/fhir/R4/profiling.html#discriminator
 */
function checkSlices(found: Occurrence[], child: ChildNode, slicing: Slicing, path: string, walk: Walk): void {
  const counts = slicing.slices.map(() => 0);
  for (const occurrence of found) {
    const index = slicing.slices.findIndex((slice) => isInSlice(occurrence.value, slice));
    if (index < 0) {
      if (slicing.isClosed) {
        const names = slicing.slices.map((s) => `${s.name} (${describeMatch(s)})`);
        report(walk, 'structure', `${walk.label}: ${child.name} is closed to its slices ${names.join(', ')}; this one matches none`, occurrence.path);
      }
      continue;
    }
    counts[index]!++;
    checkOccurrence(occurrence, slicing.slices[index]!.node, walk);
  }
  for (let i = 0; i < slicing.slices.length; i++) {
    const slice = slicing.slices[i]!;
    const count = counts[i]!;
    if (count < slice.node.min || count > slice.node.max) {
      reportCardinality(count, slice.node, `slice '${slice.name}' of ${child.name} (${describeMatch(slice)})`, `${path}.${child.name}`, walk);
    }
  }
}

function isInSlice(value: unknown, slice: Slice): boolean {
  for (const [path, expected] of slice.match) if (!hasValueAt(value, path, 0, expected)) return false;
  return true;
}

/** True when some value at the discriminator path (through repeating elements) is `expected`. */
function hasValueAt(value: unknown, path: readonly string[], depth: number, expected: unknown): boolean {
  if (Array.isArray(value)) {
    for (const item of value) if (hasValueAt(item, path, depth, expected)) return true;
    return false;
  }
  if (depth === path.length) return equalsFixed(value, expected);
  return isObject(value) && hasValueAt(value[path[depth]!], path, depth + 1, expected);
}

function describeMatch(slice: Slice): string {
  return slice.match.map(([p, v]) => `${p.join('.')} = ${show(v)}`).join(', ');
}

function checkConstraints(element: Record<string, unknown>, node: ProfileNode, path: string, walk: Walk): void {
  for (const c of node.constraints) {
    if (!c.test(element)) walk.issues.push(issue('invariant', `${walk.label} ${c.key}: ${c.human}`, path, c.severity));
  }
}

/** A Reference whose target the profile restricts (`targetProfile`): its type must be one of them. */
function checkTarget(reference: Record<string, unknown>, targets: ReadonlySet<string>, info: ElementInfo, path: string, walk: Walk): void {
  const found = new Set<string>();
  const literal = reference['reference'];
  if (typeof literal === 'string') {
    const type = literal.startsWith('#') ? walk.contained.get(literal.slice(1)) : walk.fullUrls.get(literal) ?? TYPED_REFERENCE.exec(literal)?.[1];
    if (type !== undefined && isKnownResourceType(type)) found.add(type);
  }
  const declared = reference['type'];
  if (typeof declared === 'string') {
    // Reference.type is a URI; a bare type name is relative to the R4 StructureDefinitions.
    const type = declared.startsWith(R4_STRUCTURE_DEFINITION) ? declared.slice(R4_STRUCTURE_DEFINITION.length) : declared;
    if (isKnownResourceType(type)) found.add(type);
  }
  for (const type of found) {
    if (!targets.has(type)) {
      report(walk, 'structure', `${walk.label}: ${info.name} must refer to ${[...targets].join(' or ')}, found ${type}`, path);
      return;
    }
  }
}

/**
 * Every extension in a profiled resource (not in its nested resources, which are checked on
 * their own): those with a definition here are checked against it; an unknown UK Core one is a
 * warning. https://hl7.org/fhir/R4/extensibility.html
 */
function visitExtensions(object: Record<string, unknown>, structure: Structure, host: Host, path: string, depth: number, walk: Walk): void {
  if (depth >= MAX_DEPTH) return;
  for (const key in object) {
    const value = object[key];
    const info = structure.elements.get(key);
    if (value === undefined || info === undefined) continue;
    if (info.kind === 'sibling') {
      const inner: Host = { path: `${host.path}.${info.name}`, typePath: `${host.typePath}.${info.name}`, type: info.type, isResource: false };
      forEachObject(value, (item, i) => visitExtensions(item, info.primitive!.element, inner, at(path, info.valueKey, i), depth + 1, walk));
      continue;
    }
    if (info.kind !== 'complex') continue;
    const isExtension = key === 'extension' || key === 'modifierExtension';
    if (isExtension && Array.isArray(value)) checkExtensionList(value, host, `${path}.${key}`, walk);
    const inner = isExtension
      ? { path: `${host.path}.${key}`, typePath: 'Extension', type: 'Extension', isResource: false }
      : hostOf(host, info);
    forEachObject(value, (item, i) => visitExtensions(item, info.structure!, inner, at(path, key, i), depth + 1, walk));
  }
}

/** The host for the values of a complex element: a backbone continues its resource's path. */
function hostOf(parent: Host, info: ElementInfo): Host {
  const path = `${parent.path}.${info.name}`;
  const isBackbone = info.type.includes('.');
  return { path, typePath: isBackbone ? `${parent.typePath}.${info.name}` : info.type, type: info.type, isResource: false };
}

function checkExtensionList(list: unknown[], host: Host, path: string, walk: Walk): void {
  const counts = new Map<ExtensionDefinition, number>();
  for (let i = 0; i < list.length; i++) {
    const extension = list[i];
    if (!isObject(extension) || typeof extension['url'] !== 'string') continue;
    const url = extension['url'];
    const definition = extensionNamed(url);
    if (definition === undefined) {
      if (url.startsWith(UK_CORE_STRUCTURE_DEFINITION)) {
        walk.issues.push(issue('extension', `Unknown UK Core extension ${url}: not checked`, `${path}[${i}]`, 'warning'));
      }
      continue;
    }
    counts.set(definition, (counts.get(definition) ?? 0) + 1);
    walk.label = definition.name;
    if (!isAllowedOn(definition, host)) {
      report(walk, 'structure', `${definition.name} may be used on ${definition.context.join(', ')}, not on ${host.path}`, `${path}[${i}]`);
    }
    checkConstraints(extension, definition.root, `${path}[${i}]`, walk);
    checkChildren(extension, EXTENSION, definition.root, `${path}[${i}]`, walk);
  }
  for (const [definition, count] of counts) {
    if (count > definition.max) {
      report(walk, 'structure', `${definition.name} may appear at most ${definition.max} time${definition.max === 1 ? '' : 's'} on ${host.path}, found ${count}`, path);
    }
  }
}

/** https://hl7.org/fhir/R4/defining-extensions.html#context: an element path or a type. */
function isAllowedOn(definition: ExtensionDefinition, host: Host): boolean {
  if (definition.context.length === 0) return true;
  for (const context of definition.context) {
    if (context === host.path || context === host.typePath || context === host.type) return true;
    if ((context === 'Resource' || context === 'DomainResource') && host.isResource) return true;
    if (context === 'Element' || context === 'Base') return true;
  }
  return false;
}

/** fixed[x]: exactly equal, every property of a complex value included. */
function equalsFixed(value: unknown, fixed: unknown): boolean {
  if (value === fixed) return true;
  if (Array.isArray(fixed)) {
    return Array.isArray(value) && value.length === fixed.length && fixed.every((f, i) => equalsFixed(value[i], f));
  }
  if (!isObject(fixed) || !isObject(value)) return false;
  const keys = Object.keys(fixed);
  return keys.length === Object.keys(value).length && keys.every((k) => equalsFixed(value[k], fixed[k]));
}

/** pattern[x]: the value has at least the pattern's properties (https://hl7.org/fhir/R4/elementdefinition-definitions.html#ElementDefinition.pattern_x_). */
function containsPattern(value: unknown, pattern: unknown): boolean {
  if (value === pattern) return true;
  if (Array.isArray(pattern)) {
    return Array.isArray(value) && pattern.every((p) => value.some((v) => containsPattern(v, p)));
  }
  if (!isObject(pattern) || !isObject(value)) return false;
  return Object.keys(pattern).every((k) => containsPattern(value[k], pattern[k]));
}

function forEachObject(value: unknown, visit: (item: Record<string, unknown>, index: number) => void): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (isObject(item)) visit(item, i);
    }
  } else if (isObject(value)) {
    visit(value, -1);
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function at(path: string, key: string, index: number): string {
  return index < 0 ? `${path}.${key}` : `${path}.${key}[${index}]`;
}

function requireStructure(name: string): Structure {
  const structure = structureOf(name);
  if (structure === undefined) throw new Error(`no R4 structure ${name}`);
  return structure;
}

function report(walk: Walk, code: IssueCode, diagnostics: string, expression: string): void {
  walk.issues.push(issue(code, diagnostics, expression));
}
