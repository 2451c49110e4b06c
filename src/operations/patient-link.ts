/**
 * `POST [base]/Patient/{id}/$link` and `$unlink`: record, or withdraw, that two Patient records
 * are the same person, without merging them. Each record gets (or loses) a `Patient.link` of
 * type `seealso` to the other, as a new version of both, in one database transaction; nothing
 * is copied, merged or deleted, so an unlink restores exactly the two separate records.
 * Linking what is already linked, or unlinking what is not, changes nothing (no new versions).
 *
 * Body: a Parameters resource with `other` = `valueReference` to the other Patient
 * (`Patient/{id}`, or an absolute URL on this server) and optionally `reason` (`valueString`: why
 * the records are, or are not, the same person). Answer: a Parameters resource with `patient` and
 * `other` (each record's current version) and `changed` (false when nothing had to be written).
 *
 * Every change is accounted for in the same transaction as the new versions: a Provenance
 * (`link-provenance.ts`) targeting both Patient versions, naming the caller, the activity and the
 * reason, and the caller's audit record in both patients' audit trails. A request that changes
 * nothing writes neither (it is audited as a read-only operation).
 *
 * @see https://hl7.org/fhir/R4/patient-definitions.html#Patient.link
 * @see https://hl7.org/fhir/R4/valueset-link-type.html (seealso: "another patient resource that
 *   refers to the same individual")
 */
import { badRequest, gone, invalid, methodNotAllowed, notFound, unsupportedMediaType } from '../fhir/outcome.js';
import { isObject, type Resource } from '../fhir/types.js';
import { validateResource } from '../fhir/validation/index.js';
import type { FhirStore, WriteAudit } from '../store/fhir-store.js';
import type { Principal } from '../auth/principal.js';
import { linkAgentOf, linkProvenance, type LinkAgent } from './link-provenance.js';

/** Canonical URL of the `$link` operation (Tessera's own; FHIR R4 defines none). */
export const LINK_OPERATION_DEFINITION = 'https://tessera.example/fhir/OperationDefinition/Patient-link';
/** Canonical URL of the `$unlink` operation. */
export const UNLINK_OPERATION_DEFINITION = 'https://tessera.example/fhir/OperationDefinition/Patient-unlink';

/** Whether to add or remove the link. */
export type LinkAction = 'link' | 'unlink';

/** The request an operation handler receives: structurally the router's `FhirRequest`. */
export interface LinkRequest {
  method: string;
  query: [string, string][];
  headers: Record<string, string | undefined>;
  body?: unknown;
  baseUrl: string;
}

/** The response an operation handler returns: structurally the router's `FhirResponse`. */
export interface LinkResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The caller as the router binds it (structurally its `Caller`; operations do not import
 * `http/`): who they are, and their request's audit record.
 */
export interface LinkCaller {
  principal: Principal;
  displayName?: string;
  organizationName?: string;
  audit: {
    /** Notes a patient the request reached. */
    patient(id: string): void;
    /** The callback that appends the request's audit record inside a write's transaction. */
    forWrite(): WriteAudit | undefined;
  };
}

/** What the operations need from the store. */
export type LinkStore = Pick<FhirStore, 'db' | 'session'>;

