/**
 * A long-term condition's own page: every diagnosis of it from every source, the medicines
 * prescribed for it, the tests that follow it (latest value, link to the chart) and the
 * appointments and hospital stays about it, with their notes and letters. Pure.
 */
import type { Resource } from '../../../fhir/types.js';
import { analyteByKey } from '../../model/analytes.js';
import { analytesForCondition } from '../../model/condition-links.js';
import { conceptKey, keyOf, list, obj, refKey } from '../../model/fhir-values.js';
import { byDateDescending, itemView, type ItemContext, type ItemView } from '../../model/record-items.js';
import { trend, type TrendPoint } from '../../model/results.js';

/** A test followed for the condition. */
export interface FollowedTest {
  key: string;
  name: string;
  latest?: TrendPoint;
  count: number;
}

/** The condition page. */
export interface ConditionModel {
  main: ItemView;
  diagnoses: ItemView[];
  medicines: ItemView[];
  tests: FollowedTest[];
  visits: ItemView[];
  documents: ItemView[];
}

/** Builds the page for condition `id`; undefined when the record has no such (visible) condition. */
export function conditionModel(id: string, byType: ReadonlyMap<string, readonly Resource[]>, ctx: ItemContext): ConditionModel | undefined {
  const conditions = byType.get('Condition') ?? [];
  const target = conditions.find((c) => c.id === id);
  if (!target) return undefined;
  const ckey = conceptKey(target.code);
  const same = conditions.filter((c) => c.id === id || (ckey !== undefined && conceptKey(c.code) === ckey));
  const keys = new Set(same.map(keyOf));
  const codes = new Set(same.map((c) => conceptKey(c.code)).filter(Boolean));
  const isAbout = (r: Resource) =>
    list(r.reasonReference).some((x) => keys.has(refKey(x) ?? '')) || list(r.reasonCode).some((c) => codes.has(conceptKey(c)));
  const medicines = [...(byType.get('MedicationRequest') ?? []), ...(byType.get('MedicationStatement') ?? [])].filter(isAbout);
  const visits = (byType.get('Encounter') ?? []).filter(isAbout);
  const visitKeys = new Set(visits.map(keyOf));
  const documents = (byType.get('DocumentReference') ?? []).filter((d) => list(obj<{ encounter?: unknown[] }>(d.context)?.encounter).some((e) => visitKeys.has(refKey(e) ?? '')));
  const observations = byType.get('Observation') ?? [];
  const tests: FollowedTest[] = analytesForCondition(ckey).map((k) => {
    const a = analyteByKey(k)!;
    const t = trend(a, observations, ctx.directory);
    const latest = t.points[t.points.length - 1];
    return { key: k, name: a.name, count: t.points.length, ...(latest ? { latest } : {}) };
  }).filter((t) => t.count > 0);
  const view = (r: Resource) => itemView(r, ctx);
  return {
    main: view(target),
    diagnoses: same.map(view).sort(byDateDescending),
    medicines: medicines.map(view).sort((a, b) => Number(!!b.isCurrent) - Number(!!a.isCurrent) || byDateDescending(a, b)),
    tests,
    visits: visits.map(view).sort(byDateDescending),
    documents: documents.map((d) => itemView(d, ctx, true)).sort(byDateDescending),
  };
}
