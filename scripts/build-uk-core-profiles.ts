/**
 * Builds `src/fhir/profiles/uk-core-profiles.json`, the compact table the UK Core profile
 * validator runs on, from the UK Core StructureDefinitions, ValueSets and CodeSystems.
 *
 * Regenerate with:
 * ```sh
 * cd "$(mktemp -d)" && npm pack hl7.fhir.r4.examples@4.0.1     # CC0; sha1 537ea7db3f3c7b3575fe2eaa7808bad21261cca3
 * cd - && npx tsx scripts/build-uk-core-profiles.ts <uk-core conformance dir> /tmp/…/hl7.fhir.r4.examples-4.0.1.tgz
 * ```
 * The first argument is a folder of UK Core conformance resources as JSON (one resource a file,
 * e.g. the JSON renderings of `structuredefinitions/`, `valuesets/` and `codesystems/` of
 * NHSDigital/FHIR-R4-UKCORE-STAGING-MAIN). The second is the R4 package (tgz or its unpacked
 * `package/` folder): its CodeSystems complete value sets that UK Core builds from HL7 code
 * systems (UKCore-BirthSex takes all of v3-AdministrativeGender), and its extension definitions
 * give the core extensions the profiles slice in (patient-birthTime, patient-proficiency, …).
 * It also reads `src/fhir/validation/r4-structure.json` to resolve each differential path to its
 * R4 element, which catches a path that does not exist and tells which bindings fall on coded
 * types. Nothing here is read at run time.
 *
 * The UK Core profiles are published differential-only. A profile's constraints are its own
 * differential merged over those of its UK Core ancestors (UKCore-Observation-VitalSigns-BMI →
 * UKCore-Observation-VitalSigns → UKCore-Observation), later statements replacing earlier ones
 * element by element, which is what snapshot generation does for the properties kept here: min,
 * max, fixed[x]/pattern[x], type narrowing of `[x]` elements, `targetProfile` (as resource
 * types), required bindings (expanded), slicing with `value`/`pattern` discriminators and its
 * slices, extension slices (by url) and invariants. Everything the R4 base already says is left to
 * the structural validator. See `src/fhir/profiles/README.md` for the format and what is skipped.
 *
 * @see https://hl7.org/fhir/R4/profiling.html
 * @see https://hl7.org/fhir/R4/elementdefinition.html
 * @see https://hl7.org/fhir/R4/profiling.html#slicing
 * @see https://hl7.org/fhir/R4/valueset.html#expansion
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INVARIANTS } from '../src/fhir/profiles/invariants.js';
import { readPackage } from './lib/npm-package.js';

const OUTPUT = new URL('../src/fhir/profiles/uk-core-profiles.json', import.meta.url);
const R4_STRUCTURE = new URL('../src/fhir/validation/r4-structure.json', import.meta.url);
const R4_FILES = ['package/Bundle-extensions.json', 'package/Bundle-valuesets.json', 'package/Bundle-v2-valuesets.json', 'package/Bundle-v3-valuesets.json'];

const UK_CORE = 'https://fhir.hl7.org.uk/StructureDefinition/';
const R4_BASE = 'http://hl7.org/fhir/StructureDefinition/';
/** The datatypes a required binding is checked on (https://hl7.org/fhir/R4/terminologies.html#strength). */
const CODED_TYPES = new Set(['code', 'Coding', 'CodeableConcept']);
const EXTENSION_ELEMENTS = new Set(['extension', 'modifierExtension']);

