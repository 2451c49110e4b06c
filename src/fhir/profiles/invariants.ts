/**
 * The UK Core invariants (`ElementDefinition.constraint`), translated by hand from their FHIRPath:
 * there are only eight, and each is a line of TypeScript, where a FHIRPath engine would be a
 * module of its own. Each entry keeps the expression it was written from. The build script
 * stores the profile's expression beside the key, and the validator runs an entry only while
 * the two are the same, so a UK Core release that changes an invariant stops it being checked
 * (and the build lists it) rather than checking the old rule.
 *
 * `test` gets the element the constraint is on (the resource for root constraints) and returns
 * true when the constraint holds. It follows FHIRPath's collection semantics where they matter:
 * a path through a repeating element reaches every item.
 *
 * @see https://hl7.org/fhir/R4/elementdefinition-definitions.html#ElementDefinition.constraint
 * @see https://hl7.org/fhirpath/
 */
import { isObject } from '../types.js';

export interface Invariant {
  /** The FHIRPath this translates, exactly as the profile states it. */
  readonly expression: string;
  readonly test: (element: Record<string, unknown>) => boolean;
}

/** Invariant key → its translation. */
export const INVARIANTS: Readonly<Record<string, Invariant>> = {
  'ukcore-bodstr-001': {
    expression: 'location.exists() or description.exists() or image.exists()',
    test: (e) => exists(e, 'location') || exists(e, 'description') || exists(e, 'image'),
  },
  'ukcore-diag-lab-001': {
    expression: "issued.exists() or (issued.empty() and (status in ('partial' | 'preliminary' | 'final' | 'amended' | 'corrected' | 'appended')).not())",
    test: (e) => exists(e, 'issued') || !['partial', 'preliminary', 'final', 'amended', 'corrected', 'appended'].includes(e['status'] as string),
  },
  'ukcore-diag-lab-002': {
    expression: "DiagnosticReport.media.extension('http://hl7.org/fhir/5.0/StructureDefinition/extension-DiagnosticReport.media.link').empty() or DiagnosticReport.media.link.reference.empty()",
    test: (e) => {
      const media = items(e['media']);
      const hasLinkExtension = media.some((m) => hasExtension(m, 'http://hl7.org/fhir/5.0/StructureDefinition/extension-DiagnosticReport.media.link'));
      const hasLinkReference = media.some((m) => isObject(m['link']) && m['link']['reference'] !== undefined);
      return !hasLinkExtension || !hasLinkReference;
    },
  },
  'ukcore-imm-001': {
    expression: "(status != 'not-done') or (status = 'not-done' and statusReason.exists())",
    test: (e) => e['status'] !== 'not-done' || exists(e, 'statusReason'),
  },
  'ukcore-obs-grplab-001': {
    expression: 'value.empty()',
    test: (e) => !hasChoice(e, 'value'),
  },
  'ukcore-obs-lab-001': {
    expression: 'value.exists() or dataAbsentReason.exists() or note.exists()',
    test: (e) => hasChoice(e, 'value') || exists(e, 'dataAbsentReason') || exists(e, 'note'),
  },
  'ukcore-obs-vs-001': {
    expression: "code.coding.where(system='http://loinc.org').exists()",
    test: (e) => isObject(e['code']) && items(e['code']['coding']).some((c) => c['system'] === 'http://loinc.org'),
  },
  'ukcore-spec-001': {
    expression: "collector.reference.empty() or collector.extension('http://hl7.org/fhir/5.0/StructureDefinition/extension-Specimen.collection.collector').empty()",
    test: (e) => {
      const collector = e['collector'];
      if (!isObject(collector)) return true;
      return collector['reference'] === undefined || !hasExtension(collector, 'http://hl7.org/fhir/5.0/StructureDefinition/extension-Specimen.collection.collector');
    },
  },
};

/** A FHIRPath name reaches a primitive's value or its `_name` extensions alike. */
function exists(element: Record<string, unknown>, name: string): boolean {
  return element[name] !== undefined || element[`_${name}`] !== undefined;
}

/** `value` in FHIRPath reaches whichever `value[x]` is present (valueQuantity, valueString, …). */
function hasChoice(element: Record<string, unknown>, stem: string): boolean {
  for (const key in element) {
    if (key.length > stem.length && key.startsWith(stem) && isUpper(key.charCodeAt(stem.length)) && element[key] !== undefined) return true;
  }
  return false;
}

function isUpper(code: number): boolean {
  return code >= 65 && code <= 90;
}

function hasExtension(element: Record<string, unknown>, url: string): boolean {
  return items(element['extension']).some((x) => x['url'] === url);
}

/** The objects of a repeating element (or of a single one), skipping anything malformed. */
function items(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}
