/**
 * Differential testing of FHIR search (https://hl7.org/fhir/R4/search.html): a seeded generator
 * draws 2,000+ queries over every parameter type and modifier from a fixed set of Synthea patients
 * and official R4 examples; each runs against Tessera (every page) and against an independent
 * in-memory implementation, `@medplum/core` 4.5.2's `matchesSearchRequest(resource,
 * parseSearchRequest(url))`, over the same stored resources.
 *
 * - Tessera must return exactly what the R4 rules say (`spec-matcher.ts`) for every query.
 * - Every disagreement with the oracle must be explained by one of the named oracle mistakes in
 *   `oracle-disagreements.ts`, each with the spec text; the set of categories seen must be exactly
 *   that list, so a new kind of disagreement (or a stale rule) fails the test.
 * - Hostile values never produce a 500.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { ENGINES } from '../support/test-store.js';
import { loadDataSet, type StoredResource } from './data-set.js';
import { loadOracleDefinitions, oracleMatcher, oracleMatches, oracleSearchParameters } from './oracle.js';
import { explain, ORACLE_RULES } from './oracle-disagreements.js';
import { Catalog, Generator, queryUrl, type GenQuery } from './query-generator.js';
import { SpecMatcher, type ExpandedValueSet } from './spec-matcher.js';
import { tokenTerms } from './terms.js';
import { indexSearchParameters, searchParam, specValues } from './values.js';

const SEED = 20240601;
const QUERIES = 2200;

/** Tessera's whole result set, following `next` links with the largest page. */
async function tesseraIds(t: TestApp, q: GenQuery): Promise<{ status: number; ids: Set<string>; body?: unknown }> {
  const ids = new Set<string>();
  let url: string | undefined = `/fhir/${queryUrl(q)}&_count=1000`;
  while (url) {
    const res = await t.call('GET', url);
    if (res.status !== 200) return { status: res.status, ids, body: res.body };
    for (const e of res.body.entry ?? []) if (e.search?.mode === 'match') ids.add(e.resource.id);
    url = res.body.link?.find((l: { relation: string }) => l.relation === 'next')?.url.replace('http://tessera.test', '');
  }
  return { status: 200, ids };
}

/**
 * ValueSets for `:in` / `:not-in`, made from codes in the data (every other Condition code; the
 * whole CVX system for vaccines), stored in Tessera and expanded here for the spec matcher.
 */
function valueSetsFor(catalog: Catalog): { resources: StoredResource[]; expanded: ExpandedValueSet[]; uses: { url: string; type: string; code: string }[] } {
  const codes = new Map<string, { system: string; code: string }>();
  const conditionCode = searchParam('Condition', 'code')!;
  for (const r of catalog.byType.get('Condition') ?? []) {
    for (const t of tokenTerms(specValues(r, conditionCode))) if (t.system && !t.pipeless) codes.set(`${t.system}|${t.code}`, { system: t.system, code: t.code });
  }
  const picked = [...codes.values()].sort((a, b) => `${a.system}|${a.code}`.localeCompare(`${b.system}|${b.code}`)).filter((_, i) => i % 2 === 0);
  const bySystem = new Map<string, string[]>();
  for (const c of picked) bySystem.set(c.system, [...(bySystem.get(c.system) ?? []), c.code]);
  const conditions: StoredResource = {
    resourceType: 'ValueSet', id: 'diff-conditions', url: 'http://tessera.test/fhir/ValueSet/diff-conditions', status: 'active',
    compose: { include: [...bySystem].map(([system, cs]) => ({ system, concept: cs.map((code) => ({ code })) })) },
  };
  const vaccines: StoredResource = {
    resourceType: 'ValueSet', id: 'diff-vaccines', url: 'urn:tessera:diff:vaccines', status: 'active',
    compose: { include: [{ system: 'http://hl7.org/fhir/sid/cvx' }] },
  };
  return {
    resources: [conditions, vaccines],
    expanded: [
      { url: conditions.url as string, codes: picked },
      { url: vaccines.url as string, codes: [{ system: 'http://hl7.org/fhir/sid/cvx' }] },
    ],
    uses: [
      { url: conditions.url as string, type: 'Condition', code: 'code' },
      { url: 'ValueSet/diff-conditions', type: 'Condition', code: 'code' },
      { url: conditions.url as string, type: 'Encounter', code: 'reason-code' },
      { url: vaccines.url as string, type: 'Immunization', code: 'vaccine-code' },
    ],
  };
}