interface TypeRef { code: string; profile?: string[]; targetProfile?: string[] }
interface ElementDefinition {
  id: string;
  path: string;
  sliceName?: string;
  min?: number;
  max?: string;
  type?: TypeRef[];
  binding?: { strength: string; valueSet?: string };
  slicing?: { discriminator?: { type: string; path: string }[]; rules: string };
  constraint?: { key: string; severity: string; human: string; expression?: string }[];
  [key: string]: unknown;
}
interface StructureDefinition {
  resourceType: 'StructureDefinition';
  id: string;
  url: string;
  version?: string;
  type: string;
  kind: string;
  derivation?: string;
  baseDefinition?: string;
  context?: { type: string; expression: string }[];
  differential: { element: ElementDefinition[] };
}
interface Concept { code: string; concept?: Concept[]; property?: { code: string; valueBoolean?: boolean }[] }
interface CodeSystem { resourceType: 'CodeSystem'; url: string; content: string; concept?: Concept[] }
interface ValueSetInclude { system?: string; concept?: { code: string }[]; filter?: unknown[]; valueSet?: string[] }
interface ValueSet { resourceType: 'ValueSet'; url: string; compose?: { include: ValueSetInclude[]; exclude?: unknown[] } }
type Conformance = StructureDefinition | CodeSystem | ValueSet | { resourceType: string; url?: string };

/** `[min, isArray, type, isSummary, valueSet?]` as in r4-structure.json. */
type R4ElementSpec = [number, number, string | string[], number, string?];
type R4Structures = Record<string, Record<string, R4ElementSpec>>;

/** One element's constraints, as written to the JSON (see the README for each key). */
interface NodeOut {
  min?: number;
  max?: number;
  fixed?: unknown;
  pattern?: unknown;
  types?: string[];
  targets?: string[];
  binding?: string;
  constraints?: { key: string; severity: string; human: string; expression: string }[];
  slicing?: { paths: string[]; rules: string };
  slices?: Record<string, SliceOut>;
  children?: Record<string, NodeOut>;
}
interface SliceOut extends NodeOut { match: Record<string, unknown> }

/** Working form while merging differentials: the output node plus what only the build needs. */
interface Node extends NodeOut {
  /** For slices of `extension`: the extension's URL (its type's profile). */
  extensionUrl?: string;
  slices?: Record<string, Node & { match: Record<string, unknown> }>;
  children?: Record<string, Node>;
}

interface ExtensionOut { definition: string; version?: string; context: string[]; max?: number; root: NodeOut }
interface ProfileOut { version?: string; type: string; baseDefinition: string; root: NodeOut }

const notes: string[] = [];
const note = (message: string): void => { if (!notes.includes(message)) notes.push(message); };

function main(): void {
  const [ukDir, r4Source] = process.argv.slice(2);
  if (!ukDir || !r4Source) {
    console.error('usage: npx tsx scripts/build-uk-core-profiles.ts <uk-core conformance dir> <hl7.fhir.r4.examples-4.0.1.tgz | package-dir>');
    process.exit(2);
  }
  const uk = readdirSync(ukDir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(join(ukDir, f), 'utf8')) as Conformance);
  const { files, digest } = readPackage(r4Source, R4_FILES);
  const r4 = R4_FILES.flatMap((name) => bundleEntries(files.get(name), name));
  const r4Structures = (JSON.parse(readFileSync(R4_STRUCTURE, 'utf8')) as { structures: R4Structures }).structures;

  const definitions = uk.filter(isStructureDefinition);
  const terminology = new Terminology([...r4, ...uk]);
  const builder = new Builder(definitions, r4.filter(isStructureDefinition), r4Structures, terminology);
  const output = builder.build();

  writeFileSync(OUTPUT, serialise(output, ukDir, digest));
  const size = statSync(OUTPUT).size;
  console.log(`wrote ${OUTPUT.pathname}: ${Object.keys(output.profiles).length} profiles, ` +
    `${Object.keys(output.extensions).length} extensions, ${Object.keys(output.valueSets).length} value sets expanded, ` +
    `${Object.keys(output.notExpanded).length} not, ${(size / 1024).toFixed(0)} KiB`);
  console.log('required bindings left unchecked (value set not expandable from UK Core + R4):');
  for (const [url, { reason, elements }] of Object.entries(output.notExpanded)) console.log(`  ${url}: ${reason}; ${elements.join(', ')}`);
  console.log('skipped:');
  for (const n of notes) console.log(`  ${n}`);
}

