/**
 * The independent implementation the differential test compares Tessera with: `@medplum/core`'s
 * in-memory search matcher (`matchesSearchRequest` over `parseSearchRequest`), loaded with the
 * official R4 StructureDefinitions and SearchParameters (see `fixtures/README.md`).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { globalSchema, indexSearchParameterBundle, indexStructureDefinitionBundle, matchesSearchRequest, parseFhirPath, parseSearchRequest } from '@medplum/core';
import type { SearchParameterResource } from './values.js';

type OracleResource = Parameters<typeof matchesSearchRequest>[0];
type DefinitionBundle = Parameters<typeof indexStructureDefinitionBundle>[0];

function fixture<T>(name: string): T {
  return JSON.parse(gunzipSync(readFileSync(new URL(`./fixtures/${name}`, import.meta.url))).toString('utf8')) as T;
}

let loaded = false;

/** Loads the R4 definitions into medplum's global schema (once per process). */
export function loadOracleDefinitions(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(fixture<DefinitionBundle>('r4-resource-structures.slim.json.gz'));
  indexSearchParameterBundle(fixture<Parameters<typeof indexSearchParameterBundle>[0]>('r4-search-parameters.slim.json.gz'));
  // Speed only: the matcher parses a parameter's FHIRPath for every resource it tests, and accepts
  // a parsed expression in its place, so give it each one parsed once. Its logic is untouched.
  for (const type of Object.values(globalSchema.types)) {
    for (const [code, sp] of Object.entries(type.searchParams ?? {})) {
      if (typeof sp.expression === 'string') type.searchParams![code] = { ...sp, expression: parseFhirPath(sp.expression) as never };
    }
  }
  loaded = true;
}

/** The oracle's answer: does `resource` match the search `url` (`Type?query`)? */
export function oracleMatches(resource: object, url: string): boolean {
  return matchesSearchRequest(resource as OracleResource, parseSearchRequest(url));
}

/** The oracle's matcher for one search `url`, parsed once (throws when the oracle cannot parse it). */
export function oracleMatcher(url: string): (resource: object) => boolean {
  const request = parseSearchRequest(url);
  return (resource) => matchesSearchRequest(resource as OracleResource, request);
}

/** Every SearchParameter the oracle was given, as in the bundle. */
export function oracleSearchParameters(): SearchParameterResource[] {
  return fixture<{ entry: { resource: SearchParameterResource }[] }>('r4-search-parameters.slim.json.gz').entry.map((e) => e.resource);
}
