/**
 * Custom search parameters: SearchParameter resources a client stores, which the registry then
 * includes. Pure: validation of one resource against a registry, and turning stored resources
 * into {@link CustomSearchParam}s.
 *
 * @see https://hl7.org/fhir/R4/searchparameter.html
 * @see https://hl7.org/fhir/R4/search.html#custom
 */
import { issue } from '../fhir/outcome.js';
import type { OperationOutcomeIssue } from '../fhir/types.js';
import { compilePath } from './fhirpath-lite.js';
import type { CustomSearchParam, SearchParamType, SearchRegistry } from './registry.js';

/** Types a custom parameter may have: the ones indexed from a single expression. */
export const CUSTOM_PARAM_TYPES: readonly SearchParamType[] = ['token', 'string', 'date', 'number', 'quantity', 'reference', 'uri'];

/** A code usable as a query parameter name; `_` is reserved for the spec's own parameters. */
const CODE_RE = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;

/** The parts of a SearchParameter resource Tessera reads. */
interface SearchParameterResource {
  resourceType: 'SearchParameter';
  id?: string;
  url?: unknown;
  status?: unknown;
  code?: unknown;
  base?: unknown;
  type?: unknown;
  expression?: unknown;
  target?: unknown;
}

/** True when a stored SearchParameter takes part in searches (R4: `status` active). */
export function isActiveSearchParameter(resource: { status?: unknown }): boolean {
  return resource.status === 'active';
}

/**
 * Why `resource` (an active SearchParameter) cannot be used, as issues naming the element.
 * `not-supported` issues (a type or expression outside what Tessera indexes) are business-rule
 * failures (422); the others are invalid requests (400).
 */
export function searchParameterIssues(resource: SearchParameterResource, registry: SearchRegistry): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  const { code, base, type, expression } = resource;
  if (typeof code !== 'string' || !CODE_RE.test(code)) {
    issues.push(issue('invalid', 'SearchParameter.code must be letters, digits and hyphens, starting with a letter (codes starting with _ are reserved)', 'SearchParameter.code'));
  }
  const bases = Array.isArray(base) ? base : [];
  if (bases.length === 0) issues.push(issue('required', 'SearchParameter.base must name at least one resource type', 'SearchParameter.base'));
  const known = new Set(registry.resourceTypes());
  bases.forEach((b, i) => {
    if (typeof b !== 'string' || !known.has(b)) issues.push(issue('not-supported', `SearchParameter.base '${String(b)}' is not a resource type Tessera indexes`, `SearchParameter.base[${i}]`));
  });
  if (typeof type !== 'string' || !(CUSTOM_PARAM_TYPES as readonly string[]).includes(type)) {
    issues.push(issue('not-supported', `SearchParameter.type '${String(type)}' is not supported for custom parameters (supported: ${CUSTOM_PARAM_TYPES.join(', ')})`, 'SearchParameter.type'));
  }
  if (typeof expression !== 'string' || expression.trim() === '') {
    issues.push(issue('required', 'SearchParameter.expression is required', 'SearchParameter.expression'));
  } else {
    try {
      compilePath(expression);
    } catch (err) {
      issues.push(issue('not-supported', `SearchParameter.expression is outside the supported FHIRPath subset: ${(err as Error).message}`, 'SearchParameter.expression'));
    }
  }
  if (typeof code === 'string') {
    for (const b of bases) {
      if (typeof b !== 'string') continue;
      const existing = registry.get(b, code);
      if (existing && !existing.customId) {
        issues.push(issue('duplicate', `'${code}' is already a built-in search parameter of ${b}`, 'SearchParameter.code'));
      } else if (existing?.customId && existing.customId !== resource.id) {
        issues.push(issue('duplicate', `'${code}' is already defined for ${b} by SearchParameter/${existing.customId}`, 'SearchParameter.code'));
      }
    }
  }
  return issues;
}

/** The HTTP status for a list of issues from {@link searchParameterIssues}. */
export function searchParameterIssueStatus(issues: readonly OperationOutcomeIssue[]): 400 | 422 {
  return issues.every((i) => i.code === 'not-supported') ? 422 : 400;
}

/**
 * The custom parameters a stored SearchParameter defines, one per base type; none when it is
 * not active or not usable (it was validated on write, but the base definitions may have grown
 * since).
 */
export function customParamsOf(resource: SearchParameterResource, base: SearchRegistry): CustomSearchParam[] {
  if (!isActiveSearchParameter(resource) || !resource.id) return [];
  if (searchParameterIssues({ ...resource }, base).length > 0) return [];
  const target = Array.isArray(resource.target) ? resource.target.filter((t): t is string => typeof t === 'string') : undefined;
  return (resource.base as string[]).map((b) => ({
    id: resource.id!, base: b, code: resource.code as string, type: resource.type as SearchParamType,
    url: typeof resource.url === 'string' ? resource.url : `urn:tessera:SearchParameter/${resource.id}`,
    expression: resource.expression as string, ...(target && target.length > 0 ? { target } : {}),
  }));
}