function isStructureDefinition(r: Conformance): r is StructureDefinition {
  return r.resourceType === 'StructureDefinition';
}


function bundleEntries(file: Buffer | undefined, name: string): Conformance[] {
  if (!file) throw new Error(`${name} not found in the R4 package`);
  const bundle = JSON.parse(file.toString('utf8')) as { entry: { resource: Conformance }[] };
  return bundle.entry.map((e) => e.resource);
}

interface Output {
  profiles: Record<string, ProfileOut>;
  extensions: Record<string, ExtensionOut>;
  valueSets: Record<string, Record<string, string[]>>;
  notExpanded: Record<string, { reason: string; elements: string[] }>;
}

class Builder {
  private readonly byUrl = new Map<string, StructureDefinition>();
  private readonly r4Extensions = new Map<string, StructureDefinition>();
  private readonly valueSets: Output['valueSets'] = {};
  private readonly notExpanded: Output['notExpanded'] = {};
  /** Extension URLs that profiles slice in, to ship the R4 core ones among them. */
  private readonly usedExtensions = new Set<string>();

  constructor(
    private readonly definitions: StructureDefinition[],
    r4Definitions: StructureDefinition[],
    private readonly r4: R4Structures,
    private readonly terminology: Terminology,
  ) {
    for (const sd of definitions) this.byUrl.set(sd.url, sd);
    for (const sd of r4Definitions) if (sd.type === 'Extension') this.r4Extensions.set(sd.url, sd);
  }

  build(): Output {
    const profiles: Output['profiles'] = {};
    for (const sd of this.definitions) {
      if (sd.type === 'Extension' || sd.kind !== 'resource') continue;
      const root = this.compile(this.chain(sd), sd.type);
      profiles[sd.url] = { ...(sd.version ? { version: sd.version } : {}), type: sd.type, baseDefinition: sd.baseDefinition ?? '', root: finish(root) ?? {} };
    }
    const extensions: Output['extensions'] = {};
    const shipped = [
      ...this.definitions.filter((sd) => sd.type === 'Extension'),
      ...[...this.usedExtensions].flatMap((url) => this.r4Extensions.get(url) ?? []),
    ];
    for (const sd of shipped) {
      const root = this.compile([sd], 'Extension');
      const rootElement = sd.differential.element.find((e) => e.id === 'Extension');
      // Extension.url is fixed to the URL instances carry: for the R5/R6 backports UK Core
      // defines, that is the HL7 URL (…/5.0/StructureDefinition/extension-…), not the SD's own.
      const url = typeof root.children?.['url']?.fixed === 'string' ? root.children['url'].fixed : sd.url;
      const max = rootElement?.max === undefined || rootElement.max === '*' ? undefined : Number(rootElement.max);
      const context = (sd.context ?? []).flatMap((c) => {
        if (c.type === 'element') return [c.expression];
        note(`${sd.url}: context of type '${c.type}' (${c.expression}) is not checked`);
        return [];
      });
      extensions[url] = {
        definition: sd.url, ...(sd.version ? { version: sd.version } : {}), context,
        ...(max === undefined ? {} : { max }), root: finish(root) ?? {},
      };
    }
    // Each extension's own max is checked wherever it appears; a slice repeats it only if stricter.
    for (const profile of Object.values(profiles)) dropRepeatedExtensionMax(profile.root, extensions);
    for (const url of this.usedExtensions) {
      if (!(url in extensions)) note(`extension ${url}: definition not in UK Core or the R4 package, so only the slices' own constraints are checked`);
    }
    return { profiles, extensions, valueSets: sortKeys(this.valueSets), notExpanded: sortKeys(this.notExpanded) };
  }

