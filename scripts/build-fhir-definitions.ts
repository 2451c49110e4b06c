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
 * its child elements with min, whether max is above 1, and their types (a list for `[x]`
 * choices; a structure key for backbone elements and `contentReference`). Everything else in
 * the snapshots (bindings, invariants, text) is dropped, which is why the output is ~1% of the input.
 *
 * @see https://hl7.org/fhir/R4/structuredefinition.html
 * @see https://hl7.org/fhir/R4/elementdefinition.html
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const OUTPUT = new URL('../src/fhir/validation/r4-structure.json', import.meta.url);
const WANTED = ['package/Bundle-types.json', 'package/Bundle-resources.json'];

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

/** `[min, isArray (max > 1), type]`; type is a list for a choice, a dotted key for a backbone. */
type ElementSpec = [number, 0 | 1, string | string[]];

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
  const { files, digest } = readPackage(source);
  const definitions = WANTED.flatMap((name) => bundleEntries(files.get(name), name));
  const output = buildTables(definitions);
  writeFileSync(OUTPUT, serialise(output, digest));
  const size = statSync(OUTPUT).size;
  console.log(`wrote ${OUTPUT.pathname}: ${Object.keys(output.structures).length} structures, ` +
    `${output.resourceTypes.length} resource types, ${(size / 1024).toFixed(0)} KiB`);
}

/** Reads the two definition bundles from the npm tgz (a plain ustar archive) or a folder. */
function readPackage(source: string): { files: Map<string, Buffer>; digest: string } {
  const files = new Map<string, Buffer>();
  if (statSync(source).isDirectory()) {
    for (const name of WANTED) files.set(name, readFileSync(join(source, name.replace(/^package\//, ''))));
    return { files, digest: 'unpacked directory' };
  }
  const packed = readFileSync(source);
  const digest = `sha1:${createHash('sha1').update(packed).digest('hex')}`;
  const tar = gunzipSync(packed);
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    const name = cString(header.subarray(0, 100));
    if (name === '') break;
    const prefix = cString(header.subarray(345, 500));
    const size = parseInt(cString(header.subarray(124, 136)).trim() || '0', 8);
    const fullName = prefix ? `${prefix}/${name}` : name;
    if (WANTED.includes(fullName)) files.set(fullName, tar.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return { files, digest };
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

function bundleEntries(file: Buffer | undefined, name: string): StructureDefinition[] {
  if (!file) throw new Error(`${name} not found in the package`);
  const bundle = JSON.parse(file.toString('utf8')) as { entry: { resource: StructureDefinition }[] };
  return bundle.entry.map((e) => e.resource).filter((r) => r.resourceType === 'StructureDefinition');
}

interface Output {
  primitives: Record<string, { json: 'string' | 'number' | 'boolean'; pattern?: string }>;
  resourceTypes: string[];
  structures: Record<string, Record<string, ElementSpec>>;
}

function buildTables(definitions: StructureDefinition[]): Output {
  // Constraint profiles (SimpleQuantity, MoneyQuantity) are profiles, not types; the logical
  // MetadataResource is not a JSON type either.
  const types = definitions.filter((sd) => sd.derivation !== 'constraint' && sd.kind !== 'logical');
  const known = new Set(types.map((sd) => sd.type));
  const output: Output = { primitives: {}, resourceTypes: [], structures: {} };

  for (const sd of types) {
    if (sd.kind === 'primitive-type') output.primitives[sd.type] = primitiveOf(sd);
    if (sd.kind === 'resource' && !sd.abstract) output.resourceTypes.push(sd.type);
  }
  for (const sd of types) addStructures(sd, known, output.structures);
  output.resourceTypes.sort();

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
function addStructures(sd: StructureDefinition, known: Set<string>, structures: Output['structures']): void {
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
    table[name] = [el.min ?? 0, el.max === '1' ? 0 : 1, typeOf(sd, el, parents, known)];
  }
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
    source: `npm hl7.fhir.r4.examples@4.0.1 (${digest}) package/Bundle-types.json, package/Bundle-resources.json`,
    licence: 'CC0-1.0; HL7 FHIR R4 (c) HL7',
    generatedBy: 'scripts/build-fhir-definitions.ts',
  };
  const lines = Object.entries(output.structures).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return `{${Object.entries(header).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',\n')},\n` +
    `"primitives":${JSON.stringify(output.primitives)},\n` +
    `"resourceTypes":${JSON.stringify(output.resourceTypes)},\n` +
    `"structures":{\n${lines.join(',\n')}\n}}\n`;
}

main();
