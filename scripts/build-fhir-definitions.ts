/**
 * Builds `src/fhir/validation/r4-structure.json`, the compact table the R4 structural validator
 * runs on, from the official R4 (4.0.1) StructureDefinitions.
 *
 * Regenerate with:
 * ```sh
 * cd "$(mktemp -d)" && npm pack hl7.fhir.r4.examples@4.0.1     # CC0; sha1 537ea7db3f3c7b3575fe2eaa7808bad21261cca3
 * cd - && npx tsx scripts/build-fhir-definitions.ts /tmp/…/hl7.fhir.r4.examples-4.0.1.tgz
 * ```
 * The argument may also be the unpacked `package/` folder. The package is read here only; it is
 * never a dependency of the server, and nothing reads it at run time.
 *
 * What is kept (see `src/fhir/validation/README.md` for the format): for every primitive type,
 * its JSON representation and its regex; for every complex type, resource and backbone element,
 * its child elements with min, whether max is above 1, their types (a list for `[x]` choices; a
 * structure key for backbone elements and `contentReference`), whether they are `isSummary`, and
 * for `code`, `Coding` and `CodeableConcept` elements with a `required` binding, the bound value
 * set, expanded here from the package's ValueSets and CodeSystems into plain code lists.
 * Everything else in the snapshots (other bindings, invariants, text) is dropped, which is why the
 * output is ~1% of the input.
 *
 * @see https://hl7.org/fhir/R4/structuredefinition.html
 * @see https://hl7.org/fhir/R4/elementdefinition.html
 * @see https://hl7.org/fhir/R4/terminologies.html#strength
 * @see https://hl7.org/fhir/R4/valueset.html#expansion
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPackage } from './lib/npm-package.js';

const OUTPUT = new URL('../src/fhir/validation/r4-structure.json', import.meta.url);
const DEFINITIONS = ['package/Bundle-types.json', 'package/Bundle-resources.json'];
/** The value sets and code systems of the spec; the v2 and v3 ones are their own bundles. */
const TERMINOLOGY = ['package/Bundle-valuesets.json', 'package/Bundle-v2-valuesets.json', 'package/Bundle-v3-valuesets.json'];
const WANTED = [...DEFINITIONS, ...TERMINOLOGY];

interface TypeRef {
  code: string;
  extension?: { url: string; valueUrl?: string; valueString?: string }[];
}
interface ElementDefinition {
  path: string;
  min?: number;
  max?: string;
  type?: TypeRef[];
  contentReference?: string;
  isSummary?: boolean;
  binding?: { strength: string; valueSet?: string };
}
interface StructureDefinition {
  resourceType: string;
  id: string;
  type: string;
  kind: string;
  abstract: boolean;
  derivation?: string;
  snapshot: { element: ElementDefinition[] };
}

/**
 * `[min, isArray (max > 1), type, isSummary, valueSet?]`; type is a list for a choice, a dotted key
 * for a backbone; valueSet is the canonical URL of an expanded required binding.
 */
type ElementSpec = [number, 0 | 1, string | string[], 0 | 1] | [number, 0 | 1, string | string[], 0 | 1, string];

interface Concept { code: string; concept?: Concept[]; property?: { code: string; valueBoolean?: boolean }[] }
interface CodeSystem { resourceType: 'CodeSystem'; url: string; content: string; concept?: Concept[] }
interface ValueSetInclude { system?: string; concept?: { code: string }[]; filter?: unknown[]; valueSet?: string[] }
interface ValueSet { resourceType: 'ValueSet'; url: string; compose?: { include: ValueSetInclude[]; exclude?: unknown[] } }

/** The datatypes a required binding is checked on: https://hl7.org/fhir/R4/terminologies.html#strength */
const CODED_TYPES = new Set(['code', 'Coding', 'CodeableConcept']);

const FHIR_TYPE_EXT = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
const REGEX_EXT = 'http://hl7.org/fhir/StructureDefinition/regex';

