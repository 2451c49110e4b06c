/**
 * The search parameters the server knows, compiled once: per resource type, each parameter's
 * type, compiled expression and (for composites) components. Also the Patient compartment, which
 * decides the patient key stored with each resource.
 *
 * @see https://hl7.org/fhir/R4/searchparameter-registry.html
 * @see https://hl7.org/fhir/R4/compartmentdefinition-patient.html
 */
import definitions from './definitions/r4-search-parameters.json' with { type: 'json' };
import type { CompiledPath, PathNode } from './fhirpath-lite.js';
import { compilePath, compileRelativePath } from './fhirpath-lite.js';
import type { IndexEntries } from './index-entries.js';
import { addDates, addQuantities, addReferences, addStrings, addTokens, addUris, compositeParts, emptyEntries, parseReference, type CompositePart } from './index-entries.js';

/** Search parameter types: https://hl7.org/fhir/R4/valueset-search-param-type.html */
export type SearchParamType = 'token' | 'string' | 'date' | 'number' | 'quantity' | 'reference' | 'uri' | 'composite' | 'special';

/** One compiled search parameter for one resource type. */
export interface SearchParamDef {
  code: string;
  type: SearchParamType;
  url: string;
  expression?: string;
  target?: string[];
  components?: { code: string; type: SearchParamType; path: (nodes: PathNode[], resource: unknown) => PathNode[] }[];
  path?: CompiledPath;
  /** The id of the stored SearchParameter resource that defined it (custom parameters only). */
  customId?: string;
  /**
   * True while existing resources are still being reindexed for this (custom) parameter: new
   * writes index it, but a search on it would miss older resources, so it is refused.
   */
  isIndexing?: boolean;
}

/** A search parameter defined by a stored SearchParameter resource, for one base type. */
export interface CustomSearchParam {
  /** The SearchParameter resource's id. */
  id: string;
  base: string;
  code: string;
  type: SearchParamType;
  url: string;
  expression: string;
  target?: string[];
  /** Existing resources are still being reindexed (see {@link SearchParamDef.isIndexing}). */
  isIndexing?: boolean;
}

interface RawParam {
  type: string;
  url: string;
  expression?: string;
  target?: string[];
  components?: { code: string; type: string; expression: string }[];
}

/**
 * Types R4's Patient compartment leaves out but whose resources belong to one patient's record
 * in Tessera: a Task `for` a patient (e.g. "this item looks wrong" flags sent back to the
 * source system) is part of their record, is found by `Patient/x/Task` and `$everything`, and
 * is visible to exactly those who may see that record.
 */
const RECORD_MEMBERS_BEYOND_R4: Record<string, string[]> = { Task: ['patient'] };

/** The compiled registry of search parameters. */
export class SearchRegistry {
  private readonly byType = new Map<string, Map<string, SearchParamDef>>();
  private readonly common = new Map<string, SearchParamDef>();
  private readonly compartment: Map<string, SearchParamDef[]>;

  /**
   * @param raw the base definitions (R4's, shipped in `definitions/`).
   * @param custom parameters from stored SearchParameter resources, added to their base types.
   * @param from a registry to share the compiled base definitions with (so a rebuild after a
   *   SearchParameter change costs only the custom parameters, not every R4 expression).
   */
  constructor(
    raw: { parameters: Record<string, Record<string, RawParam>>; patientCompartment: Record<string, string[]> } = definitions as never,
    custom: readonly CustomSearchParam[] = [],
    from?: SearchRegistry,
  ) {
    if (from) {
      for (const [type, map] of from.byType) this.byType.set(type, map);
      for (const [k, v] of from.common) this.common.set(k, v);
      this.compartment = from.compartment;
      this.base = from.base;
    } else {
      this.compile(raw);
      this.compartment = new Map();
      for (const [type, codes] of Object.entries({ ...raw.patientCompartment, ...RECORD_MEMBERS_BEYOND_R4 })) {
        const defs = codes.map((c) => this.get(type, c)).filter((d): d is SearchParamDef => d !== undefined && d.type === 'reference');
        this.compartment.set(type, defs);
      }
      this.base = this;
    }
    for (const c of custom) {
      // Copy-on-write: the shared base maps are never changed.
      const map = new Map(this.byType.get(c.base) ?? []);
      const def = compile(c.code, { type: c.type, url: c.url, expression: c.expression, ...(c.target ? { target: c.target } : {}) });
      def.customId = c.id;
      if (c.isIndexing) def.isIndexing = true;
      map.set(c.code, def);
      this.byType.set(c.base, map);
    }
  }

