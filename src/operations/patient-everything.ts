/**
 * `GET /fhir/Patient/{id}/$everything`: the patient's whole record as a searchset Bundle.
 * Supports `_since` and `_type`; `start`/`end` and paging are not offered (and are refused
 * rather than ignored).
 *
 * @see https://hl7.org/fhir/R4/patient-operation-everything.html
 */
import { badRequest, gone, notFound } from '../fhir/outcome.js';
import type { FhirRequest, FhirResponse } from '../http/fhir-types.js';
import type { FhirStore } from '../store/fhir-store.js';
import { patientEverything } from '../store/patient-everything.js';
import { asSeenBy } from '../access/policy.js';
import type { Caller } from '../http/fhir-router.js';

/** The operation's handler. */
export function everythingHandler(store: FhirStore) {
  return async (req: FhirRequest, target: { type?: string; id?: string }, access: Caller): Promise<FhirResponse> => {
    if (target.type !== 'Patient' || !target.id) throw badRequest('$everything is invoked on Patient/{id}', 'url');
    if (req.method !== 'GET' && req.method !== 'POST') throw badRequest('$everything takes GET or POST', 'method');
    let since: Date | undefined;
    let types: string[] | undefined;
    for (const [k, v] of req.query) {
      if (k === '_since') {
        const t = Date.parse(v);
        if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(t)) throw badRequest(`_since must be an instant, not '${v}'`, '_since');
        since = new Date(t);
      } else if (k === '_type') {
        types = v.split(',').map((s) => s.trim());
        const unknown = types.find((t) => !/^[A-Z][A-Za-z]+$/.test(t));
        if (unknown !== undefined) throw badRequest(`_type lists resource types, not '${unknown}'`, '_type');
      } else if (k !== '_format' && k !== '_pretty') {
        throw badRequest(`Parameter '${k}' of $everything is not supported`, k);
      }
    }
    const patient = await store.readCurrent('Patient', target.id, undefined, access.visible);
    if (!patient) throw notFound(`Patient/${target.id} is not known`);
    if (patient.deleted) throw gone(`Patient/${target.id} has been deleted`);
    const rows = await patientEverything(store.db, store.registry, target.id, { ...(since ? { since } : {}), ...(types ? { types } : {}), visible: access.visible });
    for (const r of rows) access.audit.touched(r.resourceType, r.id);
    const entries = rows.map((r) => `{"fullUrl":${JSON.stringify(`${req.baseUrl}/${r.resourceType}/${r.id}`)},"resource":${asSeenBy(access.policy, r.json, r.patientId)},"search":{"mode":"match"}}`);
    const self = `${req.baseUrl}/Patient/${target.id}/$everything${req.query.length ? `?${new URLSearchParams(req.query)}` : ''}`;
    return {
      status: 200,
      headers: { 'content-type': 'application/fhir+json; charset=utf-8' },
      body: `{"resourceType":"Bundle","type":"searchset","total":${rows.length},"link":[{"relation":"self","url":${JSON.stringify(self)}}],"entry":[${entries.join(',')}]}`,
    };
  };
}
