/**
 * Builds the two definition files the differential test's oracle (`@medplum/core`) loads:
 * the R4 resource StructureDefinitions and the R4 SearchParameter bundle, cut down to the fields
 * medplum's FHIRPath engine and search matcher read, and gzipped.
 *
 * Usage:
 *   npx tsx test/differential/build-oracle-fixtures.ts <Bundle-resources.json> <Bundle-searchParams.json>
 *
 * Both inputs are in the npm package `hl7.fhir.r4.examples@4.0.1` (`package/…`), CC0-1.0.
 * See `fixtures/README.md`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';

interface ElementType { code?: string; extension?: { url: string; valueUrl?: string }[] }
interface Element {
  id?: string; path: string; sliceName?: string; min?: number; max?: string;
  base?: { path: string; min: number; max: string }; contentReference?: string; type?: ElementType[];
}
interface Sd { resourceType: string; name: string; url: string; type: string; kind: string; abstract?: boolean; snapshot: { element: Element[] } }
interface Sp {
  resourceType: string; id: string; url: string; code: string; base: string[]; type: string; expression?: string;
  target?: string[]; component?: unknown[]; modifier?: string[]; chain?: string[]; multipleOr?: boolean;
}

const FHIR_TYPE_EXT = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
const [resourcesPath, searchParamsPath] = process.argv.slice(2);
if (!resourcesPath || !searchParamsPath) throw new Error('usage: build-oracle-fixtures.ts <Bundle-resources.json> <Bundle-searchParams.json>');
const outDir = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures');

const resources = JSON.parse(readFileSync(resourcesPath, 'utf8')) as { entry: { resource: Sd }[] };
const sds = resources.entry
  .map((e) => e.resource)
  .filter((sd) => sd.resourceType === 'StructureDefinition' && sd.kind === 'resource')
  .map((sd) => ({
    resourceType: 'StructureDefinition', name: sd.name, url: sd.url, type: sd.type, kind: sd.kind, abstract: sd.abstract,
    snapshot: {
      element: sd.snapshot.element
        // Slices carry no type information the oracle needs (R4 core resources slice only extensions).
        .filter((el) => !el.sliceName && !(el.id ?? '').includes(':'))
        .map((el) => ({
          path: el.path, min: el.min, max: el.max,
          ...(el.base ? { base: { path: el.base.path, min: el.base.min, max: el.base.max } } : {}),
          ...(el.contentReference ? { contentReference: el.contentReference } : {}),
          // FHIRPath system types (`http://hl7.org/fhirpath/System.String`) carry the FHIR type in an extension.
          ...(el.type ? { type: el.type.map((t) => ({ code: t.extension?.find((x) => x.url === FHIR_TYPE_EXT)?.valueUrl ?? t.code })) } : {}),
        })),
    },
  }));
writeFileSync(path.join(outDir, 'r4-resource-structures.slim.json.gz'), gzipSync(JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: sds.map((resource) => ({ resource })) }), { level: 9 }));

const params = JSON.parse(readFileSync(searchParamsPath, 'utf8')) as { entry: { resource: Sp }[] };
const sps = params.entry
  .map((e) => e.resource)
  .filter((sp) => sp.resourceType === 'SearchParameter')
  .map((sp) => {
    const { resourceType, id, url, code, base, type, expression, target, component, modifier, chain, multipleOr } = sp;
    return JSON.parse(JSON.stringify({ resourceType, id, url, code, base, type, expression, target, component, modifier, chain, multipleOr })) as Sp;
  });
writeFileSync(path.join(outDir, 'r4-search-parameters.slim.json.gz'), gzipSync(JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: sps.map((resource) => ({ resource })) }), { level: 9 }));
console.log(`${sds.length} StructureDefinitions, ${sps.length} SearchParameters → ${outDir}`);
