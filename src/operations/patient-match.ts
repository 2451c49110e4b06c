/**
 * `POST [base]/Patient/$match`: finds the stored Patient records that may be the person
 * described by a Patient resource, graded `certain`, `probable` or `possible`, best first.
 *
 * Candidates come from a few selective indexed searches, each capped (see
 * {@link candidateSearches}): the NHS number; the birth date, with day and month swapped and a
 * year either side; the postcode. Each candidate is then scored in memory by `matching/` (see its
 * README for the model and thresholds).
 *
 * @see https://hl7.org/fhir/R4/patient-operation-match.html
 * @see https://hl7.org/fhir/R4/extension-match-grade.html
 */
import { NHS_NUMBER_SYSTEM } from '../fhir/nhs-number.js';
import { badRequest, invalid, methodNotAllowed, notFound, unsupportedMediaType } from '../fhir/outcome.js';
import { isObject, type OperationOutcome, type OperationOutcomeIssue, type Resource } from '../fhir/types.js';
import { validateResource } from '../fhir/validation/index.js';
import { demographicsOf, scoreDemographics, type Demographics, type MatchGrade, type MatchResult } from '../matching/index.js';
import { parseSearch } from '../search/parse-search.js';
import type { FhirStore } from '../store/fhir-store.js';

/** The extension that carries a match's grade on `Bundle.entry.search`. */
export const MATCH_GRADE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/match-grade';
/** The R4 OperationDefinition this implements. */
export const MATCH_OPERATION_DEFINITION = 'http://hl7.org/fhir/OperationDefinition/Patient-match';
/** Matches returned when the request gives no `count`. */
export const DEFAULT_MATCH_COUNT = 10;
/** The most matches one request returns. */
export const MAX_MATCH_COUNT = 100;

/**
 * Most candidates read per search: bounds the work whatever the data (a postcode with more than
 * 100 patients is a care home or a placeholder).
 */
const CANDIDATE_CAPS = { nhsNumber: 20, birthDate: 100, postcode: 100, name: 100 } as const;

/**
 * The request an operation handler receives: structurally the router's `FhirRequest`
 * (operations do not import `http/`).
 */
export interface MatchRequest {
  method: string;
  query: [string, string][];
  headers: Record<string, string | undefined>;
  body?: unknown;
  baseUrl: string;
}

/** The response an operation handler returns: structurally the router's `FhirResponse`. */
export interface MatchResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/** The operation's inputs. */
export interface MatchInput {
  /** The Patient to find. */
  readonly patient: Resource;
  /** Return only `certain` matches, and none when they are not all the same person. */
  readonly onlyCertainMatches: boolean;
  /** At most this many matches. */
  readonly count: number;
}

/** One stored record that may be the person sought. */
export interface PatientMatch {
  readonly id: string;
  /** The stored Patient as JSON text, exactly as served. */
  readonly json: string;
  readonly resource: Resource;
  readonly result: MatchResult;
}

/** What {@link findMatches} returns. */
export interface MatchOutcome {
  readonly matches: readonly PatientMatch[];
  /** Set when `onlyCertainMatches` withheld several certain matches that are not linked as one person. */
  readonly ambiguous?: number;
  /** How many NHS numbers in the input failed validation and were not used. */
  readonly invalidNhsNumbers: number;
}

/** What the operation needs from the store. */
export type MatchStore = Pick<FhirStore, 'registry' | 'search'>;

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const RANK: Readonly<Record<MatchGrade, number>> = { certain: 3, probable: 2, possible: 1, 'certainly-not': 0 };

/** Escapes what search values treat as syntax (https://hl7.org/fhir/R4/search.html#escaping). */
function searchValue(text: string): string {
  return text.replace(/[\\,|$]/g, (c) => `\\${c}`);
}

/**
 * Reads and checks the Parameters body of `$match`. Throws a 400 OperationOutcome whose
 * expression names the offending parameter (`Parameters.parameter[1].valueInteger`).
 */
