/**
 * Test results as patients read them: grouped by panel (a DiagnosticReport's results, or an
 * Observation's members), each with its value and unit, the reference range the laboratory
 * reported with it, whether it is in range, the clinician's comment, and the laboratory that
 * did it; and, per analyte, every result from every source in one unit for the trend chart.
 * Pure.
 *
 * @see https://hl7.org/fhir/R4/diagnosticreport.html
 * @see https://hl7.org/fhir/R4/observation.html#refrange
 */
import type { Resource } from '../../fhir/types.js';
import type { Explained, Glossary } from '../glossary/glossary.js';
import { analyteForCode, toCanonical, type Analyte } from './analytes.js';
import { clinicalDate, codeIn, codings, keyOf, list, obj, refKey, sourceOf, str, type Quantity, type Ref } from './fhir-values.js';
import { formatDate, formatNumber, isoDay } from './format.js';
import { sourceName, type SourceSystemInfo } from './sources.js';

const LOINC = 'http://loinc.org';

/** Where a value lies against its range. */
export type RangeStatus = 'in' | 'high' | 'low' | 'unknown';

/** One result row. */
export interface ResultRow {
  key: string;
  id: string;
  explained: Explained;
  valueText: string;
  rangeText?: string;
  range: RangeStatus;
  rangeWords: string;
  comment?: string;
  analyteKey?: string;
  date: string;
  time: number;
}

/** A panel (or a single result standing alone). */
export interface Panel {
  key: string;
  id: string;
  explained: Explained;
  date: string;
  dateIso?: string;
  time: number;
  lab?: string;
  sourceName: string;
  conclusion?: string;
  rows: ResultRow[];
  outOfRange: number;
}

const RANGE_WORDS: Readonly<Record<RangeStatus, string>> = { in: 'In range', high: 'Above range', low: 'Below range', unknown: 'No range given' };

interface Range {
  low?: number;
  high?: number;
  text?: string;
  unit?: string;
}

/** The first reference range of a result (the one that applies to the patient). */
export function referenceRange(o: Resource): Range | undefined {
  const r = list<{ low?: Quantity; high?: Quantity; text?: string }>(o.referenceRange)[0];
  if (!r) return undefined;
  const out: Range = {};
  if (typeof r.low?.value === 'number') out.low = r.low.value;
  if (typeof r.high?.value === 'number') out.high = r.high.value;
  if (r.text) out.text = r.text;
  const unit = r.low?.code ?? r.high?.code ?? r.low?.unit ?? r.high?.unit;
  if (unit) out.unit = unit;
  return out;
}

/** Where a value lies: from its range, else from the laboratory's flag. */
export function rangeStatus(o: Resource): RangeStatus {
  const q = obj<Quantity>(o.valueQuantity);
  const r = referenceRange(o);
  if (q && typeof q.value === 'number' && r && (r.low !== undefined || r.high !== undefined)) {
    // "<5" and ">90" compare by their bound: ">90" is above a range that ends at 60 or less.
    if (r.high !== undefined && q.value > r.high && q.comparator !== '<' && q.comparator !== '<=') return 'high';
    if (r.low !== undefined && q.value < r.low && q.comparator !== '>' && q.comparator !== '>=') return 'low';
    return 'in';
  }
  const flag = codings(list(o.interpretation)[0])[0]?.code;
  if (flag === 'H' || flag === 'HH' || flag === 'HU') return 'high';
  if (flag === 'L' || flag === 'LL' || flag === 'LU') return 'low';
  if (flag === 'N') return 'in';
  return 'unknown';
}

/** "52 mmol/mol", ">90 mL/min/1.73m2", or the text/coded value. */
export function valueText(o: Resource): string {
  const q = obj<Quantity>(o.valueQuantity);
  if (q && typeof q.value === 'number') return `${q.comparator ?? ''}${formatNumber(q.value, 3)}${q.unit ?? q.code ? ` ${q.unit ?? q.code}` : ''}`;
  if (typeof o.valueString === 'string') return o.valueString;
  const comps = list<{ code?: unknown; valueQuantity?: Quantity }>(o.component).filter((c) => typeof c.valueQuantity?.value === 'number');
  if (comps.length === 2 && comps.every((c) => c.valueQuantity?.unit === comps[0]!.valueQuantity?.unit)) {
    return `${comps.map((c) => formatNumber(c.valueQuantity!.value!, 1)).join('/')} ${comps[0]!.valueQuantity?.unit ?? ''}`.trim();
  }
  const coded = str(obj<{ text?: string }>(o.valueCodeableConcept)?.text) ?? codings(o.valueCodeableConcept)[0]?.display;
  return coded ?? 'No value recorded';
}

function rangeText(o: Resource): string | undefined {
  const r = referenceRange(o);
  if (!r) return undefined;
  if (r.text) return r.text;
  const unit = r.unit ? ` ${r.unit}` : '';
  if (r.low !== undefined && r.high !== undefined) return `${formatNumber(r.low)} to ${formatNumber(r.high)}${unit}`;
  if (r.high !== undefined) return `${formatNumber(r.high)}${unit} or less`;
  if (r.low !== undefined) return `${formatNumber(r.low)}${unit} or more`;
  return undefined;
}

function notes(r: Resource): string | undefined {
  const t = list<{ text?: string }>(r.note).map((n) => str(n.text)).filter(Boolean).join(' ');
  return t || undefined;
}

function performer(r: Resource): string | undefined {
  return list<Ref>(r.performer).map((p) => str(p.display)).find(Boolean);
}

