/**
 * Where `@medplum/core` 4.5.2's in-memory matcher (the oracle) departs from the R4 search
 * specification, each with the spec text that shows Tessera's answer is the right one. The
 * differential test explains every disagreement with the oracle by exactly one of these rules,
 * and fails on any it cannot explain. (Tessera's own answers are checked separately against
 * `spec-matcher.ts`.)
 */
import type { StoredResource } from './data-set.js';
import { parseKey } from './spec-matcher.js';
import { tokenTerms, tokenTexts } from './terms.js';
import { paramValues, searchParam, specValues } from './values.js';

/** A named disagreement category. */
export interface OracleRule {
  name: string;
  /** What the oracle does. */
  oracle: string;
  /** The R4 text (https://hl7.org/fhir/R4/search.html unless stated) that Tessera follows. */
  spec: string;
}

const R4 = 'https://hl7.org/fhir/R4/search.html';

export const ORACLE_RULES: OracleRule[] = [
  {
    name: 'oracle-fhirpath-as-ignores-type',
    oracle: "medplum's FHIRPath `as(T)` function returns its input unfiltered, so e.g. Condition `onset-age` (`Condition.onset.as(Age)`) finds an onsetDateTime, and `onset-info` (`.as(string)`) finds dates.",
    spec: 'FHIRPath (https://hl7.org/fhirpath/N1/#as-type-specifier): "If the left operand is a collection with a single item and the second operand is an identifier, this operator returns the value of the left operand if it is of the type specified in the second operand, or a subclass thereof. … Otherwise, this operator returns the empty collection." The R4 search parameter expressions rely on it to select one choice type.',
  },
  {
    name: 'oracle-rejects-hour-minute-times',
    oracle: 'Rejects date values with hours and minutes but no seconds (e.g. `2013-01-14T10:00Z`) with "Invalid format for date search parameter".',
    spec: `${R4}#date: "the minutes SHALL be present if an hour is present … Note: Time can consist of hours and minutes with no seconds, unlike the XML Schema dateTime type."`,
  },
  {
    name: 'oracle-no-number-or-quantity',
    oracle: 'Has no matcher for number and quantity parameters: every value query is false.',
    spec: `${R4}#number: "[parameter]=100 Values that equal 100, to 3 significant figures precision, so this is actually searching for values in the range [99.5 ... 100.5)"; #quantity: "[parameter]=[prefix][number]|[system]|[code] matches a quantity with the given unit"; "5.4||mg … where the unit - either the code (code) or the stated human unit (unit) are \\"mg\\"".`,
  },
  {
    name: 'oracle-no-composite',
    oracle: 'Throws "Unrecognized search parameter type: composite".',
    spec: `${R4}#composite: "a resource may also specify composite parameters that take sequences of single values that match other defined parameters as an argument … These sequences are formed by joining the single values with a $."`,
  },
  {
    name: 'oracle-no-chaining',
    oracle: 'A key with a `.` (a chain) never matches.',
    spec: `${R4}#chaining: "reference parameters may be \\"chained\\" by appending them with a period (.) followed by the name of a search parameter defined for the target resource."`,
  },
  {
    name: 'oracle-no-reverse-chaining',
    oracle: '`_has` never matches.',
    spec: `${R4}#has: "GET [base]/Patient?_has:Observation:patient:code=1234-5 … return Patient resources, where the patient resource is referred to by at least one Observation where the observation has a code of 1234".`,
  },
  {
    name: 'oracle-no-list',
    oracle: '`_list` is an unknown parameter: never matches.',
    spec: `${R4}#list: "GET [base]/Patient?_list=42 … returns all Patient resources that are referenced from the list found at [base]/List/42 in List.entry.item."`,
  },
  {
    name: 'oracle-binary-has-no-parameters',
    oracle: 'Gives Binary no search parameters at all, not even `_id`.',
    spec: `${R4}#all: "The following parameters apply to all resources: _content, _id, _lastUpdated, _profile, _query, _security, _source, _tag." and "Servers are not required to implement any of the standard search parameters (except for the _id parameter described above)".`,
  },
  {
    name: 'date-eq-ne-is-containment',
    oracle: '`eq` and `ne` (and no prefix) test overlap of the ranges, with inclusive ends compared strictly, so an instant at the very start of the search range does not match `eq` and a day overlapping a month boundary matches the month.',
    spec: `${R4}#prefix: "eq — the range of the search value fully contains the range of the target value"; "ne — the range of the search value does not fully contain the range of the target value"; #date: "[parameter]=eq2013-01-14: 2013-01-14T00:00 matches (obviously)".`,
  },
  {
    name: 'oracle-month-end-overflows',
    oracle: 'Ends a month-precision search value on day 31 of every month, which JavaScript rolls into the next month: `2017-02` ends on 3 March, `1928-06` on 1 July.',
    spec: `${R4}#date: "Dates with the year and month are equivalent to an interval that starts at the first instant of the first day of the month and ends on the last instant of the last day of the month, e.g. 2000-04 is equivalent to an interval of [2000-04-01T00:00, 2000-04-30T23:59]."`,
  },
  {
    name: 'date-ap-is-approximate',
    oracle: '`ap` tests plain overlap (and misses an instant at the start of the range).',
    spec: `${R4}#prefix: "ap — the value for the parameter in the resource is approximately the same to the provided value. Note that the recommended value for the approximation is 10% of the stated value (or for a date, 10% of the gap between now and the date)". Tessera widens by that 10% (at least a day).`,
  },
  {
    name: 'date-ne-needs-a-value',
    oracle: '`ne` matches resources with no value for the parameter at all.',
    spec: `${R4}#prefix: "ne — the value for the parameter in the resource is not equal to the provided value": a resource without a value has nothing to compare; finding those is what ":missing" is for (#modifiers: "Searching for gender:missing=true will return all the resources that don't have a value for the gender parameter").`,
  },
  {
    name: 'string-default-starts-with',
    oracle: 'Matches a string anywhere (substring) in the formatted whole value (e.g. "Ann Zoë-Smith" for a HumanName), and does not ignore accents.',
    spec: `${R4}#string: "By default, a field matches a string query if the value of the field equals or starts with the supplied parameter value, after both have been normalized by case and combining characters." and "When a string search parameter refers to the types HumanName and Address, the search covers the elements of type string".`,
  },
  {
    name: 'string-exact-is-exact',
    oracle: 'Ignores `:exact`: matches a case-insensitive substring.',
    spec: `${R4}#string: "The :exact modifier returns results that match the entire supplied parameter, including casing and accents." and "[base]/Patient?given:exact=Eve … would not include patients with the given name \\"eve\\" or \\"EVE\\"."`,
  },
  {
    name: 'token-display-is-not-a-code',
    oracle: 'Indexes CodeableConcept.text, Coding.display and Identifier.type.text as codes without a system, so `code=Heart rate` or `|inpatient` match the display text.',
    spec: `${R4}#token: "[parameter]=[code]: the value of [code] matches a Coding.code or Identifier.value irrespective of the value of the system property"; "[parameter]=|[code]: the value of [code] matches a Coding.code or Identifier.value, and the Coding/Identifier has no system property".`,
  },
  {
    name: 'token-text-is-a-string-search',
    oracle: '`:text` is treated as a plain (case-insensitive, whole-value) token match against codes and texts alike.',
    spec: `${R4}#token: ":text — The search parameter is processed as a string that searches text associated with the code/value - either CodeableConcept.text, Coding.display, or Identifier.type.text. In this case, the search functions as a normal string search".`,
  },
  {
    name: 'oracle-no-of-type',
    oracle: 'Ignores `:of-type`: compares `system|code|value` as one token.',
    spec: `${R4}#token: ":of-type — The search parameter has the format system|code|value, where the system and code refer to a Identifier.type.coding.system and .code, and match if any of the type codes match. All 3 parts must be present".`,
  },
  {
    name: 'oracle-no-in-not-in',
    oracle: 'Ignores `:in` / `:not-in`: compares the ValueSet URL as a code.',
    spec: `${R4}#token: ":in — The search parameter is a URI (relative or absolute) that identifies a value set, and the search parameter tests whether the coding is in the specified value set. … If the server can treat the reference as a literal URL, it does, else it tries to match known logical ValueSet.url values."`,
  },
  {
    name: 'reference-logical-id',
    oracle: 'Compares the search value with the reference text, so `subject=123` and `subject:Patient=123` never match `Patient/123`.',
    spec: `${R4}#reference: "[parameter]=[id] the logical [id] of a resource using a local reference (i.e. a relative reference)"; "GET [base]/Observation?subject:Patient=23 This has the same effect as the previous search".`,
  },
  {
    name: 'reference-absolute-url',
    oracle: 'An absolute URL on this server does not match the same reference written relatively.',
    spec: `${R4}#reference: "A relative reference resolving to the same value as a specified absolute URL, or vice versa, qualifies as a match. … searching for reference=http://example.org/fhir/Patient/123 will also match both references."`,
  },
  {
    name: 'reference-identifier',
    oracle: 'Ignores `:identifier`: compares `system|value` with the reference text.',
    spec: `${R4}#reference: "The modifier :identifier allows for searching by the identifier rather than the literal reference … When the :identifier modifier is used, the search value works as a token search."`,
  },
  {
    name: 'uri-exact-match',
    oracle: 'Matches a uri anywhere (case-insensitive substring).',
    spec: `${R4}#uri: "By default, matches are precise (e.g. case, accent, and escape) sensitive, and the entire URI must match."`,
  },
  {
    name: 'uri-above-below',
    oracle: 'Ignores `:above` and `:below`.',
    spec: `${R4}#uri: "The modifier :above or :below can be used to indicate that partial matching is used … url:below=http://acme.org/fhir/ … will return any value sets that have a URL that starts with \\"http://acme.org/fhir/\\" … The third line shows the converse".`,
  },
];

