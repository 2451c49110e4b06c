/**
 * What a search parameter's expression finds in a resource, evaluated by the oracle's own
 * FHIRPath engine (`@medplum/core`), never by Tessera's `fhirpath-lite`: the query generator draws
 * its values from here, and the spec rules compare against it.
 */
import { evalFhirPathTyped, parseFhirPath, toTypedValue } from '@medplum/core';

/** A value with its FHIR type, as medplum's FHIRPath engine returns it. */
export interface Typed {
  type: string;
  value: any;
}

/** The part of a SearchParameter the test reads. */
export interface ParamDef {
  code: string;
  type: string;
  expression?: string;
  target?: string[];
  url?: string;
  component?: { definition: string; expression: string }[];
}

type Ast = ReturnType<typeof parseFhirPath>;
const asts = new Map<string, Ast>();

function ast(expression: string): Ast {
  let a = asts.get(expression);
  if (!a) {
    a = parseFhirPath(expression);
    asts.set(expression, a);
  }
  return a;
}

/** Evaluates `expression` on `input` (the resource, or a composite's context node). */
export function evaluate(expression: string, input: Typed, resource?: object): Typed[] {
  const variables = resource ? { '%resource': toTypedValue(resource) } : {};
  return evalFhirPathTyped(ast(expression), [input], variables as never) as Typed[];
}

/** The values `param` finds in `resource`, exactly as the oracle evaluates them. */
export function paramValues(resource: object, param: ParamDef): Typed[] {
  if (!param.expression) return [];
  return evaluate(param.expression, toTypedValue(resource) as Typed, resource);
}

/**
 * `x.as(T)` → `x.ofType(T)`. medplum's `as()` *function* returns its input unfiltered; FHIRPath
 * defines it as the typed filter (https://hl7.org/fhirpath/N1/#as-type-specifier).
 */
export function correctExpression(expression: string): string {
  return expression.replace(/\.as\(([A-Za-z]+)\)/g, '.ofType($1)');
}

const specCache = new WeakMap<object, Map<string, Typed[]>>();

/** The values `param` finds in `resource`, with `as()` filtering by type (cached: resources are not changed). */
export function specValues(resource: object, param: ParamDef): Typed[] {
  if (!param.expression) return [];
  let perResource = specCache.get(resource);
  if (!perResource) specCache.set(resource, (perResource = new Map()));
  let values = perResource.get(param.expression);
  if (!values) {
    values = evaluate(correctExpression(param.expression), toTypedValue(resource) as Typed, resource);
    perResource.set(param.expression, values);
  }
  return values;
}

/** A SearchParameter as in the R4 bundle. */
export interface SearchParameterResource extends ParamDef {
  base: string[];
}

const byType = new Map<string, Map<string, ParamDef>>();
const common = new Map<string, ParamDef>();
let componentTypes = new Map<string, string>();

/**
 * Indexes the R4 SearchParameters (the same bundle the oracle loaded). Parameters on `Resource`
 * apply to every type, their expression rooted at that type (`Resource.meta.tag` → `Patient.meta.tag`).
 */
export function indexSearchParameters(params: SearchParameterResource[]): void {
  byType.clear();
  common.clear();
  for (const p of params) {
    for (const base of p.base) {
      if (base === 'Resource' || base === 'DomainResource') common.set(p.code, p);
      else byType.set(base, (byType.get(base) ?? new Map()).set(p.code, p));
    }
  }
  componentTypes = new Map(params.filter((p) => p.url).map((p) => [p.url!, p.type]));
}

function rooted(def: ParamDef, resourceType: string): ParamDef {
  return def.expression ? { ...def, expression: def.expression.replace(/^Resource\./, `${resourceType}.`) } : def;
}

const rootedCache = new Map<string, ParamDef>();
/** One search parameter of `resourceType`. */
export function searchParam(resourceType: string, code: string): ParamDef | undefined {
  const own = byType.get(resourceType)?.get(code);
  if (own) return own;
  const c = common.get(code);
  if (!c) return undefined;
  const key = `${resourceType}.${code}`;
  let r = rootedCache.get(key);
  if (!r) rootedCache.set(key, (r = rooted(c, resourceType)));
  return r;
}

/** The R4 search parameters of `resourceType`, its own and those of every resource. */
export function searchParams(resourceType: string): ParamDef[] {
  return [...(byType.get(resourceType)?.values() ?? []), ...[...common.keys()].map((c) => searchParam(resourceType, c)!)];
}

/** The type of a composite component, from the SearchParameter its definition names. */
export function componentType(definition: string): string | undefined {
  return componentTypes.get(definition);
}

/** `obj` is a plain JSON object. */
export function isObj(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