/** JSON representation of primitives: https://hl7.org/fhir/R4/json.html#primitive */
const JSON_NUMBER_TYPES = new Set(['decimal', 'integer', 'positiveInt', 'unsignedInt']);
const ANY_CHAR = '[^]';

function main(): void {
  const source = process.argv[2];
  if (!source) {
    console.error('usage: npx tsx scripts/build-fhir-definitions.ts <hl7.fhir.r4.examples-4.0.1.tgz | package-dir>');
    process.exit(2);
  }
  const { files, digest } = readPackage(source, WANTED);
  const definitions = DEFINITIONS.flatMap((name) => bundleEntries(files.get(name), name))
    .filter((r): r is StructureDefinition => r.resourceType === 'StructureDefinition');
  const terminology = new Terminology(TERMINOLOGY.flatMap((name) => bundleEntries(files.get(name), name)));
  const output = buildTables(definitions, terminology);
  writeFileSync(OUTPUT, serialise(output, digest));
  const size = statSync(OUTPUT).size;
  console.log(`wrote ${OUTPUT.pathname}: ${Object.keys(output.structures).length} structures, ` +
    `${output.resourceTypes.length} resource types, ${Object.keys(output.valueSets).length} value sets, ` +
    `${output.codeLists.length} code lists, ${(size / 1024).toFixed(0)} KiB`);
  console.log('required bindings left unchecked (not expandable exactly from the package):');
  for (const [url, { reason, elements }] of [...terminology.skipped].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`  ${url}: ${reason}; ${elements.join(', ')}`);
  }
}


type PackageResource = StructureDefinition | CodeSystem | ValueSet | { resourceType: string };

function bundleEntries(file: Buffer | undefined, name: string): PackageResource[] {
  if (!file) throw new Error(`${name} not found in the package`);
  const bundle = JSON.parse(file.toString('utf8')) as { entry: { resource: PackageResource }[] };
  return bundle.entry.map((e) => e.resource);
}

interface Output {
  primitives: Record<string, { json: 'string' | 'number' | 'boolean'; pattern?: string }>;
  resourceTypes: string[];
  structures: Record<string, Record<string, ElementSpec>>;
  /** Expanded value set URL → code system URL → index into `codeLists`. */
  valueSets: Record<string, Record<string, number>>;
  /** Each distinct list of codes once, in the code system's order. */
  codeLists: string[][];
}

function buildTables(definitions: StructureDefinition[], terminology: Terminology): Output {
  // Constraint profiles (SimpleQuantity, MoneyQuantity) are profiles, not types; the logical
  // MetadataResource is not a JSON type either.
  const types = definitions.filter((sd) => sd.derivation !== 'constraint' && sd.kind !== 'logical');
  const known = new Set(types.map((sd) => sd.type));
  const output: Output = { primitives: {}, resourceTypes: [], structures: {}, valueSets: {}, codeLists: [] };

  for (const sd of types) {
    if (sd.kind === 'primitive-type') output.primitives[sd.type] = primitiveOf(sd);
    if (sd.kind === 'resource' && !sd.abstract) output.resourceTypes.push(sd.type);
  }
  for (const sd of types) addStructures(sd, known, output.structures, terminology);
  output.resourceTypes.sort();
  addValueSets(output, terminology);

  for (const [key, elements] of Object.entries(output.structures)) {
    for (const [name, [, , type]] of Object.entries(elements)) {
      for (const code of Array.isArray(type) ? type : [type]) {
        if (!known.has(code) && !(code in output.structures)) throw new Error(`${key}.${name}: unknown type ${code}`);
      }
    }
  }
  return output;
}

function primitiveOf(sd: StructureDefinition): { json: 'string' | 'number' | 'boolean'; pattern?: string } {
  const value = sd.snapshot.element.find((e) => e.path === `${sd.type}.value`);
  const regex = value?.type?.[0]?.extension?.find((x) => x.url === REGEX_EXT)?.valueString;
  const json = sd.type === 'boolean' ? 'boolean' : JSON_NUMBER_TYPES.has(sd.type) ? 'number' : 'string';
  const pattern = regex === undefined ? undefined : xsdToJsPattern(regex);
  // string and markdown's `[ \r\n\t\S]+` accepts any non-empty string, which the JSON rules
  // already require; leaving it out saves a regex run on most strings in every resource.
  return pattern === undefined || pattern === `${ANY_CHAR}+` ? { json } : { json, pattern };
}

