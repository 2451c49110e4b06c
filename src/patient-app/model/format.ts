/**
 * How the app writes dates, NHS numbers and names for people (en-GB, UK time). Pure: the
 * current time is always passed in.
 *
 * @see https://service-manual.nhs.uk/content/numbers-measurements-dates-time
 */
import { formatNhsNumber } from '../../fhir/nhs-number.js';
import type { Resource } from '../../fhir/types.js';
import { list, str } from './fhir-values.js';

const DAY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
const DAY_TIME = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', hour12: true, timeZone: 'Europe/London' });
const SHORT = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/London' });

/** "3 May 2026" (NHS style: no leading zero, month in full). */
export function formatDate(d: Date | undefined): string {
  return d ? DAY.format(d) : 'Date not recorded';
}

/** "3 May 2026 at 2:05pm". */
export function formatDateTime(d: Date | undefined): string {
  if (!d) return 'Date not recorded';
  const parts = DAY_TIME.formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('day')} ${get('month')} ${get('year')} at ${get('hour')}:${get('minute')}${get('dayPeriod').toLowerCase().replace(/\s/g, '')}`;
}

/** "3 May 2026" in short month form, for chart axes and tables ("3 May 2026" → "3 May 2026"). */
export function formatShortDate(d: Date): string {
  return SHORT.format(d);
}

/** An ISO date (YYYY-MM-DD) in UK time, for `<time datetime>`. */
export function isoDay(d: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'Europe/London' }).format(d);
  return parts;
}

/** NHS number as 3 3 4 digits ("943 476 5919"), or the value as given when it is not valid. */
export function nhsNumberText(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return formatNhsNumber(value) ?? value;
}

/** A person's name for display: "Ann Smith" (official name first, prefixes left out). */
export function personName(r: Resource | undefined): string {
  const names = list<{ use?: string; text?: string; given?: string[]; family?: string }>(r?.name);
  const n = names.find((x) => x.use === 'official') ?? names[0];
  if (!n) return 'Name not recorded';
  const text = str(n.text) ?? [...(n.given ?? []), n.family ?? ''].join(' ').trim();
  return tidyCapitals(text || 'Name not recorded');
}

/** "SMITH" → "Smith" (laboratories hold surnames in capitals). */
function tidyCapitals(name: string): string {
  return name.replace(/\b([A-Z])([A-Z'\-]+)\b/g, (_m, a: string, b: string) => a + b.toLowerCase());
}

/** "1 item" / "3 items". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A number with at most `decimals` places and no trailing zeros ("5.20" → "5.2"). */
export function formatNumber(value: number, decimals = 2): string {
  const f = Number(value.toFixed(decimals));
  return String(f);
}
