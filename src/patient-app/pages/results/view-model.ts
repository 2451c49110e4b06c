/**
 * The test results pages: panels newest first (paged), the latest result of each charted test,
 * and one test's trend across every source with its chart and table. Pure.
 */
import type { Resource } from '../../../fhir/types.js';
import type { Glossary } from '../../glossary/glossary.js';
import { ANALYTES, type Analyte } from '../../model/analytes.js';
import { chartModel, type ChartModel } from '../../model/chart.js';
import { panels, trend, type Panel, type ResultRow, type TrendPoint } from '../../model/results.js';
import { sectionCoverage, type Coverage, type SourceSystemInfo } from '../../model/sources.js';

/** The latest result of a charted test. */
export interface LatestTest {
  analyte: Analyte;
  latest: TrendPoint;
  count: number;
}

/** The results list page. */
export interface ResultsModel {
  panels: Panel[];
  page: number;
  pages: number;
  latest: LatestTest[];
  coverage: Coverage;
  total: number;
}

const PAGE_SIZE = 10;

/** Builds the results list. */
export function resultsModel(observations: readonly Resource[], reports: readonly Resource[], updatedBySource: ReadonlyMap<string, Date>, glossary: Glossary, directory: readonly SourceSystemInfo[], page: number): ResultsModel {
  const all = panels(observations, reports, glossary, directory);
  const pages = Math.max(1, Math.ceil(all.length / PAGE_SIZE));
  const p = Math.min(Math.max(1, page), pages);
  const latest: LatestTest[] = [];
  for (const a of ANALYTES) {
    const t = trend(a, observations, directory);
    const last = t.points[t.points.length - 1];
    if (last) latest.push({ analyte: a, latest: last, count: t.points.length });
  }
  return {
    panels: all.slice((p - 1) * PAGE_SIZE, p * PAGE_SIZE), page: p, pages, latest, total: all.length,
    coverage: sectionCoverage([...reports, ...observations], updatedBySource, directory, 'test results', ['result', 'results']),
  };
}

/** One test's trend page. */
export interface TrendModel {
  analyte: Analyte;
  points: TrendPoint[];
  /** Newest first, for the table. */
  rows: TrendPoint[];
  unconverted: ResultRow[];
  chart: ChartModel;
  sources: string[];
}

/** Builds one test's trend. */
export function trendModel(analyte: Analyte, observations: readonly Resource[], directory: readonly SourceSystemInfo[]): TrendModel {
  const t = trend(analyte, observations, directory);
  return {
    analyte, points: t.points, rows: [...t.points].reverse(), unconverted: t.unconverted,
    chart: chartModel(t.points, analyte.name, analyte.unitText, analyte.decimals),
    sources: [...new Set(t.points.map((p) => p.lab ?? p.sourceName))],
  };
}