  /** The profile and its UK Core ancestors, the root-most first. */
  private chain(sd: StructureDefinition): StructureDefinition[] {
    const chain = [sd];
    for (let base = sd.baseDefinition; base?.startsWith(UK_CORE);) {
      const parent = this.byUrl.get(base);
      if (!parent) throw new Error(`${sd.url}: base ${base} not found`);
      chain.unshift(parent);
      base = parent.baseDefinition;
    }
    const top = chain[0]!.baseDefinition;
    if (top !== `${R4_BASE}${sd.type}`) throw new Error(`${sd.url}: expected to derive from ${R4_BASE}${sd.type}, found ${top}`);
    return chain;
  }

  /** Merges the differentials of `chain` into one tree of element constraints. */
  private compile(chain: StructureDefinition[], type: string): Node {
    const root: Node = {};
    for (const sd of chain) {
      for (const el of sd.differential.element) {
        const node = this.nodeFor(root, el, sd, type);
        if (node) this.apply(node, el, sd, type);
      }
    }
    this.resolveSlices(root, [], chain[chain.length - 1]!.url, type);
    return root;
  }

  /** The node of element `el`, created on the way; undefined if its path is not an R4 element. */
  private nodeFor(root: Node, el: ElementDefinition, sd: StructureDefinition, type: string): Node | undefined {
    const segments = el.id.split('.');
    if (segments[0] !== type) throw new Error(`${sd.url}: element ${el.id} outside ${type}`);
    let node = root;
    let r4Type: string | undefined = type;
    for (const segment of segments.slice(1)) {
      const [name, slice] = segment.split(':') as [string, string?];
      const spec: R4ElementSpec | undefined = r4Type === undefined ? undefined : this.r4[r4Type]?.[name];
      if (spec === undefined) {
        note(`${sd.url}: ${el.id} is not an element of R4 ${r4Type ?? '(unknown type)'}; ignored`);
        return undefined;
      }
      node = ((node.children ??= {})[name] ??= {});
      if (slice !== undefined) node = ((node.slices ??= {})[slice] ??= { match: {} });
      // Below a choice element only its one narrowed type can be constrained (value[x].unit).
      r4Type = Array.isArray(spec[2]) ? (node.types?.length === 1 ? node.types[0] : undefined) : spec[2];
    }
    return node;
  }

  private apply(node: Node, el: ElementDefinition, sd: StructureDefinition, type: string): void {
    const isRoot = el.id === type;
    if (el.min !== undefined && !isRoot) node.min = el.min;
    if (el.max !== undefined && !isRoot) {
      if (el.max === '*') delete node.max;
      else node.max = Number(el.max);
    }
    for (const [key, value] of Object.entries(el)) {
      if (key.startsWith('fixed')) node.fixed = value;
      else if (key.startsWith('pattern')) node.pattern = value;
    }
    if (el.type !== undefined) this.applyTypes(node, el, sd);
    if (el.binding?.strength === 'required' && el.binding.valueSet !== undefined) this.applyBinding(node, el, sd);
    if (el.slicing !== undefined) {
      const discriminators = el.slicing.discriminator ?? [];
      if (discriminators.every((d) => d.type === 'value' || d.type === 'pattern') && discriminators.length > 0) {
        node.slicing = { paths: discriminators.map((d) => d.path), rules: el.slicing.rules };
      } else {
        node.slicing = { paths: [], rules: el.slicing.rules };
        note(`${sd.url}: ${el.id} is sliced by ${discriminators.map((d) => `${d.type} ${d.path}`).join(', ') || 'no discriminator'}; ` +
          'only value/pattern discriminators are supported, so its slices are not matched');
      }
    }
    for (const c of el.constraint ?? []) {
      if (c.expression === undefined) continue;
      const constraints = (node.constraints ??= []);
      const at = constraints.findIndex((x) => x.key === c.key);
      const out = { key: c.key, severity: c.severity, human: c.human, expression: c.expression };
      if (at >= 0) constraints[at] = out;
      else constraints.push(out);
      const implemented = INVARIANTS[c.key];
      if (implemented === undefined) note(`${sd.url}: invariant ${c.key} has no implementation in invariants.ts; not checked`);
      else if (implemented.expression !== c.expression) note(`${sd.url}: invariant ${c.key} changed (implemented: ${implemented.expression}); not checked`);
    }
  }

