/**
 * Where sources disagree, and where they say the same thing twice. Entries of one kind
 * (conditions, medicines, allergies) are grouped by what they are (their code, else their
 * words). In a group from several systems:
 * - the same facts everywhere → one entry "recorded by A and B" (a duplicate, shown once);
 * - different facts (one system stopped a medicine another still lists; different doses; an
 *   allergy one system says is resolved) → both versions side by side, with source and date.
 * An allergy recorded by one system while another records "no known allergies" is a
 * disagreement too. Pure.
 */
import type { Resource } from '../../fhir/types.js';
import { conceptKey, conceptText } from './fhir-values.js';
import { itemConcept, type ItemView } from './record-items.js';

/** A group of entries about the same thing. */
export interface ItemGroup {
  kind: 'single' | 'duplicate' | 'disagreement';
  /** The entry to headline (newest). */
  main: ItemView;
  /** Every version (for duplicates: the sources; for disagreements: shown side by side). */
  versions: ItemView[];
  /** For disagreements: what differs, in words. */
  differences: string[];
  /** Newest date in the group (for ordering). */
  time: number;
}

/** "No known allergy" codes (SNOMED CT) and words. */
const NO_KNOWN_ALLERGY = new Set(['http://snomed.info/sct|716186003', 'http://snomed.info/sct|409137002']);

/** True for a "no known allergies" entry. */
export function isNoKnownAllergy(r: Resource): boolean {
  const key = conceptKey(r.code);
  return (key !== undefined && NO_KNOWN_ALLERGY.has(key)) || /^no known (drug )?allerg/i.test(conceptText(r.code) ?? '');
}

function groupKey(r: Resource): string {
  return conceptKey(itemConcept(r)) ?? `text|${(conceptText(itemConcept(r)) ?? '').trim().toLowerCase()}`;
}

/** The facts compared across sources, by label. */
function comparable(v: ItemView): Map<string, string> {
  const m = new Map<string, string>();
  if (v.status) m.set('Status', v.status);
  for (const f of v.facts) if (['How to take it', 'Reaction', 'Risk'].includes(f.label)) m.set(f.label, f.value.trim().toLowerCase());
  return m;
}

/** Groups entries of one kind; `views` must correspond to `resources` index by index. */
export function reconcile(resources: readonly Resource[], views: readonly ItemView[]): ItemGroup[] {
  const groups = new Map<string, { r: Resource; v: ItemView }[]>();
  resources.forEach((r, i) => {
    const k = groupKey(r);
    const g = groups.get(k) ?? [];
    g.push({ r, v: views[i]! });
    groups.set(k, g);
  });
  const out: ItemGroup[] = [];
  for (const members of groups.values()) {
    members.sort((a, b) => b.v.time - a.v.time);
    const main = members[0]!.v;
    const time = main.time;
    const sources = new Set(members.map((m) => m.v.sourceUri ?? ''));
    if (members.length === 1 || sources.size === 1) {
      // One system listing something several times (e.g. each prescription issue) is its own history, not a conflict.
      for (const m of sources.size === 1 && members.length > 1 ? [members[0]!] : members) out.push({ kind: 'single', main: m.v, versions: [m.v], differences: [], time: m.v.time });
      continue;
    }
    // Newest entry per source.
    const perSource = [...sources].map((s) => members.find((m) => (m.v.sourceUri ?? '') === s)!.v);
    const differences = new Set<string>();
    const first = comparable(perSource[0]!);
    for (const v of perSource.slice(1)) {
      const other = comparable(v);
      for (const label of new Set([...first.keys(), ...other.keys()])) if (first.get(label) !== other.get(label)) differences.add(label);
    }
    out.push(differences.size === 0
      ? { kind: 'duplicate', main, versions: perSource, differences: [], time }
      : { kind: 'disagreement', main, versions: perSource, differences: [...differences], time });
  }
  return out.sort((a, b) => b.time - a.time || a.main.key.localeCompare(b.main.key));
}

/**
 * Allergies recorded by one system while another says "no known allergies": each such allergy
 * group gets a difference naming the system that disagrees.
 */
export function markAllergyConflicts(groups: ItemGroup[], resources: readonly Resource[], views: readonly ItemView[]): ItemGroup[] {
  const nka = resources.map((r, i) => (isNoKnownAllergy(r) ? views[i]! : undefined)).filter((v): v is ItemView => !!v);
  if (nka.length === 0) return groups;
  return groups.map((g) => {
    if (nka.some((n) => n.key === g.main.key)) return g;
    const against = nka.filter((n) => !g.versions.some((v) => v.sourceUri === n.sourceUri));
    if (against.length === 0) return g;
    return {
      ...g,
      kind: 'disagreement',
      versions: [...g.versions, ...against],
      differences: [...g.differences, ...against.map((n) => `${capitalise(n.sourceName)} recorded "no known allergies" (${n.date})`)],
    };
  });
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