/**
 * The spec's regexes use XML Schema syntax, where `\s` is only space, tab, CR and LF. In
 * JavaScript `\s` also covers no-break and other Unicode spaces, so `[ \r\n\t\S]+` (the
 * `string` regex) would reject a name containing U+00A0. Rewrite the classes so the pattern
 * means in JavaScript what it means in the spec.
 */
function xsdToJsPattern(regex: string): string {
  const ws = ' \\t\\n\\r';
  let out = '';
  for (let i = 0; i < regex.length; i++) {
    const ch = regex[i];
    if (ch === '\\') {
      const next = regex[++i];
      out += next === 's' ? `[${ws}]` : next === 'S' ? `[^${ws}]` : `\\${next ?? ''}`;
    } else if (ch === '[') {
      const close = findClassEnd(regex, i);
      out += rewriteClass(regex.slice(i + 1, close), ws);
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

function findClassEnd(regex: string, open: number): number {
  for (let i = open + 1; i < regex.length; i++) {
    if (regex[i] === '\\') i++;
    else if (regex[i] === ']') return i;
  }
  throw new Error(`unterminated class in ${regex}`);
}

function rewriteClass(body: string, ws: string): string {
  const negated = body.startsWith('^');
  const inner = negated ? body.slice(1) : body;
  const hasNotSpace = /(^|[^\\])\\S/.test(inner);
  const rest = inner.replace(/\\s/g, ws).replace(/\\S/g, '');
  if (!hasNotSpace) return `[${negated ? '^' : ''}${rest}]`;
  if (negated) throw new Error(`negated class with \\S is not supported: [${body}]`);
  // [abc\S] is "not XML-whitespace, or one of abc"; with all of the whitespace, any character.
  if (rest.replace(/ |\\t|\\n|\\r/g, '') === '' && [' ', '\\t', '\\n', '\\r'].every((w) => rest.includes(w))) return ANY_CHAR;
  return rest === '' ? `[^${ws}]` : `(?:[^${ws}]|[${rest}])`;
}

/** Adds the structure of `sd` and of each of its backbone elements, keyed by path. */
function addStructures(sd: StructureDefinition, known: Set<string>, structures: Output['structures'], terminology: Terminology): void {
  const elements = sd.snapshot.element;
  const parents = new Set(elements.map((e) => e.path.slice(0, e.path.lastIndexOf('.'))));
  structures[sd.type] = {};
  for (const el of elements.slice(1)) {
    const dot = el.path.lastIndexOf('.');
    const parent = el.path.slice(0, dot);
    const name = el.path.slice(dot + 1);
    if (sd.kind === 'primitive-type' && name === 'value') continue; // the JSON value itself
    if (el.max === '0') continue; // prohibited, e.g. extensions on xhtml
    const table = (structures[parent] ??= {});
    const spec: ElementSpec = [el.min ?? 0, el.max === '1' ? 0 : 1, typeOf(sd, el, parents, known), el.isSummary === true ? 1 : 0];
    const valueSet = requiredValueSet(el, terminology);
    if (valueSet !== undefined) spec.push(valueSet);
    table[name] = spec;
  }
}

/**
 * The canonical URL of the value set a coded element is bound to with strength `required`, when
 * it can be expanded exactly; undefined otherwise (those stay format-checked only). Bindings on
 * other types (none in R4 core) are not checked.
 */
function requiredValueSet(el: ElementDefinition, terminology: Terminology): string | undefined {
  const url = el.binding?.strength === 'required' ? el.binding.valueSet : undefined;
  if (url === undefined || !(el.type ?? []).some((t) => CODED_TYPES.has(t.code))) return undefined;
  // The core bindings name the value set with the version of the spec (`…|4.0.1`), or of a
  // v3 value set (`…|2014-03-26`); the package holds exactly one version of each.
  const canonical = url.split('|')[0] as string;
  return terminology.expand(canonical, el.path) === undefined ? undefined : canonical;
}

/** Stores each bound value set's code lists, each distinct list once. */
function addValueSets(output: Output, terminology: Terminology): void {
  const listIndex = new Map<string, number>();
  const used = new Set<string>();
  for (const elements of Object.values(output.structures)) {
    for (const spec of Object.values(elements)) if (spec[4] !== undefined) used.add(spec[4]);
  }
  for (const url of [...used].sort()) {
    const bySystem: Record<string, number> = {};
    for (const [system, codes] of terminology.expand(url)!) {
      const key = JSON.stringify(codes);
      let index = listIndex.get(key);
      if (index === undefined) {
        index = output.codeLists.push(codes) - 1;
        listIndex.set(key, index);
      }
      bySystem[system] = index;
    }
    output.valueSets[url] = bySystem;
  }
}

/** Code system URL → its codes, in definition order. */
type Expansion = Map<string, string[]>;

/**
 * Expands the value sets of required bindings from the ValueSet and CodeSystem resources of the
 * package, the way https://hl7.org/fhir/R4/valueset.html#expansion describes, for the cases that
 * can be done exactly without a terminology server: an include that enumerates concepts, one that
 * takes a whole code system whose content is `complete` in the package, and one that includes
 * other value sets. Anything else (filters, excludes, code systems not in the package such as
 * UCUM, BCP-13 MIME types and ISO 4217) makes the whole value set unexpandable; it is
 * recorded in `skipped` with the reason, and its bindings are left unchecked.
 */
class Terminology {
  readonly skipped = new Map<string, { reason: string; elements: string[] }>();
  private readonly valueSets = new Map<string, ValueSet>();
  private readonly codeSystems = new Map<string, CodeSystem>();
  private readonly expansions = new Map<string, Expansion | string>();

  constructor(resources: PackageResource[]) {
    for (const r of resources) {
      if (r.resourceType === 'ValueSet') this.valueSets.set((r as ValueSet).url, r as ValueSet);
      if (r.resourceType === 'CodeSystem') this.codeSystems.set((r as CodeSystem).url, r as CodeSystem);
    }
  }

  /** The expansion of `url`, or undefined (and the element listed as skipped) if not exact. */
  expand(url: string, elementPath?: string): Expansion | undefined {
    const result = this.expandValueSet(url, []);
    if (typeof result !== 'string') return result;
    if (elementPath !== undefined) {
      const entry = this.skipped.get(url) ?? { reason: result, elements: [] };
      entry.elements.push(elementPath);
      this.skipped.set(url, entry);
    }
    return undefined;
  }

  /** An expansion, or the reason there is none. `stack` guards against include cycles. */
  private expandValueSet(url: string, stack: string[]): Expansion | string {
    const cached = this.expansions.get(url);
    if (cached !== undefined) return cached;
    if (stack.includes(url)) return `includes itself via ${stack.join(' → ')}`;
    const result = this.compose(url, [...stack, url]);
    this.expansions.set(url, result);
    return result;
  }

  private compose(url: string, stack: string[]): Expansion | string {
    const vs = this.valueSets.get(url);
    if (vs === undefined) return 'value set not in the package';
    if (vs.compose === undefined) return 'no compose';
    if (vs.compose.exclude !== undefined) return 'compose.exclude is not supported';
    const expansion: Expansion = new Map();
    for (const include of vs.compose.include) {
      if (include.filter !== undefined) return `filter on ${include.system ?? 'a code system'}`;
      if (include.valueSet !== undefined) {
        // system + valueSet is an intersection; no core value set needs it.
        if (include.system !== undefined) return 'include of a system intersected with value sets is not supported';
        for (const nested of include.valueSet) {
          const inner = this.expandValueSet(nested.split('|')[0] as string, stack);
          if (typeof inner === 'string') return `includes ${nested}: ${inner}`;
          for (const [system, codes] of inner) addCodes(expansion, system, codes);
        }
        continue;
      }
      const system = include.system;
      if (system === undefined) return 'an include with neither system nor valueSet';
      if (include.concept !== undefined) {
        addCodes(expansion, system, include.concept.map((c) => c.code));
        continue;
      }
      const cs = this.codeSystems.get(system);
      if (cs === undefined) return `all of ${system}, which is not in the package`;
      if (cs.content !== 'complete') return `all of ${system}, whose content in the package is '${cs.content}'`;
      addCodes(expansion, system, selectableCodes(cs.concept ?? []));
    }
    return expansion;
  }
}

function addCodes(expansion: Expansion, system: string, codes: string[]): void {
  const list = expansion.get(system);
  if (list === undefined) {
    expansion.set(system, [...new Set(codes)]);
  } else {
    for (const code of codes) if (!list.includes(code)) list.push(code);
  }
}

/**
 * Every code of a hierarchy, depth first, leaving out abstract concepts (`notSelectable`, e.g.
 * `question` in item-type), as the spec's own expansions do:
 * https://hl7.org/fhir/R4/codesystem.html#defined-props
 */
function selectableCodes(concepts: Concept[]): string[] {
  const codes: string[] = [];
  for (const c of concepts) {
    const isAbstract = c.property?.some((p) => p.code === 'notSelectable' && p.valueBoolean === true) ?? false;
    if (!isAbstract) codes.push(c.code);
    if (c.concept !== undefined) codes.push(...selectableCodes(c.concept));
  }
  return codes;
}

function typeOf(sd: StructureDefinition, el: ElementDefinition, parents: Set<string>, known: Set<string>): string | string[] {
  if (el.contentReference) return el.contentReference.replace(/^#/, '');
  if (parents.has(el.path)) return el.path; // a backbone element: its children form a structure
  const codes = (el.type ?? []).map((t) => typeCode(sd, el, t));
  if (codes.length === 0) throw new Error(`${el.path}: no type`);
  for (const code of codes) if (!known.has(code)) throw new Error(`${el.path}: unknown type ${code}`);
  return el.path.endsWith('[x]') ? codes : codes.length === 1 ? (codes[0] as string) : codes;
}

function typeCode(sd: StructureDefinition, el: ElementDefinition, t: TypeRef): string {
  if (!t.code.startsWith('http://hl7.org/fhirpath/System.')) return t.code;
  // Resource.id is declared as FHIRPath String with fhir-type "string" in the 4.0.1 snapshots,
  // but the spec's element table (resource.html#Resource) types it as `id`, and the reference
  // validator enforces the id regex on it. Every resource inherits it as `<Type>.id`.
  if (sd.kind === 'resource' && el.path === `${sd.type}.id`) return 'id';
  return t.extension?.find((x) => x.url === FHIR_TYPE_EXT)?.valueUrl ?? 'string';
}

/** One structure per line, so a regeneration diff shows which types changed. */
function serialise(output: Output, digest: string): string {
  const header = {
    fhirVersion: '4.0.1',
    source: `npm hl7.fhir.r4.examples@4.0.1 (${digest}) ${WANTED.join(', ')}`,
    licence: 'CC0-1.0; HL7 FHIR R4 (c) HL7',
    generatedBy: 'scripts/build-fhir-definitions.ts',
  };
  const entries = (record: Record<string, unknown>): string =>
    Object.entries(record).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',\n');
  return `{${entries(header)},\n` +
    `"primitives":${JSON.stringify(output.primitives)},\n` +
    `"resourceTypes":${JSON.stringify(output.resourceTypes)},\n` +
    `"structures":{\n${entries(output.structures)}\n},\n` +
    `"valueSets":{\n${entries(output.valueSets)}\n},\n` +
    `"codeLists":[\n${output.codeLists.map((list) => JSON.stringify(list)).join(',\n')}\n]}\n`;
}

main();