  private applyTypes(node: Node, el: ElementDefinition, sd: StructureDefinition): void {
    const types = el.type!;
    if (el.path.endsWith('[x]')) node.types = types.map((t) => t.code);
    const extension = types.find((t) => t.code === 'Extension' && t.profile !== undefined);
    if (extension && EXTENSION_ELEMENTS.has(el.path.slice(el.path.lastIndexOf('.') + 1))) {
      node.extensionUrl = extension.profile![0]!;
      this.usedExtensions.add(node.extensionUrl);
    }
    const references = types.filter((t) => t.code === 'Reference' && t.targetProfile !== undefined);
    if (references.length === 0) return;
    const targets = new Set<string>();
    for (const profile of references.flatMap((t) => t.targetProfile!)) {
      const target = this.resourceTypeOf(profile);
      if (target === undefined) {
        note(`${sd.url}: ${el.id} targetProfile ${profile} is not a known profile; its reference targets are not checked`);
        return;
      }
      if (target === 'Resource') return; // any resource
      targets.add(target);
    }
    node.targets = [...targets];
  }

  private resourceTypeOf(profile: string): string | undefined {
    const canonical = profile.split('|')[0]!;
    if (canonical.startsWith(R4_BASE)) {
      const name = canonical.slice(R4_BASE.length);
      return name === 'Resource' || this.r4[name] !== undefined ? name : undefined;
    }
    return this.byUrl.get(canonical)?.type;
  }

  private applyBinding(node: Node, el: ElementDefinition, sd: StructureDefinition): void {
    const url = el.binding!.valueSet!.split('|')[0]!;
    const where = `${sd.id}: ${el.id}`;
    const codes = this.terminology.expand(url);
    if (typeof codes === 'string') {
      const entry = (this.notExpanded[url] ??= { reason: codes, elements: [] });
      if (!entry.elements.includes(where)) entry.elements.push(where);
      return;
    }
    const types = el.type?.map((t) => t.code) ?? this.baseTypes(el);
    if (!types.some((t) => CODED_TYPES.has(t))) {
      note(`${where}: required binding to ${url} is on a ${types.join('|')} element, not a code, Coding or CodeableConcept; not checked`);
      return;
    }
    node.binding = url;
    this.valueSets[url] = Object.fromEntries(codes);
  }

  /** The R4 types of an element by its path (slices do not change types). */
  private baseTypes(el: ElementDefinition): string[] {
    const segments = el.path.split('.');
    let type: string | undefined = segments[0];
    let spec: R4ElementSpec | undefined;
    for (const name of segments.slice(1)) {
      spec = type === undefined ? undefined : this.r4[type]?.[name];
      type = spec === undefined || Array.isArray(spec[2]) ? undefined : spec[2];
    }
    if (spec === undefined) return [];
    return Array.isArray(spec[2]) ? spec[2] : [spec[2]];
  }

