/**
 * One error type for every failure a FHIR client can cause, carrying the OperationOutcome it
 * answers with and its HTTP status. Status codes follow https://hl7.org/fhir/R4/http.html.
 */
import type { OperationOutcome, OperationOutcomeIssue } from './types.js';

/** Issue type codes: https://hl7.org/fhir/R4/valueset-issue-type.html */
export type IssueCode =
  | 'invalid' | 'structure' | 'required' | 'value' | 'invariant' | 'security' | 'login' | 'unknown'
  | 'expired' | 'forbidden' | 'suppressed' | 'processing' | 'not-supported' | 'duplicate'
  | 'multiple-matches' | 'not-found' | 'deleted' | 'too-long' | 'code-invalid' | 'extension'
  | 'too-costly' | 'business-rule' | 'conflict' | 'transient' | 'lock-error' | 'no-store'
  | 'exception' | 'timeout' | 'incomplete' | 'throttled' | 'informational';

/** An error that answers the client with `outcome` and HTTP `status`. */
export class OperationOutcomeError extends Error {
  readonly status: number;
  readonly outcome: OperationOutcome;
  readonly headers: Record<string, string>;

  constructor(status: number, outcome: OperationOutcome, headers: Record<string, string> = {}) {
    super(outcome.issue[0]?.diagnostics ?? `HTTP ${status}`);
    this.name = 'OperationOutcomeError';
    this.status = status;
    this.outcome = outcome;
    this.headers = headers;
  }
}

/** Builds an OperationOutcome from issues. */
export function outcomeOf(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

/** Builds a single-issue OperationOutcome. */
export function issue(
  code: IssueCode,
  diagnostics: string,
  expression?: string | string[],
  severity: OperationOutcomeIssue['severity'] = 'error',
): OperationOutcomeIssue {
  const out: OperationOutcomeIssue = { severity, code, diagnostics };
  if (expression !== undefined) out.expression = Array.isArray(expression) ? expression : [expression];
  return out;
}

function fail(status: number, code: IssueCode, diagnostics: string, expression?: string | string[]): OperationOutcomeError {
  return new OperationOutcomeError(status, outcomeOf([issue(code, diagnostics, expression)]));
}

/** 400: the request is malformed. */
export const badRequest = (diagnostics: string, expression?: string | string[]) =>
  fail(400, 'invalid', diagnostics, expression);
/** 400 with several issues, e.g. from validation. */
export const invalid = (issues: OperationOutcomeIssue[], status = 400) =>
  new OperationOutcomeError(status, outcomeOf(issues));
/** 404: no such resource, or one the caller may not see (the same answer for both). */
export const notFound = (diagnostics = 'Resource not found') => fail(404, 'not-found', diagnostics);
/** 410: the resource was deleted. */
export const gone = (diagnostics: string) => fail(410, 'deleted', diagnostics);
/** 405: interaction not allowed on this URL. */
export const methodNotAllowed = (diagnostics: string) => fail(405, 'not-supported', diagnostics);
/** 409: version conflict or concurrent modification. */
export const conflict = (diagnostics: string, expression?: string) => fail(409, 'conflict', diagnostics, expression);
/** 412: a precondition (If-Match, conditional match count) failed. */
export const preconditionFailed = (diagnostics: string, expression?: string) =>
  fail(412, 'conflict', diagnostics, expression);
/** 422: well-formed but breaks a business rule. */
export const unprocessable = (diagnostics: string, expression?: string | string[]) =>
  fail(422, 'business-rule', diagnostics, expression);
/** 406: cannot produce the requested format. */
export const notAcceptable = (diagnostics: string) => fail(406, 'not-supported', diagnostics);
/** 415: cannot read the request's format. */
export const unsupportedMediaType = (diagnostics: string) => fail(415, 'not-supported', diagnostics);
/** 413: the request body is too large. */
export const payloadTooLarge = (diagnostics: string) => fail(413, 'too-long', diagnostics);
/** 401: no or bad credentials. */
export const unauthorized = (diagnostics: string) => fail(401, 'login', diagnostics);
/** 403: authenticated but not allowed (never for patient data; use notFound). */
export const forbidden = (diagnostics: string) => fail(403, 'forbidden', diagnostics);
/** 501: the interaction is not implemented. */
export const notSupported = (diagnostics: string, expression?: string) => fail(501, 'not-supported', diagnostics, expression);

/** An informational outcome for successful operations (`Prefer: return=OperationOutcome`). */
export function allOk(diagnostics = 'All OK'): OperationOutcome {
  return outcomeOf([issue('informational', diagnostics, undefined, 'information')]);
}