const RULE_NAMES = new Set(ORACLE_RULES.map((r) => r.name));

function rule(name: string): string {
  if (!RULE_NAMES.has(name)) throw new Error(`unknown rule ${name}`);
  return name;
}

/**
 * Why the oracle answered `oracleSaid` for one parameter of a query on `resource`, where the
 * spec says the opposite; `undefined` when no rule explains it.
 */
export function explain(resource: StoredResource, key: string, value: string, oracleError?: string): string | undefined {
  if (oracleError?.includes('Invalid format for date')) return rule('oracle-rejects-hour-minute-times');
  if (oracleError?.includes('composite')) return rule('oracle-no-composite');
  if (oracleError) return undefined;
  const k = parseKey(key);
  if (k.kind === 'chain') return rule('oracle-no-chaining');
  if (k.kind === 'has') return rule('oracle-no-reverse-chaining');
  if (k.kind === 'list') return rule('oracle-no-list');
  if (resource.resourceType === 'Binary') return rule('oracle-binary-has-no-parameters');
  const prefix = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)(?=\d)/.exec(value)?.[1] ?? 'eq';
  if (k.kind === 'lastUpdated') return datePrefixRule(prefix, value);
  if (k.kind !== 'param') return undefined;
  const def = searchParam(resource.resourceType, k.code);
  if (!def) return undefined;
  if (JSON.stringify(paramValues(resource, def)) !== JSON.stringify(specValues(resource, def))) return rule('oracle-fhirpath-as-ignores-type');
  const values = specValues(resource, def);
  switch (def.type) {
    case 'number':
    case 'quantity':
      return rule('oracle-no-number-or-quantity');
    case 'composite':
      return rule('oracle-no-composite');
    case 'date':
      if (prefix === 'ne' && values.length === 0) return rule('date-ne-needs-a-value');
      return datePrefixRule(prefix, value);
    case 'string':
      if (k.modifier === 'exact') return rule('string-exact-is-exact');
      return k.modifier ? undefined : rule('string-default-starts-with');
    case 'uri':
      if (k.modifier === 'above' || k.modifier === 'below') return rule('uri-above-below');
      return k.modifier ? undefined : rule('uri-exact-match');
    case 'reference':
      if (k.modifier === 'identifier') return rule('reference-identifier');
      if (k.modifier && /^[A-Z]/.test(k.modifier)) return rule('reference-logical-id');
      if (/^[A-Za-z0-9\-.]{1,64}$/.test(value)) return rule('reference-logical-id');
      if (value.startsWith('http://tessera.test/fhir/')) return rule('reference-absolute-url');
      return undefined;
    case 'token': {
      if (k.modifier === 'text') return rule('token-text-is-a-string-search');
      if (k.modifier === 'of-type') return rule('oracle-no-of-type');
      if (k.modifier === 'in' || k.modifier === 'not-in') return rule('oracle-no-in-not-in');
      // The oracle matched (or, with :not, excluded) through a display or text it took for a code
      // without a system: the search value has no system (`code` or `|code`) and equals a text.
      const texts = tokenTexts(values).map((x) => x.toLowerCase());
      const viaText = value.split(',').some((v) => {
        const [system, code] = v.includes('|') ? v.split('|') : [undefined, v];
        const lower = code!.toLowerCase();
        // Not a code that differs only in case: that would be a case-sensitivity question instead.
        const caseOnly = tokenTerms(values).some((t) => t.code !== code && t.code.toLowerCase() === lower);
        return !system && texts.includes(lower) && !caseOnly;
      });
      return viaText ? rule('token-display-is-not-a-code') : undefined;
    }
    default:
      return undefined;
  }
}

function datePrefixRule(prefix: string, value: string): string | undefined {
  if (prefix === 'eq' || prefix === 'ne') return rule('date-eq-ne-is-containment');
  if (prefix === 'ap') return rule('date-ap-is-approximate');
  const month = /^(?:[a-z]{2})?(\d{4})-(\d{2})$/.exec(value);
  if (month && new Date(Date.UTC(Number(month[1]), Number(month[2]), 0)).getUTCDate() < 31) return rule('oracle-month-end-overflows');
  return undefined;
}