/** The analyte of a result, when it is one the app can chart. */
export function analyteOf(o: Resource): Analyte | undefined {
  return analyteForCode(codeIn(o.code, LOINC));
}

function row(o: Resource, glossary: Glossary): ResultRow {
  const status = rangeStatus(o);
  const when = clinicalDate(o);
  const a = analyteOf(o);
  const out: ResultRow = {
    key: keyOf(o), id: o.id ?? '', explained: glossary.explain(o.code), valueText: valueText(o), range: status, rangeWords: RANGE_WORDS[status],
    date: formatDate(when), time: when?.getTime() ?? 0,
  };
  const rt = rangeText(o);
  if (rt) out.rangeText = rt;
  const c = notes(o);
  if (c) out.comment = c;
  if (a) out.analyteKey = a.key;
  return out;
}

/** Groups results into panels, newest first. `observations` and `reports` must already be filtered for visibility. */
export function panels(observations: readonly Resource[], reports: readonly Resource[], glossary: Glossary, directory: readonly SourceSystemInfo[]): Panel[] {
  const byKey = new Map(observations.map((o) => [keyOf(o), o]));
  const used = new Set<string>();
  const out: Panel[] = [];
  const panelOf = (container: Resource, members: Resource[], conclusion?: string): Panel => {
    const when = clinicalDate(container);
    const rows = members.map((m) => row(m, glossary));
    const p: Panel = {
      key: keyOf(container), id: container.id ?? '', explained: glossary.explain(container.code), date: formatDate(when), time: when?.getTime() ?? 0,
      sourceName: sourceName(sourceOf(container), directory), rows, outOfRange: rows.filter((r) => r.range === 'high' || r.range === 'low').length,
      ...(when ? { dateIso: isoDay(when) } : {}),
    };
    const lab = performer(container) ?? members.map(performer).find(Boolean);
    if (lab) p.lab = lab;
    const c = conclusion ?? notes(container);
    if (c) p.conclusion = c;
    return p;
  };
  for (const r of reports) {
    const members = list(r.result).map((x) => byKey.get(refKey(x) ?? '')).filter((o): o is Resource => !!o);
    members.forEach((m) => used.add(keyOf(m)));
    if (members.length > 0) out.push(panelOf(r, members, str(r.conclusion)));
  }
  for (const o of observations) {
    if (used.has(keyOf(o)) || list(o.hasMember).length === 0) continue;
    const members = list(o.hasMember).map((x) => byKey.get(refKey(x) ?? '')).filter((m): m is Resource => !!m && !used.has(keyOf(m)));
    used.add(keyOf(o));
    members.forEach((m) => used.add(keyOf(m)));
    if (members.length > 0) out.push(panelOf(o, members));
  }
  for (const o of observations) {
    if (!used.has(keyOf(o))) out.push(panelOf(o, [o]));
  }
  return out.sort((a, b) => b.time - a.time || a.key.localeCompare(b.key));
}

/** One point of a trend, in the analyte's canonical unit. */
export interface TrendPoint {
  key: string;
  time: number;
  date: string;
  value: number;
  valueText: string;
  /** The value as reported, when it was converted. */
  reported?: string;
  low?: number;
  high?: number;
  rangeText?: string;
  range: RangeStatus;
  rangeWords: string;
  lab?: string;
  sourceName: string;
}

/** Every result of `analyte` from every source, oldest first; results in units that cannot be converted are listed apart. */
export function trend(analyte: Analyte, observations: readonly Resource[], directory: readonly SourceSystemInfo[]): { points: TrendPoint[]; unconverted: ResultRow[] } {
  const points: TrendPoint[] = [];
  const unconverted: ResultRow[] = [];
  for (const o of observations) {
    if (analyteOf(o)?.key !== analyte.key) continue;
    const q = obj<Quantity>(o.valueQuantity);
    const when = clinicalDate(o);
    const unit = q?.code ?? q?.unit;
    const value = q && typeof q.value === 'number' ? toCanonical(analyte, q.value, unit) : undefined;
    if (value === undefined || !when) {
      unconverted.push({ key: keyOf(o), id: o.id ?? '', explained: { title: analyte.name, clinicalTerm: analyte.name, known: true }, valueText: valueText(o), range: rangeStatus(o), rangeWords: RANGE_WORDS[rangeStatus(o)], date: formatDate(when), time: when?.getTime() ?? 0 });
      continue;
    }
    const r = referenceRange(o);
    const rUnit = r?.unit ?? unit;
    const conv = (v: number | undefined) => (v === undefined ? undefined : toCanonical(analyte, v, rUnit));
    const status = rangeStatus(o);
    const p: TrendPoint = {
      key: keyOf(o), time: when.getTime(), date: formatDate(when), value,
      valueText: `${q?.comparator ?? ''}${formatNumber(value, analyte.decimals)} ${analyte.unitText}`,
      range: status, rangeWords: RANGE_WORDS[status], sourceName: sourceName(sourceOf(o), directory),
    };
    const low = conv(r?.low);
    const high = conv(r?.high);
    if (low !== undefined) p.low = low;
    if (high !== undefined) p.high = high;
    const rt = rangeText(o);
    if (rt) p.rangeText = rt;
    if ((unit ?? '').toLowerCase() !== analyte.unit.toLowerCase()) p.reported = valueText(o);
    const lab = performer(o);
    if (lab) p.lab = lab;
    points.push(p);
  }
  points.sort((a, b) => a.time - b.time || a.key.localeCompare(b.key));
  return { points, unconverted };
}
