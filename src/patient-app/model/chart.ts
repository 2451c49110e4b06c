/**
 * A trend chart as plain geometry for a server-rendered SVG: each result a point (a circle when
 * in range, a diamond when out of range — shape as well as colour), each with its own
 * reference-range band (ranges differ by laboratory and date), a line through the points, and
 * axes with readable ticks. The template draws it; the page always has a table with the same
 * data. Pure.
 */
import type { TrendPoint } from './results.js';
import { formatNumber, formatShortDate } from './format.js';

/** Chart geometry. */
export interface ChartModel {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  yTicks: { y: number; label: string }[];
  xTicks: { x: number; label: string; anchor: 'start' | 'middle' | 'end' }[];
  bands: { x: number; y: number; width: number; height: number }[];
  points: { x: number; y: number; isOut: boolean; label: string; diamond: string }[];
  line: string;
  /** A sentence describing the chart for screen readers. */
  description: string;
}

const W = 640;
const H = 300;
const PLOT = { left: 56, top: 16, right: W - 16, bottom: H - 40 };

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
}

/** Builds the chart for points (oldest first) of one analyte. */
export function chartModel(points: readonly TrendPoint[], name: string, unitText: string, decimals: number): ChartModel {
  const values = points.flatMap((p) => [p.value, p.low, p.high].filter((v): v is number => v !== undefined));
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (!Number.isFinite(min)) {
    min = 0;
    max = 1;
  }
  if (max === min) {
    max += 1;
    min -= 1;
  }
  const step = niceStep(max - min, 5);
  const lo = Math.floor(min / step) * step - (min % step === 0 ? step * 0.5 : 0);
  const hi = Math.ceil(max / step) * step;
  const y = (v: number) => PLOT.bottom - ((v - lo) / (hi - lo)) * (PLOT.bottom - PLOT.top);
  const t0 = points[0]?.time ?? 0;
  const t1 = points[points.length - 1]?.time ?? 1;
  const span = t1 - t0 || 1;
  const inset = 16;
  const x = (t: number) => (points.length === 1 ? (PLOT.left + PLOT.right) / 2 : PLOT.left + inset + ((t - t0) / span) * (PLOT.right - PLOT.left - 2 * inset));
  const yTicks: ChartModel['yTicks'] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) yTicks.push({ y: round(y(v)), label: formatNumber(v, 2) });
  const xTicks: ChartModel['xTicks'] = [];
  const idx = points.length <= 3 ? points.map((_, i) => i) : [0, Math.floor((points.length - 1) / 2), points.length - 1];
  for (const i of idx) {
    // The outermost labels are anchored inwards so they are never cut off at the edges.
    const anchor = idx.length > 1 && i === 0 ? 'start' : idx.length > 1 && i === points.length - 1 ? 'end' : 'middle';
    xTicks.push({ x: round(x(points[i]!.time) + (anchor === 'start' ? -8 : anchor === 'end' ? 8 : 0)), label: formatShortDate(new Date(points[i]!.time)), anchor });
  }
  const bands = points.filter((p) => p.low !== undefined || p.high !== undefined).map((p) => {
    const top = y(Math.min(p.high ?? hi, hi));
    const bottom = y(Math.max(p.low ?? lo, lo));
    return { x: round(x(p.time) - 7), y: round(top), width: 14, height: round(Math.max(1, bottom - top)) };
  });
  const pts = points.map((p) => {
    const px = round(x(p.time));
    const py = round(y(p.value));
    return {
      x: px, y: py, isOut: p.range === 'high' || p.range === 'low',
      label: `${p.date}: ${p.valueText} (${p.rangeWords.toLowerCase()}${p.rangeText ? `, range ${p.rangeText}` : ''}), ${p.lab ?? p.sourceName}`,
      diamond: `M${px} ${round(py - 7)} L${round(px + 7)} ${py} L${px} ${round(py + 7)} L${round(px - 7)} ${py} Z`,
    };
  });
  const latest = points[points.length - 1];
  const outCount = points.filter((p) => p.range === 'high' || p.range === 'low').length;
  const description = latest
    ? `${name}: ${points.length} result${points.length === 1 ? '' : 's'} from ${points[0]!.date} to ${latest.date}, in ${unitText}. Latest ${formatNumber(latest.value, decimals)} (${latest.rangeWords.toLowerCase()}). ${outCount} outside the range the laboratory gave. The table below lists every result.`
    : `${name}: no results to chart.`;
  return { width: W, height: H, plot: PLOT, yTicks, xTicks, bands, points: pts, line: pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' '), description };
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
