/**
 * String normalisation for search: FHIR string search is case- and accent-insensitive by default.
 * @see https://hl7.org/fhir/R4/search.html#string
 */

const COMBINING = /[\u0300-\u036f]/g;

/** Lower-cases and strips accents, so `Zoë` and `ZOE` both become `zoe`. */
export function normalizeString(value: string): string {
  return value.normalize('NFD').replace(COMBINING, '').toLowerCase();
}