export function parseMatchParameters(body: unknown): MatchInput {
  if (body === undefined) throw badRequest('$match takes a Parameters body with the Patient to match in `resource`', 'Parameters');
  if (typeof body === 'string') throw unsupportedMediaType('Send the Parameters as application/fhir+json');
  if (!isObject(body) || body['resourceType'] !== 'Parameters') throw badRequest('The body of $match must be a Parameters resource', 'Parameters');
  const issues = validateResource(body);
  if (issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) throw invalid(issues);
  const params = Array.isArray(body['parameter']) ? (body['parameter'] as unknown[]) : [];
  let patient: Resource | undefined;
  let patientAt = 'Parameters.parameter';
  let onlyCertainMatches: boolean | undefined;
  let count: number | undefined;
  const seen = new Set<string>();
  params.forEach((raw, i) => {
    const at = `Parameters.parameter[${i}]`;
    const p = raw as Record<string, unknown>;
    const name = p['name'] as string;
    if (seen.has(name)) throw badRequest(`Parameter '${name}' is given more than once`, `${at}.name`);
    seen.add(name);
    if (name === 'resource') {
      const r = p['resource'];
      if (!isObject(r) || r['resourceType'] !== 'Patient') throw badRequest('resource must be a Patient', `${at}.resource`);
      patient = r as Resource;
      patientAt = `${at}.resource`;
    } else if (name === 'onlyCertainMatches') {
      if (typeof p['valueBoolean'] !== 'boolean') throw badRequest('onlyCertainMatches must be a valueBoolean', `${at}.valueBoolean`);
      onlyCertainMatches = p['valueBoolean'];
    } else if (name === 'count') {
      const v = p['valueInteger'];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw badRequest('count must be a valueInteger of 1 or more', `${at}.valueInteger`);
      count = Math.min(v, MAX_MATCH_COUNT);
    } else {
      throw badRequest(`Unknown parameter '${name}' for $match (resource, onlyCertainMatches, count)`, `${at}.name`);
    }
  });
  if (patient === undefined) throw badRequest('resource (the Patient to match) is required', 'Parameters.parameter');
  const d = demographicsOf(patient);
  if (d.nhsNumbers.length === 0 && d.names.length === 0 && d.birthDate === undefined) {
    throw badRequest('The Patient has nothing to match on: give a valid NHS number, a name or a birth date', patientAt);
  }
  return { patient, onlyCertainMatches: onlyCertainMatches ?? false, count: count ?? DEFAULT_MATCH_COUNT };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * The candidate searches for `patient`: query pairs and how many results each may read. Each is
 * one selective index lookup (a search that intersects two broad sets, such as surname prefix
 * and birth year, cost 17–60 ms at 160,000 Patients on PGlite, so it is used only when there is
 * no full birth date to search on):
 * - each valid NHS number;
 * - the birth date, with day and month swapped, and on the same day a year either side (one search);
 * - the postcode;
 * - without a full birth date: surname with first name, or surname within the birth year.
 */
export function candidateSearches(patient: Resource, d: Demographics = demographicsOf(patient)): { query: [string, string][]; cap: number }[] {
  const searches: { query: [string, string][]; cap: number }[] = [];
  for (const n of d.nhsNumbers.slice(0, 3)) searches.push({ query: [['identifier', `${NHS_NUMBER_SYSTEM}|${n.value}`]], cap: CANDIDATE_CAPS.nhsNumber });
  const b = d.birthDate;
  if (b?.month !== undefined && b.day !== undefined) {
    const date = (y: number, m: number, day: number) => `${String(y).padStart(4, '0')}-${pad(m)}-${pad(day)}`;
    const dates = [date(b.year, b.month, b.day)];
    if (b.day <= 12 && b.day !== b.month) dates.push(date(b.year, b.day, b.month));
    // 29 February has no neighbour a year either side.
    if (!(b.month === 2 && b.day === 29)) dates.push(date(b.year - 1, b.month, b.day), date(b.year + 1, b.month, b.day));
    searches.push({ query: [['birthdate', dates.join(',')]], cap: CANDIDATE_CAPS.birthDate });
  } else {
    // Raw names, so the search normalises them as it normalised the index.
    const names = Array.isArray(patient['name']) ? (patient['name'] as unknown[]).filter(isObject) : [];
    const family = names.map((n) => n['family']).find((f): f is string => typeof f === 'string' && f.trim() !== '')?.trim();
    const given = names.flatMap((n) => (Array.isArray(n['given']) ? n['given'] : [])).find((g): g is string => typeof g === 'string' && g.trim() !== '')?.trim();
    if (family !== undefined && b !== undefined) {
      searches.push({ query: [['family', searchValue(family.slice(0, 3))], ['birthdate', String(b.year)]], cap: CANDIDATE_CAPS.name });
    } else if (family !== undefined && given !== undefined) {
      searches.push({ query: [['family', searchValue(family)], ['given', searchValue(given)]], cap: CANDIDATE_CAPS.name });
    }
  }
  const postcode = d.postcodes[0];
  if (postcode !== undefined) searches.push({ query: [['address-postalcode', postcode.full]], cap: CANDIDATE_CAPS.postcode });
  return searches;
}

/** Reads the candidates of every search (each once) as id → stored JSON text. */
async function candidates(store: MatchStore, searches: { query: [string, string][]; cap: number }[]): Promise<Map<string, string>> {
  const pages = await Promise.all(searches.map(({ query, cap }) => {
    const req = parseSearch(store.registry, 'Patient', query, { defaultCount: cap, maxCount: cap });
    req.total = 'none';
    return store.search(req);
  }));
  const out = new Map<string, string>();
  for (const page of pages) for (const m of page.matches) if (!out.has(m.id)) out.set(m.id, m.json);
  return out;
}

/** Patient ids that `resource` links to (`Patient.link.other`), by relative or absolute reference. */
function linkedIds(resource: Resource): string[] {
  if (!Array.isArray(resource['link'])) return [];
  return (resource['link'] as unknown[]).flatMap((l) => {
    const ref = isObject(l) && isObject(l['other']) ? l['other']['reference'] : undefined;
    const m = typeof ref === 'string' ? /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(ref) : null;
    return m ? [m[1]!] : [];
  });
}

/** True when `matches` form one group through their `Patient.link`s (read in either direction). */
function linkedAsOne(matches: readonly PatientMatch[]): boolean {
  const ids = new Set(matches.map((m) => m.id));
  const edges = new Map<string, Set<string>>([...ids].map((id) => [id, new Set<string>()]));
  for (const m of matches) {
    for (const other of linkedIds(m.resource)) {
      if (!ids.has(other)) continue;
      edges.get(m.id)!.add(other);
      edges.get(other)!.add(m.id);
    }
  }
  const start = matches[0]!.id;
  const reached = new Set([start]);
  const todo = [start];
  while (todo.length > 0) {
    for (const next of edges.get(todo.pop()!)!) {
      if (reached.has(next)) continue;
      reached.add(next);
      todo.push(next);
    }
  }
  return reached.size === ids.size;
}

/**
 * Finds the stored Patients that may be the person `input.patient` describes: graded
 * `certain`, `probable` or `possible` (never `certainly-not`), best first, at most `input.count`.
 * With `onlyCertainMatches`, only `certain` ones, and none when several are certain but not
 * linked to each other as one person ("If there are multiple potential matches, then the
 * match should not return the results with this flag set to true").
 */
export async function findMatches(store: MatchStore, input: MatchInput): Promise<MatchOutcome> {
  const d = demographicsOf(input.patient);
  const found = await candidates(store, candidateSearches(input.patient, d));
  const matches: PatientMatch[] = [];
  for (const [id, json] of found) {
    const resource = JSON.parse(json) as Resource;
    const result = scoreDemographics(d, demographicsOf(resource));
    if (result.grade === 'certainly-not') continue;
    if (input.onlyCertainMatches && result.grade !== 'certain') continue;
    matches.push({ id, json, resource, result });
  }
  matches.sort((a, b) => b.result.score - a.result.score || RANK[b.result.grade] - RANK[a.result.grade] || b.result.weight - a.result.weight || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const invalidNhsNumbers = d.invalidNhsNumbers;
  if (input.onlyCertainMatches && matches.length > 1 && !linkedAsOne(matches)) return { matches: [], ambiguous: matches.length, invalidNhsNumbers };
  return { matches: matches.slice(0, input.count), invalidNhsNumbers };
}

/** The searchset Bundle of matches, built around the stored JSON text (not re-serialised). */
function matchBundle(outcome: MatchOutcome, baseUrl: string): string {
  const entries = outcome.matches.map((m) => {
    const search = { extension: [{ url: MATCH_GRADE_EXTENSION, valueCode: m.result.grade }], mode: 'match', score: m.result.score };
    return `{"fullUrl":${JSON.stringify(`${baseUrl}/Patient/${m.id}`)},"resource":${m.json},"search":${JSON.stringify(search)}}`;
  });
  const issues: OperationOutcomeIssue[] = [];
  if (outcome.ambiguous !== undefined) {
    issues.push({
      severity: 'information', code: 'multiple-matches',
      diagnostics: `${outcome.ambiguous} records are certain matches but are not linked as one person, so none is returned with onlyCertainMatches=true`,
    });
  }
  if (outcome.invalidNhsNumbers > 0) {
    issues.push({ severity: 'warning', code: 'value', diagnostics: 'An NHS number of the Patient is not valid (Modulus 11) and was not used for matching' });
  }
  if (issues.length > 0) {
    const oo: OperationOutcome = { resourceType: 'OperationOutcome', issue: issues };
    entries.push(JSON.stringify({ resource: oo, search: { mode: 'outcome' } }));
  }
  const self = JSON.stringify(`${baseUrl}/Patient/$match`);
  return `{"resourceType":"Bundle","type":"searchset","total":${outcome.matches.length},"link":[{"relation":"self","url":${self}}],"entry":[${entries.join(',')}]}`;
}

/** The `$match` handler for the operation table. */
export function matchHandler(deps: { store: MatchStore }) {
  return async (req: MatchRequest, target: { type?: string; id?: string }): Promise<MatchResponse> => {
    if (target.type !== 'Patient') throw notFound('$match is defined on Patient: POST [base]/Patient/$match');
    if (target.id !== undefined) throw badRequest('$match is invoked on the Patient type, not on one patient: POST [base]/Patient/$match', 'url');
    if (req.method.toUpperCase() !== 'POST') throw methodNotAllowed(`$match takes POST with a Parameters body, not ${req.method}`);
    const unknown = req.query.find(([k]) => k !== '_format' && k !== '_pretty');
    if (unknown !== undefined) throw badRequest(`$match takes its parameters in the body, not '${unknown[0]}' in the URL`, unknown[0]);
    const input = parseMatchParameters(req.body);
    const outcome = await findMatches(deps.store, input);
    return { status: 200, headers: { 'content-type': FHIR_JSON }, body: matchBundle(outcome, req.baseUrl) };
  };
}