interface Outcome {
  queries: number;
  /** Queries where Tessera found something. */
  nonEmpty: number;
  agreements: number;
  /** Query URL → what Tessera got wrong against the spec. */
  specFailures: string[];
  /** Oracle disagreements nobody explained. */
  unexplained: string[];
  /** Rule → queries it explains. */
  categories: Map<string, number>;
  forms: Map<string, number>;
  hostile500: string[];
  /** Milliseconds spent loading, in Tessera, in the spec matcher and in the oracle. */
  timing: { load: number; tessera: number; spec: number; oracle: number };
}

/**
 * Loads the data on `engine`, runs every query and checks it. The oracle's verdicts do not depend
 * on the storage engine, so they are computed on the first engine only (`withOracle`); every
 * engine is checked against the spec rules.
 */
async function runDifferential(engine: (typeof ENGINES)[number], withOracle: boolean): Promise<{ outcome: Outcome; ms: number }> {
  const started = Date.now();
  const t = await createTestApp(engine);
  try {
    const t0 = Date.now();
    const loaded = await loadDataSet(t);
    const vs = valueSetsFor(new Catalog(loaded));
    for (const r of vs.resources) {
      const res = await t.call('PUT', `/fhir/ValueSet/${r.id}`, r);
      if (res.status >= 300) throw new Error(JSON.stringify(res.body));
      loaded.push(res.body as StoredResource);
    }
    const catalog = new Catalog(loaded);
    const queries = new Generator(catalog, SEED, vs.uses).generate(QUERIES);
    const spec = new SpecMatcher(catalog, vs.expanded, Date.now());
    const outcome: Outcome = { queries: queries.length, nonEmpty: 0, agreements: 0, specFailures: [], unexplained: [], categories: new Map(), forms: new Map(), hostile500: [], timing: { load: Date.now() - t0, tessera: 0, spec: 0, oracle: 0 } };
    const timed = <T>(key: keyof Outcome['timing'], f: () => T): T => {
      const s0 = performance.now();
      try {
        return f();
      } finally {
        outcome.timing[key] += performance.now() - s0;
      }
    };

    for (const q of queries) {
      const url = queryUrl(q);
      const form = q.form.replace(/^composite:.*/, 'composite');
      outcome.forms.set(form, (outcome.forms.get(form) ?? 0) + 1);
      const candidates = catalog.byType.get(q.resourceType) ?? [];
      const s0 = performance.now();
      const tess = await tesseraIds(t, q);
      outcome.timing.tessera += performance.now() - s0;
      if (tess.status !== 200) {
        outcome.specFailures.push(`${url} → ${tess.status} ${JSON.stringify(tess.body).slice(0, 300)}`);
        continue;
      }
      if (tess.ids.size > 0) outcome.nonEmpty++;
      const expected = timed('spec', () => new Set(candidates.filter((r) => spec.matches(r, q.params)).map((r) => r.id)));
      const onlyTessera = [...tess.ids].filter((id) => !expected.has(id));
      const missing = [...expected].filter((id) => !tess.ids.has(id));
      if (onlyTessera.length || missing.length) {
        outcome.specFailures.push(`${decodeURIComponent(url)}: Tessera also ${JSON.stringify(onlyTessera.slice(0, 5))} (${onlyTessera.length}), misses ${JSON.stringify(missing.slice(0, 5))} (${missing.length})`);
        continue;
      }
      if (!withOracle) continue;
      let oracle: Set<string> | undefined;
      let oracleError: string | undefined;
      try {
        oracle = timed('oracle', () => {
          const matches = oracleMatcher(url);
          return new Set(candidates.filter(matches).map((r) => r.id));
        });
      } catch (err) {
        oracleError = (err as Error).message;
      }
      const differing = oracle ? [...new Set([...tess.ids].filter((id) => !oracle!.has(id)).concat([...oracle].filter((id) => !tess.ids.has(id))))] : [...tess.ids];
      if (!oracleError && differing.length === 0) {
        outcome.agreements++;
        continue;
      }
      // Explain each resource the two disagree on by the first parameter where oracle and spec part.
      const reasons = new Set<string>();
      const byId = new Map(candidates.map((r) => [r.id, r]));
      for (const id of oracleError && differing.length === 0 ? [candidates[0]?.id ?? ''] : differing) {
        const r = byId.get(id);
        let reason: string | undefined;
        if (oracleError) reason = explain(r ?? candidates[0]!, q.params[0]![0], q.params[0]![1], oracleError);
        else {
          for (const [k, v] of q.params) {
            const o = oracleMatches(r!, `${q.resourceType}?${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
            if (o !== spec.matchesParam(r!, k, v)) {
              reason = explain(r!, k, v);
              break;
            }
          }
        }
        if (!reason) {
          outcome.unexplained.push(`${decodeURIComponent(url)} on ${id}${oracleError ? ` (oracle: ${oracleError})` : ''}`);
          break;
        }
        reasons.add(reason);
      }
      for (const reason of reasons) outcome.categories.set(reason, (outcome.categories.get(reason) ?? 0) + 1);
    }

    for (const q of new Generator(catalog, SEED).hostile()) {
      const res = await t.call('GET', `/fhir/${queryUrl(q)}`);
      if (![200, 400].includes(res.status) || !/^(Bundle|OperationOutcome)$/.test(res.body?.resourceType)) outcome.hostile500.push(`${q.resourceType}?${q.params[0]![0]}=${q.params[0]![1].slice(0, 40)} → ${res.status}`);
    }
    return { outcome, ms: Date.now() - started };
  } finally {
    await t.close();
  }
}

function timing(o: Outcome): string {
  return Object.entries(o.timing).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ');
}

function summary(engine: string, o: Outcome, ms: number, withOracle: boolean): string {
  if (!withOracle) {
    return `differential search on ${engine}: ${o.queries} queries (${o.nonEmpty} with results) checked against the R4 rules, ${o.specFailures.length} wrong (${(ms / 1000).toFixed(1)} s: ${timing(o)})`;
  }
  const lines = [
    `differential search on ${engine}: ${o.queries} queries (${o.nonEmpty} with results), ${o.agreements} agree with @medplum/core (${((100 * o.agreements) / o.queries).toFixed(1)}%), ` +
      `${o.queries - o.agreements} disagree, all explained: ${o.unexplained.length === 0 && o.specFailures.length === 0} (${(ms / 1000).toFixed(1)} s: ${timing(o)})`,
    ...[...o.categories].sort((a, b) => b[1] - a[1]).map(([name, n]) => `  ${String(n).padStart(4)}  ${name}`),
  ];
  return lines.join('\n');
}

describe.each(ENGINES)('search on %s: Tessera against @medplum/core (differential)', (engine) => {
  let result: { outcome: Outcome; ms: number };
  beforeAll(async () => {
    loadOracleDefinitions();
    indexSearchParameters(oracleSearchParameters());
    result = await runDifferential(engine, engine === ENGINES[0]);
    console.log(summary(engine, result.outcome, result.ms, engine === ENGINES[0]));
  }, 240_000);

  it('runs at least 2,000 queries over every kind of parameter', () => {
    expect(result.outcome.queries).toBeGreaterThanOrEqual(2000);
    // Values are drawn from the data, so most queries find something (and some nothing).
    expect(result.outcome.nonEmpty / result.outcome.queries).toBeGreaterThan(0.6);
    expect(result.outcome.nonEmpty).toBeLessThan(result.outcome.queries);
    const forms = [...result.outcome.forms.keys()];
    for (const kind of ['token:', 'string:', 'date:', 'number:', 'quantity:', 'reference:', 'uri:', 'composite', '_id', '_lastUpdated:', '_tag', '_profile', '_has', '_list']) {
      expect(forms.some((f) => f.startsWith(kind)), kind).toBe(true);
    }
  });

  it('returns exactly what the R4 search rules say, for every query', () => {
    expect(result.outcome.specFailures).toEqual([]);
  });

  if (engine === ENGINES[0]) {
    it('disagrees with the oracle only in the listed, spec-justified ways', () => {
      expect(result.outcome.unexplained).toEqual([]);
      expect([...result.outcome.categories.keys()].sort()).toEqual(ORACLE_RULES.map((r) => r.name).sort());
    });
  }

  it('never answers 500 to hostile values', () => {
    expect(result.outcome.hostile500).toEqual([]);
  });
});
