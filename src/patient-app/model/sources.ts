/**
 * Which systems a record comes from, and what a list does and does not contain: for each
 * section, the systems that contributed (and when each last sent anything for this person),
 * connected systems that recorded nothing of this kind, systems that could not be reached
 * (what they sent before is still shown, and said to be as of a date), and systems that are
 * not connected at all. So "no allergies recorded by your GP; the hospital is not connected" is
 * never shown as "no allergies". Pure.
 */
import type { Resource } from '../../fhir/types.js';
import { lastUpdatedOf, sourceOf } from './fhir-values.js';
import { formatDate, plural } from './format.js';
import { liveStatuses, type DeliveryFacts } from './source-health.js';

/** A source system as the app knows it. */
export interface SourceSystemInfo {
  /** `meta.source` of the resources it sends. */
  uri: string;
  /** A name people recognise, e.g. "Your GP practice, Lindley Medical Centre". */
  name: string;
  kind: 'gp' | 'hospital' | 'laboratory' | 'app' | 'other';
  /** The organisation that runs it: where a "something looks wrong" report goes. */
  organisation?: { odsCode?: string; name: string };
  /** `connected`: sending; `unavailable`: connected but failing now; `not-connected`: no feed at all. */
  status: 'connected' | 'unavailable' | 'not-connected';
  /** For an unavailable system: when it last sent anything (ISO). */
  asOf?: string;
  /**
   * A feed that sends on a schedule: unavailable when nothing has arrived for this long
   * (`source-health.ts`). Without it, only failed deliveries make a source unavailable.
   */
  overdueAfterSeconds?: number;
  /** Why an unavailable system is: its last delivery failed, or it is overdue. */
  reason?: 'failing' | 'overdue';
}

/** The systems this Tessera knows about. */
export interface SourceDirectory {
  list(): Promise<readonly SourceSystemInfo[]>;
}

/** A directory over a fixed list (statuses as configured). */
export function staticSourceDirectory(systems: readonly SourceSystemInfo[]): SourceDirectory {
  return { list: async () => systems };
}

/**
 * A directory whose statuses come from the deliveries Tessera records (`source-health.ts`): one
 * small table, read at most once per `ttlMs` per node (a page request needs it every time; a
 * status a few seconds old is as good). If they cannot be read the configured statuses are
 * used, so a page still shows what is known.
 */
export function liveSourceDirectory(systems: readonly SourceSystemInfo[], readDeliveries: () => Promise<readonly DeliveryFacts[]>, now: () => Date = () => new Date(), ttlMs = 5000): SourceDirectory {
  let remembered: { at: number; deliveries: readonly DeliveryFacts[] } | undefined;
  return {
    async list() {
      const t = now();
      if (!remembered || t.getTime() - remembered.at >= ttlMs || t.getTime() < remembered.at) {
        try {
          remembered = { at: t.getTime(), deliveries: await readDeliveries() };
        } catch {
          return systems;
        }
      }
      return liveStatuses(systems, remembered.deliveries, t);
    },
  };
}

/** What the app says about the source of one item. */
export function sourceName(uri: string | undefined, directory: readonly SourceSystemInfo[]): string {
  if (!uri) return 'a system that did not say which it is';
  const known = directory.find((s) => s.uri === uri);
  if (known) return known.name;
  try {
    return `a system Tessera does not know by name (${new URL(uri).host})`;
  } catch {
    return 'a system Tessera does not know by name';
  }
}

/** One line of a coverage statement. */
export interface CoverageLine {
  name: string;
  countText?: string;
  updated?: string;
  asOf?: string;
  /** A sentence about this source, when it needs one (unavailable sources). */
  text?: string;
}

/** What a section does and does not contain. */
export interface Coverage {
  contributed: CoverageLine[];
  nothingFrom: CoverageLine[];
  unavailable: CoverageLine[];
  notConnected: CoverageLine[];
  /** A sentence for an empty section that never claims more than is known. */
  emptyText: string;
}

/** When each system last sent anything for this person: the newest `meta.lastUpdated` of its resources. */
export function lastUpdatedBySource(record: readonly Resource[]): Map<string, Date> {
  const out = new Map<string, Date>();
  for (const r of record) {
    const src = sourceOf(r);
    const t = lastUpdatedOf(r);
    if (!src || !t) continue;
    const prev = out.get(src);
    if (!prev || prev < t) out.set(src, t);
  }
  return out;
}

/**
 * The coverage of one section: `items` are what it shows, `updatedBySource` covers the whole
 * record (see `lastUpdatedBySource`), `what` names the kind of thing ("allergies").
 */
export function sectionCoverage(items: readonly Resource[], updatedBySource: ReadonlyMap<string, Date>, directory: readonly SourceSystemInfo[], what: string, itemWord: [string, string]): Coverage {
  const counts = new Map<string, number>();
  for (const r of items) {
    const src = sourceOf(r) ?? '';
    counts.set(src, (counts.get(src) ?? 0) + 1);
  }
  const contributed: CoverageLine[] = [...counts.entries()].map(([uri, n]) => ({
    name: sourceName(uri || undefined, directory),
    countText: plural(n, itemWord[0], itemWord[1]),
    updated: formatDate(updatedBySource.get(uri)),
  }));
  const nothingFrom: CoverageLine[] = [...updatedBySource.entries()]
    .filter(([uri]) => !counts.has(uri) && directory.find((s) => s.uri === uri)?.kind !== 'app')
    .map(([uri, t]) => ({ name: sourceName(uri, directory), updated: formatDate(t) }));
  const unavailable = directory.filter((s) => s.status === 'unavailable').map((s) => {
    const line: CoverageLine = { name: s.name, ...(s.asOf ? { asOf: formatDate(new Date(s.asOf)) } : {}) };
    return { ...line, text: unavailableText(line) };
  });
  const notConnected = directory.filter((s) => s.status === 'not-connected').map((s) => ({ name: s.name }));
  const recordedBy = nothingFrom.map((l) => l.name);
  let emptyText: string;
  if (recordedBy.length > 0) emptyText = `No ${what} recorded by ${joinNames(recordedBy)}.`;
  else emptyText = `No ${what} have been shared with Tessera for you.`;
  if (notConnected.length > 0) emptyText += ` ${joinNames(notConnected.map((n) => n.name), true)} ${notConnected.length === 1 ? 'is' : 'are'} not connected, so anything recorded there is not shown.`;
  for (const u of unavailable) emptyText += ` ${unavailableText(u)}`;
  return { contributed, nothingFrom, unavailable, notConnected, emptyText };
}

/** What is said of a source that is unavailable: never silent, and as of when the record is known. */
export function unavailableText(line: CoverageLine): string {
  const name = line.name.charAt(0).toUpperCase() + line.name.slice(1);
  return line.asOf
    ? `${name} could not be reached recently, so what it sent up to ${line.asOf} is shown and anything newer is missing.`
    : `${name} could not be reached recently and has not sent anything yet.`;
}

function joinNames(names: string[], capital = false): string {
  const first = names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return capital ? first.charAt(0).toUpperCase() + first.slice(1) : first;
}
