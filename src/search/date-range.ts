/**
 * The implicit range of a FHIR date, dateTime or instant: `2020` covers the whole year,
 * `2020-03-04T10:00` the whole minute. Ranges are half-open `[start, end)` in epoch milliseconds.
 *
 * @see https://hl7.org/fhir/R4/search.html#date
 * @see https://hl7.org/fhir/R4/datatypes.html#dateTime
 */

/** A half-open time range in epoch milliseconds. */
export interface TimeRange {
  start: number;
  end: number;
}

const DATE_RE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** Earliest and latest instants the server handles (open-ended periods use these). */
export const MIN_TIME = Date.UTC(1, 0, 1);
export const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Parses a FHIR date/dateTime/instant into its implicit range, or `undefined` when malformed.
 * Values without a time zone are taken as UTC, so the same text always means the same range.
 */
export function parseDateRange(text: string): TimeRange | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const year = Number(y);
  const month = mo ? Number(mo) : undefined;
  const day = d ? Number(d) : undefined;
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && (day < 1 || day > new Date(Date.UTC(year, month!, 0)).getUTCDate())) return undefined;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59))) return undefined;
  // A time must carry a zone in FHIR dateTime; be lenient in search values and assume UTC.
  let offsetMs = 0;
  if (tz && tz !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1;
    offsetMs = sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) * 60_000;
  }
  const mkUtc = (yy: number, mm: number, dd: number, hh = 0, mn = 0, ss = 0, ms = 0) => {
    const t = new Date(0);
    t.setUTCFullYear(yy, mm, dd);
    t.setUTCHours(hh, mn, ss, ms);
    return t.getTime();
  };
  if (month === undefined) return { start: mkUtc(year, 0, 1), end: mkUtc(year + 1, 0, 1) };
  if (day === undefined) return { start: mkUtc(year, month - 1, 1), end: mkUtc(year, month, 1) };
  if (h === undefined) return { start: mkUtc(year, month - 1, day), end: mkUtc(year, month - 1, day + 1) };
  const hh = Number(h);
  const mn = Number(mi);
  if (s === undefined) {
    const start = mkUtc(year, month - 1, day, hh, mn) - offsetMs;
    return { start, end: start + 60_000 };
  }
  const ss = Number(s);
  if (!frac) {
    const start = mkUtc(year, month - 1, day, hh, mn, ss) - offsetMs;
    return { start, end: start + 1000 };
  }
  // Fractions: the precision given defines the range (to the millisecond at most).
  const digits = Math.min(frac.length - 1, 3);
  const ms = Math.floor(Number(frac.slice(0, 4).padEnd(4, '0').slice(1)));
  const start = mkUtc(year, month - 1, day, hh, mn, ss, ms) - offsetMs;
  return { start, end: start + 10 ** (3 - digits) };
}