/** The two records after a link or unlink. */
export interface LinkResult {
  /** Current Patient JSON text of the record the operation was invoked on. */
  readonly patient: string;
  /** Current Patient JSON text of the other record. */
  readonly other: string;
  /** False when the records were already as asked and nothing was written. */
  readonly changed: boolean;
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** The Patient id `reference` names (`Patient/x`, `Patient/x/_history/2`, or absolute on `baseUrl`), if it names one. */
function patientIdOf(reference: string, baseUrl?: string): string | undefined {
  let rel = reference;
  if (baseUrl !== undefined && rel.startsWith(`${baseUrl}/`)) rel = rel.slice(baseUrl.length + 1);
  const m = /^Patient\/([^/]+)(?:\/_history\/[^/]+)?$/.exec(rel);
  return m && ID.test(m[1]!) ? m[1] : undefined;
}

/** The parameters of `$link` and `$unlink`. */
export interface LinkParameters {
  /** The other Patient's id. */
  other: string;
  /** Why, when the caller said. */
  reason?: string;
}

/** Reads `other` and `reason`; 400 naming the parameter when one is missing, repeated or of the wrong kind. */
export function parseLinkParameters(body: unknown, baseUrl: string, op: string): LinkParameters {
  if (body === undefined) throw badRequest(`${op} takes a Parameters body with the other Patient in 'other'`, 'Parameters');
  if (typeof body === 'string') throw unsupportedMediaType('Send the Parameters as application/fhir+json');
  if (!isObject(body) || body['resourceType'] !== 'Parameters') throw badRequest(`The body of ${op} must be a Parameters resource`, 'Parameters');
  const issues = validateResource(body);
  if (issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) throw invalid(issues);
  const params = Array.isArray(body['parameter']) ? (body['parameter'] as Record<string, unknown>[]) : [];
  let other: string | undefined;
  let reason: string | undefined;
  params.forEach((p, i) => {
    const at = `Parameters.parameter[${i}]`;
    if (p['name'] === 'reason') {
      if (reason !== undefined) throw badRequest(`'reason' is given more than once`, `${at}.name`);
      if (typeof p['valueString'] !== 'string' || p['valueString'].trim() === '') throw badRequest(`'reason' must be a non-empty valueString`, `${at}.valueString`);
      reason = p['valueString'].trim();
      return;
    }
    if (p['name'] !== 'other') throw badRequest(`Unknown parameter '${String(p['name'])}' for ${op} (other, reason)`, `${at}.name`);
    if (other !== undefined) throw badRequest(`'other' is given more than once; ${op} takes one Patient at a time`, `${at}.name`);
    const ref = isObject(p['valueReference']) ? p['valueReference']['reference'] : undefined;
    if (typeof ref !== 'string') throw badRequest(`'other' must be a valueReference to a Patient, e.g. Patient/123`, `${at}.valueReference.reference`);
    const id = patientIdOf(ref, baseUrl);
    if (id === undefined) throw badRequest(`'other' must refer to a Patient on this server (Patient/{id}), not '${ref}'`, `${at}.valueReference.reference`);
    other = id;
  });
  if (other === undefined) throw badRequest(`'other' (the Patient to ${op.slice(1)} with) is required`, 'Parameters.parameter');
  return reason !== undefined ? { other, reason } : { other };
}

/** Who asks for a link change, and how it is accounted for. */
export interface LinkOptions {
  /** Who made the change: the Provenance agent. */
  agent: LinkAgent;
  /** Why, recorded as the Provenance reason. */
  reason?: string;
  /** The server base, to recognise absolute references to this server's Patients. */
  baseUrl?: string;
  /** Appends the caller's audit record of the change inside its transaction. */
  audit?: WriteAudit;
}

/** `patient` with its `seealso` link to `otherId` added or removed, or `undefined` when already so. */
function withLink(patient: Resource, otherId: string, action: LinkAction, baseUrl?: string): Resource | undefined {
  const links = Array.isArray(patient['link']) ? (patient['link'] as unknown[]) : [];
  const isToOther = (l: unknown) => {
    if (!isObject(l) || l['type'] !== 'seealso' || !isObject(l['other'])) return false;
    const ref = l['other']['reference'];
    return typeof ref === 'string' && patientIdOf(ref, baseUrl) === otherId;
  };
  if (action === 'link') {
    if (links.some(isToOther)) return undefined;
    return { ...patient, link: [...links, { other: { reference: `Patient/${otherId}` }, type: 'seealso' }] };
  }
  const kept = links.filter((l) => !isToOther(l));
  if (kept.length === links.length) return undefined;
  const { link: _dropped, ...rest } = patient;
  return (kept.length > 0 ? { ...rest, link: kept } : rest) as Resource;
}

/**
 * Adds (`link`) or removes (`unlink`) the reciprocal `seealso` links between Patient `id` and
 * Patient `otherId` in one transaction, locking both rows, with the change's Provenance and
 * audit record in the same transaction. Existing links are recognised as `Patient/{id}` or as
 * absolute references on `baseUrl`. 404 for an unknown patient, 410 for a deleted one, 400 for a
 * patient and itself.
 */
export async function setPatientLink(store: LinkStore, id: string, otherId: string, action: LinkAction, opts: LinkOptions): Promise<LinkResult> {
  const { baseUrl } = opts;
  if (id === otherId) throw badRequest(`A patient cannot be ${action}ed to itself`, 'Parameters.parameter[0].valueReference.reference');
  return store.db.transaction(async (tx) => {
    const session = store.session(tx);
    await session.prefetch([{ type: 'Patient', id }, { type: 'Patient', id: otherId }]);
    const read = async (pid: string) => {
      const row = ID.test(pid) ? await session.current('Patient', pid) : undefined;
      if (!row) throw notFound(`Patient/${pid} is not known`);
      if (row.is_deleted) throw gone(`Patient/${pid} has been deleted`);
      return row.content;
    };
    const current = [await read(id), await read(otherId)];
    const next = [
      withLink(JSON.parse(current[0]!) as Resource, otherId, action, baseUrl),
      withLink(JSON.parse(current[1]!) as Resource, id, action, baseUrl),
    ];
    const out = [...current];
    const changed = next.some((r) => r !== undefined);
    if (!changed) return { patient: out[0]!, other: out[1]!, changed };
    for (const [i, resource] of next.entries()) {
      if (resource === undefined) continue;
      const { write } = await session.update(resource);
      out[i] = write.json;
    }
    // Both versions as they stand now (one side may have had the link already).
    const targets = [id, otherId].map((pid, i) => `Patient/${pid}/_history/${(JSON.parse(out[i]!) as Resource).meta?.versionId}`) as [string, string];
    await session.create(linkProvenance({ action, targets, agent: opts.agent, recorded: session.timestamp, ...(opts.reason ? { reason: opts.reason } : {}) }));
    await session.flush();
    if (opts.audit) await opts.audit.append(tx, session.pending().filter((w) => !w.unchanged));
    return { patient: out[0]!, other: out[1]!, changed };
  });
}

/** The `$link` or `$unlink` handler for the operation table. */
export function linkHandler(deps: { store: LinkStore }, action: LinkAction) {
  const op = `$${action}`;
  return async (req: LinkRequest, target: { type?: string; id?: string }, caller: LinkCaller): Promise<LinkResponse> => {
    if (target.type !== 'Patient') throw notFound(`${op} is defined on Patient: POST [base]/Patient/{id}/${op}`);
    if (target.id === undefined) throw badRequest(`${op} is invoked on one patient: POST [base]/Patient/{id}/${op}`, 'url');
    if (req.method.toUpperCase() !== 'POST') throw methodNotAllowed(`${op} changes records, so it takes POST, not ${req.method}`);
    const unknown = req.query.find(([k]) => k !== '_format' && k !== '_pretty');
    if (unknown !== undefined) throw badRequest(`${op} takes its parameters in the body, not '${unknown[0]}' in the URL`, unknown[0]);
    const { other: otherId, reason } = parseLinkParameters(req.body, req.baseUrl, op);
    caller.audit.patient(otherId);
    const audit = caller.audit.forWrite();
    const result = await setPatientLink(deps.store, target.id, otherId, action, {
      agent: linkAgentOf(caller.principal, caller), baseUrl: req.baseUrl,
      ...(reason !== undefined ? { reason } : {}), ...(audit ? { audit } : {}),
    });
    const body = `{"resourceType":"Parameters","parameter":[{"name":"patient","resource":${result.patient}},{"name":"other","resource":${result.other}},{"name":"changed","valueBoolean":${result.changed}}]}`;
    return { status: 200, headers: { 'content-type': FHIR_JSON }, body };
  };
}