  /**
   * Gives each slice the values it is matched by: for `extension`, the url (the slice's
   * extension profile, or its fixed `url` in a complex extension's definition); otherwise the
   * fixed or pattern value each discriminator path reaches within the slice, or within what the
   * slice inherits (`inherited`: the sliced element itself and, for a slice inside a slice, the
   * same element under the unsliced parent, as snapshot generation copies them). A slice with no
   * such value cannot be recognised, so it is dropped (and listed if it constrains anything).
   */
  private resolveSlices(node: Node, inherited: Node[], url: string, path: string): void {
    for (const [name, child] of Object.entries(node.children ?? {})) {
      const childPath = `${path}.${name}`;
      const childInherited = inherited.flatMap((n) => n.children?.[name] ?? []);
      if (child.slices !== undefined) {
        if (child.slicing === undefined && EXTENSION_ELEMENTS.has(name)) child.slicing = { paths: ['url'], rules: 'open' };
        const paths = child.slicing?.paths ?? [];
        for (const [sliceName, slice] of Object.entries(child.slices)) {
          const sliceInherited = [child, ...childInherited, ...childInherited.flatMap((n) => n.slices?.[sliceName] ?? [])];
          const match: Record<string, unknown> = {};
          for (const p of paths) {
            const value = p === 'url' && slice.extensionUrl !== undefined
              ? slice.extensionUrl
              : [slice, ...sliceInherited].map((n) => valueAt(n, p)).find((v) => v !== undefined);
            if (value !== undefined) match[p] = value;
          }
          if (paths.length === 0 || Object.keys(match).length !== paths.length) {
            if (paths.length > 0 && finish(slice) !== undefined) {
              note(`${url}: slice ${childPath}:${sliceName} has no fixed value for its discriminator; not matched`);
            }
            delete child.slices[sliceName];
            continue;
          }
          slice.match = match;
          this.resolveSlices(slice, sliceInherited, url, `${childPath}:${sliceName}`);
        }
      }
      this.resolveSlices(child, childInherited, url, childPath);
    }
  }
}

function dropRepeatedExtensionMax(node: NodeOut, extensions: Record<string, ExtensionOut>): void {
  for (const slice of Object.values(node.slices ?? {})) {
    const url = slice.match['url'];
    const definitionMax = typeof url === 'string' ? extensions[url]?.max : undefined;
    if (definitionMax !== undefined && slice.max !== undefined && definitionMax <= slice.max) delete slice.max;
    dropRepeatedExtensionMax(slice, extensions);
  }
  for (const child of Object.values(node.children ?? {})) dropRepeatedExtensionMax(child, extensions);
}

/** The fixed (or pattern) value at a dotted path under a slice. */
function valueAt(node: Node, path: string): unknown {
  let current: Node | undefined = node;
  for (const name of path.split('.')) current = current?.children?.[name];
  return current?.fixed ?? current?.pattern;
}

/**
 * The output form of a node: drops build-only keys and nodes that constrain nothing (a
 * differential element that only changes `short` or `mustSupport`). Undefined when empty.
 */