  /** The registry of the base definitions alone (this one when it has no custom parameters). */
  readonly base: SearchRegistry;

  /** A registry with these definitions plus `custom` (replacing any custom ones this one has). */
  withCustom(custom: readonly CustomSearchParam[]): SearchRegistry {
    return new SearchRegistry(undefined, custom, this.base);
  }

  private compile(raw: { parameters: Record<string, Record<string, RawParam>> }): void {
    for (const [base, params] of Object.entries(raw.parameters)) {
      const map = new Map<string, SearchParamDef>();
      for (const [code, p] of Object.entries(params)) map.set(code, compile(code, p));
      if (base === 'Resource' || base === 'DomainResource') for (const [k, v] of map) this.common.set(k, v);
      else this.byType.set(base, map);
    }
  }

  /** The parameter `code` on `resourceType`, including the common `_id`, `_lastUpdated`, …. */
  get(resourceType: string, code: string): SearchParamDef | undefined {
    return this.byType.get(resourceType)?.get(code) ?? this.common.get(code);
  }

  /** All parameters for a type (its own and the common ones). */
  all(resourceType: string): SearchParamDef[] {
    return [...(this.byType.get(resourceType)?.values() ?? []), ...this.common.values()];
  }

  /** Types with search parameters defined. */
  resourceTypes(): string[] {
    return [...this.byType.keys()];
  }

  /** True when resources of `type` belong in the Patient compartment. */
  inPatientCompartment(type: string): boolean {
    return type === 'Patient' || (this.compartment.get(type)?.length ?? 0) > 0;
  }

  /** Every parameter code that places some type in the Patient compartment (computed once). */
  compartmentParamCodes(): readonly string[] {
    this.allCompartmentCodes ??= [...new Set([...this.compartment.values()].flatMap((defs) => defs.map((d) => d.code)))];
    return this.allCompartmentCodes;
  }

  private allCompartmentCodes: string[] | undefined;

  /** The compartment's parameters for `type` (e.g. Observation: subject, performer). */
  compartmentParams(type: string): SearchParamDef[] {
    return this.compartment.get(type) ?? [];
  }

  /**
   * The patients whose compartment holds this resource: a Patient's own id, else every Patient
   * its compartment parameters reference, in parameter order (the first is the resource's
   * patient key, used for distribution). Empty outside the compartment.
   */
  patientKeys(resource: { resourceType: string; id?: string }): string[] {
    if (resource.resourceType === 'Patient') return resource.id ? [resource.id] : [];
    const keys: string[] = [];
    for (const def of this.compartmentParams(resource.resourceType)) {
      for (const node of def.path?.(resource) ?? []) {
        const ref = (node.value as { reference?: unknown } | null)?.reference;
        if (typeof ref === 'string') {
          const p = parseReference(ref);
          if (p?.type === 'Patient' && !keys.includes(p.id)) keys.push(p.id);
        }
      }
    }
    return keys;
  }

  /**
   * True when a reference from `param` of `type` to Patient/X puts the resource in X's
   * compartment — so a search on it can be answered from X's rows of the index tables alone.
   */
  isCompartmentReference(type: string, param: string): boolean {
    const compartment = this.compartmentParams(type);
    if (compartment.some((d) => d.code === param)) return true;
    const def = this.get(type, param);
    // e.g. `patient` = `Observation.subject.where(resolve() is Patient)` narrows `subject`.
    return !!def?.expression && compartment.some((c) => !!c.expression && def.expression!.startsWith(`${c.expression}.where(resolve() is Patient)`));
  }

