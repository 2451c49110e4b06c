/**
 * Who has accessed a record, from Tessera's audit trail (not from AuditEvent resources other
 * systems may have stored here):
 *
 * - `GET [base]/Patient/{id}/$access-log[?_count=N&_cursor=C]`: every access to the person's
 *   record (this Patient and the records linked to it, each access once), newest first, paged,
 *   as AuditEvents in the person's view (no network addresses, user or token ids, other people):
 *   what the patient, a proxy and staff with a relationship (the router answers 404 otherwise,
 *   as for the record itself) all see.
 * - `GET [base]/$access-log?agent=Practitioner/9&date=geYYYY-MM-DD&date=ltYYYY-MM-DD&_count=N`:
 *   for investigators (backend systems only): what one person or app accessed.
 *
 * @see https://hl7.org/fhir/R4/auditevent.html
 */
import { badRequest, forbidden, notFound } from '../fhir/outcome.js';
import type { FhirRequest, FhirResponse } from '../http/fhir-types.js';
import type { Caller } from '../http/fhir-router.js';
import type { AuditSinks } from '../http/request-audit.js';
import type { SqlClient } from '../store/database.js';
import { linkedPatients } from '../store/patient-everything.js';

/** The operation's canonical URL (defined by Tessera). */
export const ACCESS_LOG_OPERATION_DEFINITION = 'https://tessera.example/fhir/OperationDefinition/access-log';

interface Query {
  count: number;
  before?: string;
  agent?: string;
  since?: Date;
  until?: Date;
}

function parse(req: FhirRequest): Query {
  const q: Query = { count: 50 };
  for (const [k, v] of req.query) {
    if (k === '_count') {
      if (!/^\d{1,4}$/.test(v) || Number(v) < 1) throw badRequest('_count must be a whole number from 1', '_count');
      q.count = Math.min(Number(v), 500);
    } else if (k === '_cursor') q.before = v;
    else if (k === 'agent') q.agent = v;
    else if (k === 'date') {
      const m = /^(ge|lt)(\d{4}-\d{2}-\d{2}(?:T[0-9:.]+(?:Z|[+-]\d{2}:\d{2}))?)$/.exec(v);
      if (!m || Number.isNaN(Date.parse(m[2]!))) throw badRequest(`date takes ge or lt and a date, not '${v}'`, 'date');
      if (m[1] === 'ge') q.since = new Date(m[2]!);
      else q.until = new Date(m[2]!);
    } else if (k !== '_format' && k !== '_pretty') throw badRequest(`$access-log takes _count, _cursor, agent and date, not '${k}'`, k);
  }
  return q;
}

function searchset(req: FhirRequest, path: string, events: { id: string }[], next?: string): FhirResponse {
  const link = [{ relation: 'self', url: `${req.baseUrl}/${path}${req.query.length ? `?${new URLSearchParams(req.query)}` : ''}` }];
  if (next) {
    const nq = new URLSearchParams(req.query.filter(([k]) => k !== '_cursor'));
    nq.set('_cursor', next);
    link.push({ relation: 'next', url: `${req.baseUrl}/${path}?${nq}` });
  }
  const body = { resourceType: 'Bundle', type: 'searchset', link, entry: events.map((e) => ({ fullUrl: `urn:uuid:${e.id}`, resource: e, search: { mode: 'match' } })) };
  return { status: 200, headers: { 'content-type': 'application/fhir+json; charset=utf-8' }, body: JSON.stringify(body) };
}

/** The operation's handler. */
export function accessLogHandler(deps: { audit?: AuditSinks; db: SqlClient }) {
  return async (req: FhirRequest, target: { type?: string; id?: string }, access: Caller): Promise<FhirResponse> => {
    if (req.method !== 'GET') throw badRequest('$access-log takes GET', 'method');
    const audit = deps.audit;
    if (!audit) throw notFound('This server keeps no audit trail');
    const q = parse(req);
    if (target.type === undefined) {
      if (access.policy.kind !== 'unrestricted') throw forbidden('The whole audit trail is for backend systems; ask for a patient: Patient/{id}/$access-log');
      if (q.before) throw badRequest('The whole audit trail is paged by date (date=lt…), not by _cursor', '_cursor');
      const events = await audit.search({ count: q.count, ...(q.agent ? { agent: q.agent } : {}), ...(q.since ? { since: q.since } : {}), ...(q.until ? { until: q.until } : {}) });
      return searchset(req, '$access-log', events);
    }
    if (target.type !== 'Patient' || !target.id) throw badRequest('$access-log is invoked on the server or on Patient/{id}', 'url');
    if (q.agent || q.since || q.until) throw badRequest('On a patient, $access-log takes _count and _cursor', 'agent');
    const path = `Patient/${target.id}/$access-log`;
    // The person's whole record: the accesses to every record linked to this one.
    const records = await linkedPatients(deps.db, target.id);
    const page = await audit.listForPatient(records, { count: q.count, ...(q.before ? { before: q.before } : {}) });
    return searchset(req, path, page.events, page.next);
  };
}
