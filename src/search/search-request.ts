/**
 * The search IR: what a FHIR search query string means, independent of how it is executed.
 * Parsing lives in `parse-search.ts`; the SQL lives in `store/`.
 *
 * @see https://hl7.org/fhir/R4/search.html
 */
import type { SearchParamDef } from './registry.js';

/** Comparison prefixes: https://hl7.org/fhir/R4/search.html#prefix */
export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

/** One value of a parameter; several values in one parameter are OR-ed. */
export type SearchValue =
  | { type: 'token'; system?: string; code?: string; /** `system|` (any code) */ anyCode?: boolean; /** `|code` */ noSystem?: boolean }
  | { type: 'string'; value: string }
  | { type: 'date'; prefix: Prefix; start: number; end: number }
  | { type: 'number'; prefix: Prefix; value: number; low: number; high: number; system?: string; code?: string; hasUnit: boolean }
  | { type: 'reference'; resourceType?: string; id?: string; url?: string; identifier?: { system?: string; value?: string } }
  | { type: 'uri'; value: string }
  | { type: 'missing'; missing: boolean }
  | { type: 'composite'; parts: SearchValue[] }
  /** `:in` / `:not-in`: codes of a ValueSet held in the store, resolved before execution. */
  | { type: 'valueset'; url: string; codes?: { system?: string; code?: string }[] };

/** A filter on one parameter (values OR-ed). */
export interface ParamFilter {
  kind: 'param';
  def: SearchParamDef;
  modifier?: string;
  values: SearchValue[];
}

/**
 * `subject:Patient.name=x`: the referenced resource must match `inner`. Without a type modifier
 * every target type on which the chained parameter exists is tried (OR).
 */
export interface ChainFilter {
  kind: 'chain';
  def: SearchParamDef;
  targets: { type: string; inner: Filter }[];
}

/** `_has:Observation:patient:code=x`: some resource referring to this one matches `inner`. */
export interface HasFilter {
  kind: 'has';
  sourceType: string;
  referenceParam: SearchParamDef;
  inner: Filter;
}

/** `_id=a,b` and `_lastUpdated` act on the resources table directly. */
export interface ColumnFilter {
  kind: 'id' | 'lastUpdated';
  values: SearchValue[];
  modifier?: string;
}

/** `_list=42`: the resource is an item of List/42. https://hl7.org/fhir/R4/search.html#list */
export interface ListFilter {
  kind: 'list';
  listIds: string[];
}

/** All filters are AND-ed. */
export type Filter = ParamFilter | ChainFilter | HasFilter | ColumnFilter | ListFilter;

/** `_sort` key; `_id` and `_lastUpdated` have no `def` (they are columns). */
export interface SortKey {
  code: string;
  def?: SearchParamDef;
  descending: boolean;
}

/** `_include` / `_revinclude` spec. */
export interface IncludeSpec {
  sourceType: string;
  param: string;
  targetType?: string;
  iterate: boolean;
  wildcard: boolean;
}

/** A parsed search request. */
export interface SearchRequest {
  resourceType: string;
  filters: Filter[];
  sort: SortKey[];
  count: number;
  total: 'none' | 'estimate' | 'accurate';
  include: IncludeSpec[];
  revinclude: IncludeSpec[];
  summary?: 'true' | 'text' | 'data' | 'count' | 'false';
  elements?: string[];
  cursor?: string;
  /**
   * Compartment (`Patient/123/Observation`): restricts to that patient's record; `ids` are the
   * patient and the Patient records linked to it, filled in before execution.
   */
  compartment?: { type: 'Patient'; id: string; ids?: string[] };
  /** The parameters that were applied, for the self link. */
  applied: [string, string][];
}