  /**
   * True when `param` of `type` can only refer to Patients: its declared targets say so, or its
   * expression filters with `where(resolve() is Patient)` (R4 lists `Group` as a target of many
   * `patient` parameters even though their expressions keep only Patients).
   */
  refersOnlyToPatient(type: string, param: string): boolean {
    const def = this.get(type, param);
    if (!def || def.type !== 'reference') return false;
    if (def.target?.length === 1 && def.target[0] === 'Patient') return true;
    return !!def.expression && def.expression.split(' | ').every((part) => part.trim().endsWith('.where(resolve() is Patient)'));
  }

  /** Every index row for `resource`, across all its type's parameters (or only the parameter `only`). */
  extract(resource: { resourceType: string }, only?: string): IndexEntries {
    const out = emptyEntries();
    for (const def of this.all(resource.resourceType)) {
      if (only !== undefined && def.code !== only) continue;
      // _id and _lastUpdated come from the resources table itself.
      if (!def.path || def.code === '_id' || def.code === '_lastUpdated') continue;
      const nodes = def.path(resource);
      if (nodes.length === 0) continue;
      const before = rowCounts(out);
      switch (def.type) {
        case 'token': addTokens(out.token, def.code, nodes); break;
        case 'string': addStrings(out.string, def.code, nodes); break;
        case 'date': addDates(out.date, def.code, nodes); break;
        case 'number': case 'quantity': addQuantities(out.quantity, def.code, nodes); break;
        case 'reference': addReferences(out.reference, def.code, nodes); break;
        case 'uri': addUris(out.uri, def.code, nodes); break;
        case 'composite': {
          // Each context node (e.g. one Observation.component) gives the cross product of its
          // components' values, so parts always come from the same element.
          const comps = def.components ?? [];
          for (const node of nodes) {
            let combos: CompositePart[][] = [[]];
            for (const c of comps) {
              const parts = compositeParts(c.type, c.path([node], resource));
              combos = combos.flatMap((prefix) => parts.map((p) => [...prefix, p]));
              if (combos.length === 0) break;
            }
            for (const parts of combos) if (parts.length === comps.length) out.composite.push({ param: def.code, parts });
          }
          break;
        }
        default: break; // `special` parameters (e.g. Location near) need their own code
      }
      // The expression found a value that gives no searchable row (a contained or display-only
      // reference, SampledData for a quantity, …): the resource still has a value for the
      // parameter, so record that for :missing (https://hl7.org/fhir/R4/search.html#modifiers).
      if (def.type !== 'composite' && def.type !== 'special' && !hasRowsSince(out, before, def.code)) {
        out.token.push({ param: presenceParam(def.code), system: null, code: null, text: null });
      }
    }
    return out;
  }
}

/** The token-table `param` under which a value without searchable rows is recorded. */
export function presenceParam(code: string): string {
  return `${code}:present`;
}

const TABLES = ['token', 'string', 'date', 'quantity', 'reference', 'uri'] as const;

function rowCounts(e: IndexEntries): number[] {
  return TABLES.map((t) => e[t].length);
}

/** Whether rows for `param` itself (not `param:identifier` or `param:of-type`) were added since `before`. */
function hasRowsSince(e: IndexEntries, before: number[], param: string): boolean {
  return TABLES.some((t, i) => e[t].slice(before[i]).some((r) => r.param === param));
}

function compile(code: string, p: RawParam): SearchParamDef {
  const def: SearchParamDef = { code, type: p.type as SearchParamType, url: p.url };
  if (p.target) def.target = p.target;
  if (p.expression) {
    def.expression = p.expression;
    def.path = compilePath(p.expression);
  }
  if (p.components) {
    def.components = p.components.map((c) => ({ code: c.code, type: c.type as SearchParamType, path: compileRelativePath(c.expression) }));
  }
  return def;
}
