/**
 * Normalisation of the demographics that record matching compares: names (case, accents,
 * punctuation, spacing) and UK postcodes (format, outward and inward code).
 *
 * @see https://www.gov.uk/government/publications/open-standards-for-government/uk-postcode-standard (format)
 */

const COMBINING = /[\u0300-\u036f]/g;

/**
 * A name reduced to lower-case letters and digits, words separated by single spaces: accents
 * removed (`Wiśniewski` → `wisniewski`), apostrophes and full stops dropped (`O'Brien` →
 * `obrien`), hyphens and other punctuation turned into spaces (`Ashworth-Jones` →
 * `ashworth jones`).
 */
export function normaliseName(value: string): string {
  return value
    .normalize('NFD')
    .replace(COMBINING, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/['’‘`.]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The words of a name after {@link normaliseName}: `Mary-Jane` → `['mary', 'jane']`. */
export function nameTokens(value: string): string[] {
  const n = normaliseName(value);
  return n === '' ? [] : n.split(' ');
}

/** A name as one comparison key, words joined: `da Silva` and `DASILVA` → `dasilva`. */
export function nameKey(value: string): string {
  return nameTokens(value).join('');
}

/** A UK postcode split into its parts. */
export interface Postcode {
  /** Canonical form: upper case, one space before the inward code (`LS6 2AB`). */
  readonly full: string;
  /** Area and district (`LS6`): a few thousand to tens of thousands of addresses. */
  readonly outward: string;
  /** Sector digit and unit letters (`2AB`). */
  readonly inward: string;
}

/**
 * UK postcode shapes without the space: A9 9AA, A99 9AA, A9A 9AA, AA9 9AA, AA99 9AA, AA9A 9AA,
 * and the special GIR 0AA.
 */
const POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?|GIR)([0-9][A-Z]{2})$/;

/**
 * Parses a postcode written any usual way (`ls62ab`, ` LS6  2AB `) into its parts, or
 * `undefined` when it does not have the UK shape.
 */
export function normalisePostcode(value: string): Postcode | undefined {
  const compact = value.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const m = POSTCODE.exec(compact);
  if (!m) return undefined;
  const outward = m[1]!;
  const inward = m[2]!;
  if (outward === 'GIR' && inward !== '0AA') return undefined;
  return { full: `${outward} ${inward}`, outward, inward };
}

/**
 * True for the NHS pseudo-postcodes of the ZZ99 district (`ZZ99 3VZ` no fixed abode, `ZZ99 3WZ`
 * address not known, `ZZ99 3CZ` England not otherwise specified, countries abroad): they say
 * where someone is not, so two records sharing one are no evidence of the same person.
 *
 * @see https://www.datadictionary.nhs.uk/attributes/postcode_of_usual_address.html
 */
export function isPseudoPostcode(postcode: Postcode): boolean {
  return postcode.outward === 'ZZ99';
}
