/**
 * "Who has looked at my record": AuditEvents about the patient in plain words — who, their role
 * and organisation, when, why, and whether access was refused — with emergency
 * ("break-glass") access highlighted. The person's own visits are left out (they know about
 * those). Pure.
 *
 * @see https://hl7.org/fhir/R4/auditevent.html
 * @see https://terminology.hl7.org/ValueSet-v3-PurposeOfUse.html
 */
import type { Resource } from '../../fhir/types.js';
import { codings, conceptText, list, obj, parseDate, str, type Ref } from './fhir-values.js';
import { formatDateTime } from './format.js';

/** An access, in words. */
export interface AccessView {
  id: string;
  who: string;
  role?: string;
  organisation?: string;
  when: string;
  time: number;
  why: string;
  isBreakGlass: boolean;
  wasRefused: boolean;
  what?: string;
}

const PURPOSE: Readonly<Record<string, string>> = {
  TREAT: 'To care for you', ETREAT: 'To care for you in an emergency', BTG: 'Emergency access ("break-glass") without the usual permission',
  HPAYMT: 'For payment of your care', HOPERAT: 'To run health services', HRESCH: 'For research', PUBHLTH: 'For public health',
  PATRQT: 'Because you asked', FAMRQT: 'Because your family asked', PWATRNY: 'For someone with power of attorney', COC: 'To coordinate your care',
  CAREMGT: 'To manage your care', HDIRECT: 'For your direct care', SYSADMN: 'For system maintenance', HQUALIMP: 'To improve the quality of care',
};

const ORG_EXTENSION = /organi[sz]ation/i;

/**
 * The person's organisation: Tessera's trail lists it as a further agent of type `PROV`
 * (healthcare provider); other systems may use an extension or the agent's location.
 */
function organisationOf(agent: Record<string, unknown>, all: readonly Record<string, unknown>[] = []): string | undefined {
  const provider = all.find((a) => codings(a.type).some((c) => c.code === 'PROV'));
  const fromProvider = str(obj<Ref>(provider?.who)?.display);
  if (fromProvider) return fromProvider;
  const ext = list<{ url?: string; valueReference?: Ref; valueString?: string }>(agent.extension).find((e) => ORG_EXTENSION.test(e.url ?? ''));
  return str(ext?.valueReference?.display) ?? str(ext?.valueString) ?? str(obj<Ref>(agent.location)?.display);
}

/** A computer system (a backend client, such as a GP system sending in records), named by its id. */
function systemName(who: Ref | undefined): string | undefined {
  const id = str((who as { identifier?: { value?: unknown } } | undefined)?.identifier?.value);
  return id ? `A connected computer system (${id})` : undefined;
}

/** Describes one AuditEvent. */
export function accessView(e: Resource): AccessView {
  const agents = list<Record<string, unknown>>(e.agent);
  const agent = agents[0] ?? {};
  const who = obj<Ref>(agent.who);
  const purposes = [...list(e.purposeOfEvent), ...list(agent.purposeOfUse)].flatMap((p) => codings(p));
  const isBreakGlass = purposes.some((c) => c.code === 'BTG');
  const purpose = purposes.find((c) => c.code && PURPOSE[c.code]);
  const when = parseDate(e.recorded);
  const outcome = str(e.outcome);
  const roles = list(agent.role).map((r) => conceptText(r)).filter(Boolean);
  const entityName = list<{ name?: string; what?: Ref }>(e.entity).map((x) => str(x.name) ?? str(x.what?.display)).find(Boolean);
  return {
    id: e.id ?? '',
    who: str(who?.display) ?? str(agent.name) ?? systemName(who) ?? 'Someone the system did not name',
    ...(roles.length ? { role: roles.join(', ') } : {}),
    ...(organisationOf(agent, agents) ? { organisation: organisationOf(agent, agents)! } : {}),
    when: formatDateTime(when), time: when?.getTime() ?? 0,
    why: isBreakGlass ? PURPOSE.BTG! : purpose ? PURPOSE[purpose.code!]! : (purposes[0]?.display ?? 'No reason recorded'),
    isBreakGlass,
    wasRefused: outcome !== undefined && outcome !== '0',
    ...(entityName ? { what: entityName } : {}),
  };
}

/** Describes the accesses, newest first, leaving out the person's own. */
export function accessViews(events: readonly Resource[], ownReferences: readonly string[]): AccessView[] {
  const own = new Set(ownReferences);
  return events
    .filter((e) => {
      const who = obj<Ref>(list<Record<string, unknown>>(e.agent)[0]?.who);
      return !(who?.reference && own.has(who.reference.split('/').slice(-2).join('/')));
    })
    .map(accessView)
    .sort((a, b) => b.time - a.time);
}
