/**
 * The data the differential test searches: a fixed, varied subset of the Synthea demo patients
 * and the official R4 examples in `test/fixtures/r4-examples/`, loaded through Tessera's import
 * and REST API, then read back as stored (server ids, rewritten references, `meta`) so the oracle
 * sees exactly what Tessera searches.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { importFile } from '../../src/cli/import-files.js';
import { exportResources } from '../../src/store/export.js';
import type { TestApp } from '../support/test-app.js';

/**
 * Chosen for variety (`demo/synthea/index.tsv`): an infant, children, adults and the very old;
 * both genders; four deceased; a name with an apostrophe (O'Connell), one with a space
 * (Maria Eugenia); 61 to 348 entries each, about 1,700 resources in all.
 */
export const SYNTHEA_BUNDLES = [
  'Luigi_Wiegand_e27d88b0-c5e5-4042-ad49-184f6a900ee3',
  'Shavonne_Schaefer_e37f11b3-2f8f-4cba-bda7-d93091348d14',
  'Gerardo_Botello_979e317d-076b-42e4-b33c-c323229d2081',
  'Maria_Eugenia_Medina_54ed4123-8908-4d62-aef5-0ef79230ec73',
  "Freda_O'Connell_00347da0-395c-40ed-ae52-96f1587480b5",
  'Willia_Runolfsdottir_074c3873-c476-40e3-8046-f67372eb5e05',
  'Garrett_Thompson_5a72e290-8102-4c8a-84f7-f838387508b2',
  'Chet_Thompson_eda17701-070d-4fae-9f7d-c8cd6263b63a',
  'Michele_Wolf_9fd25274-3a7d-43d4-87af-a03849074b5a',
  'Paris_Jaskolski_37d40109-b1a6-46ca-b4c8-0da1c8fb2d57',
];

const SYNTHEA_DIR = new URL('../../demo/synthea/', import.meta.url);
const EXAMPLES_DIR = new URL('../fixtures/r4-examples/', import.meta.url);

/** A resource as stored by Tessera. */
export interface StoredResource {
  resourceType: string;
  id: string;
  [key: string]: unknown;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

function contentKey(r: StoredResource, idKey: (id: string) => string): string {
  // The import's own Provenance records when it ran.
  const { id: _id, meta: _meta, recorded: _recorded, ...rest } = r;
  return createHash('sha1').update(`${r.resourceType} ${JSON.stringify(rest).replace(UUID, idKey)}`).digest('hex');
}

/**
 * Resources in an order that does not depend on the ids the server assigned (random UUIDs on
 * import), so the seeded generator draws the same queries on every run and engine: by content,
 * with each server id replaced by the content key of the resource it names.
 */
export function canonicalOrder(resources: StoredResource[]): StoredResource[] {
  const first = new Map(resources.map((r) => [r.id, contentKey(r, () => '#')]));
  const keyed = resources.map((r) => [`${contentKey(r, (id) => first.get(id) ?? '#')}${first.get(r.id)}`, r] as const);
  return keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, r]) => r);
}

/** Loads the data set into `t` and returns every stored resource. */
export async function loadDataSet(t: TestApp): Promise<StoredResource[]> {
  for (const name of SYNTHEA_BUNDLES) {
    const res = await importFile(t.store, new URL(`${name}.json.gz`, SYNTHEA_DIR).pathname, 'http://tessera.test/fhir');
    if (res.error || res.failed > 0) throw new Error(`${name}: ${res.error ?? `${res.failed} failed`}`);
  }
  // Examples go in through the REST API under their own ids (bundles as Bundle resources), as
  // transactions of PUTs.
  const examples = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort()
    .map((file) => JSON.parse(readFileSync(new URL(file, EXAMPLES_DIR), 'utf8')) as StoredResource);
  await putAll(t, examples);
  await label(t, canonicalOrder(await readBack(t)));
  return readBack(t);
}

/**
 * Few examples carry meta.tag, meta.security or meta.profile, so every 37th resource is updated
 * through the API with a tag (one of three), a security label and a profile, to give `_tag`,
 * `_security` and `_profile` something to find.
 */
async function label(t: TestApp, resources: StoredResource[]): Promise<void> {
  const labelled: StoredResource[] = [];
  for (const [i, r] of resources.entries()) {
    if (i % 37 !== 0 || r.resourceType === 'Bundle') continue;
    const meta = (r.meta ?? {}) as Record<string, unknown[] | undefined>;
    labelled.push({
      ...r,
      meta: {
        ...meta,
        tag: [...(meta.tag ?? []), { system: 'urn:tessera:diff', code: `group-${i % 3}` }],
        security: [...(meta.security ?? []), { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: i % 2 ? 'R' : 'N' }],
        profile: [...(meta.profile ?? []), `http://tessera.test/fhir/StructureDefinition/diff-${r.resourceType}`],
      },
    });
  }
  await putAll(t, labelled);
}

/** PUTs `resources` under their ids, 50 to a transaction (https://hl7.org/fhir/R4/http.html#transaction). */
async function putAll(t: TestApp, resources: StoredResource[]): Promise<void> {
  for (let i = 0; i < resources.length; i += 50) {
    const entry = resources.slice(i, i + 50).map((resource) => ({
      fullUrl: `http://tessera.test/fhir/${resource.resourceType}/${resource.id}`,
      resource,
      request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
    }));
    const res = await t.call('POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry });
    if (res.status >= 300) throw new Error(`transaction: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  }
}

/** Every current resource, as stored. */
export async function readBack(t: TestApp): Promise<StoredResource[]> {
  const out: StoredResource[] = [];
  for await (const r of exportResources(t.db, [])) out.push(JSON.parse(r.json) as StoredResource);
  return out;
}