function finish(node: Node): NodeOut | undefined {
  const out: NodeOut = {};
  if (node.min !== undefined && node.min > 0) out.min = node.min;
  if (node.max !== undefined) out.max = node.max;
  if (node.fixed !== undefined) out.fixed = node.fixed;
  if (node.pattern !== undefined) out.pattern = node.pattern;
  if (node.types !== undefined) out.types = node.types;
  if (node.targets !== undefined) out.targets = node.targets;
  if (node.binding !== undefined) out.binding = node.binding;
  if (node.constraints !== undefined) out.constraints = node.constraints;
  if (node.slices !== undefined && node.slicing !== undefined && node.slicing.paths.length > 0) {
    const slices: Record<string, SliceOut> = {};
    for (const [name, slice] of Object.entries(node.slices)) {
      slices[name] = { match: slice.match, ...(finish(slice) ?? {}) };
    }
    const constrains = Object.values(slices).some((s) => Object.keys(s).length > 1) || node.slicing.rules === 'closed';
    if (Object.keys(slices).length > 0 && constrains) {
      out.slicing = node.slicing;
      out.slices = slices;
    }
  }
  if (node.children !== undefined) {
    const children: Record<string, NodeOut> = {};
    for (const [name, child] of Object.entries(node.children)) {
      const c = finish(child);
      if (c !== undefined) children[name] = c;
    }
    if (Object.keys(children).length > 0) out.children = children;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Code system URL → its codes, in definition order. */
type Expansion = Map<string, string[]>;

/**
 * Expands value sets from the UK Core and R4 ValueSets and CodeSystems, where that is exact
 * without a terminology server (https://hl7.org/fhir/R4/valueset.html#expansion): includes that
 * enumerate concepts, whole code systems whose content is `complete`, and included value sets.
 * A filter, an exclude, or a code system that is not here (SNOMED CT, UCUM, BCP-47) makes the value
 * set unexpandable; the reason is returned instead.
 */
class Terminology {
  private readonly valueSets = new Map<string, ValueSet>();
  private readonly codeSystems = new Map<string, CodeSystem>();
  private readonly expansions = new Map<string, Expansion | string>();

  constructor(resources: Conformance[]) {
    for (const r of resources) {
      if (r.resourceType === 'ValueSet') this.valueSets.set((r as ValueSet).url, r as ValueSet);
      if (r.resourceType === 'CodeSystem') this.codeSystems.set((r as CodeSystem).url, r as CodeSystem);
    }
  }

  expand(url: string, stack: string[] = []): Expansion | string {
    const cached = this.expansions.get(url);
    if (cached !== undefined) return cached;
    if (stack.includes(url)) return `includes itself via ${stack.join(' → ')}`;
    const result = this.compose(url, [...stack, url]);
    this.expansions.set(url, result);
    return result;
  }

  private compose(url: string, stack: string[]): Expansion | string {
    const vs = this.valueSets.get(url);
    if (vs === undefined) return 'value set not in UK Core or R4 4.0.1';
    if (vs.compose === undefined) return 'no compose';
    if (vs.compose.exclude !== undefined) return 'compose.exclude is not supported';
    const expansion: Expansion = new Map();
    for (const include of vs.compose.include) {
      if (include.filter !== undefined) return `filter on ${include.system ?? 'a code system'}`;
      if (include.valueSet !== undefined) {
        if (include.system !== undefined) return 'include of a system intersected with value sets is not supported';
        for (const nested of include.valueSet) {
          const inner = this.expand(nested.split('|')[0]!, stack);
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
      if (cs === undefined) return `all of ${system}, which is not in UK Core or R4 4.0.1`;
      if (cs.content !== 'complete') return `all of ${system}, whose content is '${cs.content}'`;
      addCodes(expansion, system, selectableCodes(cs.concept ?? []));
    }
    return expansion;
  }
}

function addCodes(expansion: Expansion, system: string, codes: string[]): void {
  const list = expansion.get(system);
  if (list === undefined) expansion.set(system, [...new Set(codes)]);
  else for (const code of codes) if (!list.includes(code)) list.push(code);
}

/** Every code of a hierarchy, leaving out abstract (`notSelectable`) concepts. */
function selectableCodes(concepts: Concept[]): string[] {
  const codes: string[] = [];
  for (const c of concepts) {
    const isAbstract = c.property?.some((p) => p.code === 'notSelectable' && p.valueBoolean === true) ?? false;
    if (!isAbstract) codes.push(c.code);
    if (c.concept !== undefined) codes.push(...selectableCodes(c.concept));
  }
  return codes;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** One profile or extension per line, so a regeneration diff shows which ones changed. */
function serialise(output: Output, ukDir: string, digest: string): string {
  const header = {
    source: `UK Core conformance resources (HL7 UK, NHSDigital/FHIR-R4-UKCORE-STAGING-MAIN; read from ${ukDir.replace(/^.*\/(?=[^/]+\/?$)/, '')}) ` +
      `and npm hl7.fhir.r4.examples@4.0.1 (${digest}) ${R4_FILES.join(', ')}`,
    licence: 'UK Core: Apache-2.0, Copyright (c) 2021+ HL7 UK; HL7 FHIR R4: CC0-1.0',
    generatedBy: 'scripts/build-uk-core-profiles.ts',
  };
  const entries = (record: Record<string, unknown>): string =>
    Object.entries(record).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',\n');
  return `{${entries(header)},\n` +
    `"profiles":{\n${entries(sortKeys(output.profiles))}\n},\n` +
    `"extensions":{\n${entries(sortKeys(output.extensions))}\n},\n` +
    `"valueSets":{\n${entries(output.valueSets)}\n},\n` +
    `"notExpanded":{\n${entries(output.notExpanded)}\n}}\n`;
}

main();
