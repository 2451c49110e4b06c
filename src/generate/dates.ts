/**
 * Date arithmetic for generated records, all in UTC so that output does not depend on the
 * machine's time zone. FHIR formats: `date` is `YYYY-MM-DD`, `dateTime`/`instant` here are
 * whole seconds with `Z`.
 *
 * @see https://hl7.org/fhir/R4/datatypes.html#dateTime
 */

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;
/** Days in an average year. */
export const YEAR_DAYS = 365.25;

/** `date` moved by a whole or fractional number of days. */
export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + Math.round(days * DAY_MS));
}

/** `date` moved by a number of years (of 365.25 days). */
export function addYears(date: Date, years: number): Date {
  return addDays(date, years * YEAR_DAYS);
}

/** The same day at `hour`:`minute` UTC. */
export function atTime(date: Date, hour: number, minute: number): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), hour, minute));
}

/** Midnight UTC of a calendar day (`month` 1–12). */
export function utcDay(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month - 1, day));
}

/** FHIR `date`: `YYYY-MM-DD`. */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** FHIR `dateTime`/`instant` to the second, UTC: `YYYY-MM-DDThh:mm:ssZ`. */
export function isoDateTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Fractional years from `from` to `to`. */
export function yearsBetween(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / (DAY_MS * YEAR_DAYS);
}

/** Whole years of age on `on` for someone born on `birth` (calendar rule, as people count birthdays). */
export function ageOn(birth: Date, on: Date): number {
  let age = on.getUTCFullYear() - birth.getUTCFullYear();
  const m = on.getUTCMonth() - birth.getUTCMonth();
  if (m < 0 || (m === 0 && on.getUTCDate() < birth.getUTCDate())) age--;
  return age;
}

/** The later of two dates. */
export function later(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

/** The earlier of two dates. */
export function earlier(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}
