/**
 * The plain-English glossary: for a coded item, a short name and explanation a patient can
 * read, looked up by code system and code. The clinical term is never replaced: pages show it
 * beside the explanation, and an unknown code falls back to the term the source recorded,
 * saying plainly that there is no explanation yet. Entries hold codes and our own words only
 * (no SNOMED CT terms are copied in); see NOTICE and README.md for licensing.
 */
import ukCodes from './uk-codes.json' with { type: 'json' };
import syntheaCodes from './synthea-codes.json' with { type: 'json' };
import { codings, conceptText } from '../model/fhir-values.js';

/** One glossary entry. */
export interface GlossaryEntry {
  system: string;
  code: string;
  /** A short everyday name ("High blood pressure"). */
  name?: string;
  /** One or two sentences for patients. */
  explanation: string;
}

/** An explained concept, as pages show it. */
export interface Explained {
  /** The everyday name when the glossary has one, else the clinical term. */
  title: string;
  /** The plain-English explanation, if the glossary knows the code. */
  plain?: string;
  /** The term the source system recorded (always shown). */
  clinicalTerm: string;
  /** Whether the glossary knew the code. */
  known: boolean;
}

/** Code systems that name the same thing differently. */
const SYSTEM_ALIASES: Readonly<Record<string, string>> = {
  'http://www.nlm.nih.gov/research/umls/rxnorm': 'http://www.nlm.nih.gov/research/umls/rxnorm',
  'http://hl7.org/fhir/sid/cvx': 'http://hl7.org/fhir/sid/cvx',
  'https://dmd.nhs.uk': 'https://dmd.nhs.uk',
  'http://snomed.info/sct': 'http://snomed.info/sct',
};

/** The glossary. */
export class Glossary {
  private readonly byKey = new Map<string, GlossaryEntry>();

  constructor(entries: readonly GlossaryEntry[]) {
    for (const e of entries) this.byKey.set(`${SYSTEM_ALIASES[e.system] ?? e.system}|${e.code}`, e);
  }

  /** The entry for a coding, if any. */
  entry(system: string | undefined, code: string | undefined): GlossaryEntry | undefined {
    if (!code) return undefined;
    return this.byKey.get(`${SYSTEM_ALIASES[system ?? ''] ?? system ?? ''}|${code}`);
  }

  /** Explains a CodeableConcept: the first of its codings the glossary knows. */
  explain(concept: unknown, fallback = 'Not recorded'): Explained {
    const clinicalTerm = conceptText(concept) ?? fallback;
    for (const c of codings(concept)) {
      const e = this.entry(c.system, c.code);
      if (e) return { title: e.name ?? clinicalTerm, plain: e.explanation, clinicalTerm, known: true };
    }
    return { title: clinicalTerm, clinicalTerm, known: false };
  }

  /** Number of entries. */
  get size(): number {
    return this.byKey.size;
  }
}

/** The glossary shipped with Tessera. */
export function defaultGlossary(): Glossary {
  return new Glossary([...(ukCodes as GlossaryEntry[]), ...(syntheaCodes as GlossaryEntry[])]);
}
