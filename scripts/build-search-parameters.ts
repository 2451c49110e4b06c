/**
 * Builds `src/search/definitions/r4-search-parameters.json`, the compact form of the R4
 * SearchParameter bundle and the Patient CompartmentDefinition that the server loads at start.
 *
 * Usage: npx tsx scripts/build-search-parameters.ts <search-parameters.json> <CompartmentDefinition-patient.json>
 * Source: HL7 FHIR R4 4.0.1 definitions (CC0), https://hl7.org/fhir/R4/searchparameter-registry.html
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface SpResource {
  url: string;
  code: string;
  base: string[];
  type: string;
  expression?: string;
  target?: string[];
  modifier?: string[];
  comparator?: string[];
  component?: { definition: string; expression: string }[];
  multipleOr?: boolean;
  multipleAnd?: boolean;
}

const [spPath, compPath] = process.argv.slice(2);
if (!spPath || !compPath) throw new Error('usage: build-search-parameters.ts <search-parameters.json> <CompartmentDefinition-patient.json>');
const bundle = JSON.parse(readFileSync(spPath, 'utf8')) as { entry: { resource: SpResource }[] };
const compartment = JSON.parse(readFileSync(compPath, 'utf8')) as { resource: { code: string; param?: string[] }[] };

const byUrl = new Map<string, SpResource>();
for (const { resource } of bundle.entry) byUrl.set(resource.url, resource);

/** Splits a union expression and keeps the parts that apply to `base` (or all parts for Resource). */
function partsFor(expression: string, base: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === "'") {
      i = expression.indexOf("'", i + 1);
    } else if (ch === '|' && depth === 0) {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  const own = parts.filter((p) => {
    const bare = p.replace(/^\(+/, '');
    return bare.startsWith(`${base}.`) || bare === base || bare.startsWith(`${base} `);
  });
  return own.length > 0 ? own : parts;
}

interface CompactParam {
  type: string;
  expression?: string;
  target?: string[];
  components?: { code: string; type: string; expression: string }[];
  url: string;
}

const out: Record<string, Record<string, CompactParam>> = {};
for (const { resource: sp } of bundle.entry) {
  for (const base of sp.base) {
    const param: CompactParam = { type: sp.type, url: sp.url };
    if (sp.expression) param.expression = partsFor(sp.expression, base).join(' | ');
    if (sp.target) param.target = sp.target;
    if (sp.component) {
      param.components = sp.component.map((c) => {
        const def = byUrl.get(c.definition);
        if (!def) throw new Error(`composite ${sp.url}: unknown component ${c.definition}`);
        return { code: def.code, type: def.type, expression: c.expression };
      });
    }
    (out[base] ??= {})[sp.code] = param;
  }
}

const patientCompartment: Record<string, string[]> = {};
for (const r of compartment.resource) if (r.param && r.param.length > 0) patientCompartment[r.code] = r.param;

writeFileSync(
  'src/search/definitions/r4-search-parameters.json',
  JSON.stringify({ source: 'HL7 FHIR R4 4.0.1 search-parameters.json and CompartmentDefinition-patient (CC0)', parameters: out, patientCompartment }),
);
console.log(`wrote ${Object.values(out).reduce((n, p) => n + Object.keys(p).length, 0)} parameters for ${Object.keys(out).length} bases`);
