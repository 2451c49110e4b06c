/**
 * `POST /fhir/Patient/{id}/$break-glass`: a member of staff without a care relationship opens
 * a patient's record in an emergency. They must state why; access lasts a limited time (default
 * 4 hours, at most 12); the patient's registered practice is alerted (a `Communication` to the
 * practice about the patient), and the access is audited with purpose `BTG`. What the patient
 * withheld from sharing stays withheld (as GP Connect does: a dissent cannot be overridden at
 * the point of care).
 *
 * Body: Parameters with `reason` (valueString, at least 10 characters) and optionally
 * `durationMinutes` (valueInteger, 1–720). Answer: Parameters with `expires` (valueInstant) and
 * `alert` (valueReference to the Communication).
 */
import { ACT_REASON } from '../access/codes.js';
import { granteeOf } from '../access/access-entries.js';
import { badRequest, forbidden, notFound } from '../fhir/outcome.js';
import type { Resource } from '../fhir/types.js';
import { isObject } from '../fhir/types.js';
import type { FhirRequest, FhirResponse } from '../http/fhir-types.js';
import type { AccessResolver } from '../store/caller-access.js';
import type { Caller } from '../http/fhir-router.js';
import type { FhirStore } from '../store/fhir-store.js';

/** The operation's canonical URL (defined by Tessera). */
export const BREAK_GLASS_OPERATION_DEFINITION = 'https://tessera.example/fhir/OperationDefinition/Patient-break-glass';

const DEFAULT_MINUTES = 240;
const MAX_MINUTES = 720;

interface BreakGlassRequest {
  reason: string;
  minutes: number;
}

/** Reads and checks the Parameters body; 400 naming the parameter at fault. */
export function parseBreakGlass(body: unknown): BreakGlassRequest {
  if (!isObject(body) || body.resourceType !== 'Parameters') throw badRequest('$break-glass takes a Parameters body with a reason', 'Parameters');
  const params = Array.isArray(body.parameter) ? (body.parameter as unknown[]) : [];
  let reason: string | undefined;
  let minutes = DEFAULT_MINUTES;
  params.forEach((p, i) => {
    const at = `Parameters.parameter[${i}]`;
    if (!isObject(p)) throw badRequest('Each parameter must be an object', at);
    if (p.name === 'reason') {
      if (typeof p.valueString !== 'string') throw badRequest('reason is a valueString', `${at}.valueString`);
      reason = p.valueString.trim();
    } else if (p.name === 'durationMinutes') {
      const v = p.valueInteger;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_MINUTES) throw badRequest(`durationMinutes is a valueInteger from 1 to ${MAX_MINUTES}`, `${at}.valueInteger`);
      minutes = v;
    } else {
      throw badRequest(`Unknown parameter '${String(p.name)}' for $break-glass (reason, durationMinutes)`, `${at}.name`);
    }
  });
  if (reason === undefined) throw badRequest('A reason is required to break the glass', 'Parameters.parameter');
  if (reason.length < 10) throw badRequest('Give the reason in a sentence (at least 10 characters)', 'Parameters.parameter.valueString');
  return { reason, minutes };
}

/** The operation's handler. */
export function breakGlassHandler(deps: { store: FhirStore; access: AccessResolver; now: () => Date }) {
  return async (req: FhirRequest, target: { type?: string; id?: string }, access: Caller): Promise<FhirResponse> => {
    access.audit.action = 'break-glass';
    if (target.type !== 'Patient' || !target.id) throw badRequest('$break-glass is invoked on Patient/{id}', 'url');
    if (req.method !== 'POST') throw badRequest('$break-glass takes POST', 'method');
    if (access.policy.kind !== 'staff') throw forbidden('Only clinical staff signed in as themselves can break the glass');
    const { reason, minutes } = parseBreakGlass(req.body);
    const patient = await deps.store.readCurrent('Patient', target.id);
    if (!patient || patient.deleted) throw notFound(`Patient/${target.id} is not known`);
    const p = access.principal;
    const now = deps.now();
    const expiresAt = new Date(now.getTime() + minutes * 60_000);
    const practice = ((JSON.parse(patient.json) as { generalPractitioner?: unknown[] }).generalPractitioner ?? []).map(granteeOf).find((g) => g?.startsWith('Organization/'));
    const who = p.fhirUser ?? `${p.issuer}|${p.subject}`;
    const alert: Resource = {
      resourceType: 'Communication',
      status: 'completed',
      category: [{ coding: [{ system: ACT_REASON, code: 'BTG', display: 'break the glass' }] }],
      priority: 'urgent',
      subject: { reference: `Patient/${target.id}` },
      ...(practice ? { recipient: [{ reference: practice }] } : {}),
      ...(p.fhirUser ? { sender: { reference: p.fhirUser } } : {}),
      sent: now.toISOString(),
      payload: [{ contentString: `Emergency access to this patient's record by ${who}${p.organization ? ` (${p.organization})` : ''} until ${expiresAt.toISOString()}. Reason given: ${reason}` }],
    };
    const alertId = await deps.store.db.transaction(async (tx) => {
      await deps.access.grantBreakGlass({
        patientId: target.id!, subject: `${p.issuer}|${p.subject}`, reason, grantedAt: now, expiresAt,
        ...(p.fhirUser ? { actor: p.fhirUser } : {}), ...(p.organization ? { organization: p.organization } : {}),
      }, tx);
      const s = deps.store.session(tx);
      const w = await s.create(alert);
      await s.flush();
      access.audit.touched('Communication', w.id, target.id);
      // The break-glass event itself, in the same transaction: BTG, with the reason given.
      await access.audit.appendIn(tx, 'success', { purpose: 'BTG', reason });
      return w.id;
    });
    const body = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'expires', valueInstant: expiresAt.toISOString() },
        { name: 'alert', valueReference: { reference: `Communication/${alertId}` } },
      ],
    };
    return { status: 200, headers: { 'content-type': 'application/fhir+json; charset=utf-8' }, body: JSON.stringify(body) };
  };
}
