/**
 * "Something looks wrong": a patient's report about one entry of their record, as a FHIR Task
 * for the organisation whose system the entry came from (focus = the entry, for = the patient,
 * owner = that organisation when known, status requested), and how its progress is said in
 * plain words. Pure.
 *
 * @see https://hl7.org/fhir/R4/task.html
 */
import type { Resource } from '../../fhir/types.js';
import { clinicalDate, codings, obj, str, type Ref } from './fhir-values.js';
import { formatDate } from './format.js';

/** Tessera's code system for the kinds of report. */
export const RECORD_QUERY_SYSTEM = 'https://tessera.example/fhir/CodeSystem/patient-record-query';
/** ODS organisation codes. */
export const ODS_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';

/** The kinds of report, with what the patient sees. */
export const QUERY_REASONS: readonly { code: string; text: string; hint: string }[] = [
  { code: 'not-mine', text: 'This is not about me', hint: 'For example, it belongs to someone else with a similar name.' },
  { code: 'wrong', text: 'Something in it is wrong', hint: 'For example, the wrong medicine, dose, date or diagnosis.' },
  { code: 'out-of-date', text: 'It is out of date', hint: 'For example, a medicine you no longer take or a problem that has gone.' },
  { code: 'missing-context', text: 'Something important is missing', hint: 'For example, the reason it was recorded or a later change.' },
];

/** The most a patient may write. */
export const MAX_DETAILS = 1000;

/** The form as submitted. */
export interface QueryForm {
  reason?: string;
  details?: string;
}

/** Checks the form; returns errors with the field they are about. */
export function validateQuery(form: QueryForm): { text: string; href: string }[] {
  const errors: { text: string; href: string }[] = [];
  if (!QUERY_REASONS.some((r) => r.code === form.reason)) errors.push({ text: 'Select what looks wrong', href: '#reason' });
  if ((form.details ?? '').length > MAX_DETAILS) errors.push({ text: `Tell us more in ${MAX_DETAILS} characters or fewer`, href: '#details' });
  return errors;
}

/** What the Task needs to know. */
export interface QueryInput {
  reason: string;
  details?: string;
  item: Resource;
  itemTitle: string;
  patientId: string;
  requester?: { reference?: string; display: string };
  owner?: { odsCode?: string; name: string };
  source?: string;
  now: Date;
}

/** The Task for a report. */
export function queryTask(q: QueryInput): Resource {
  const reason = QUERY_REASONS.find((r) => r.code === q.reason)!;
  const task: Resource = {
    resourceType: 'Task',
    ...(q.source ? { meta: { source: q.source } } : {}),
    status: 'requested',
    intent: 'proposal',
    priority: 'routine',
    code: { coding: [{ system: RECORD_QUERY_SYSTEM, code: reason.code, display: reason.text }], text: 'A patient reports a problem with an entry in their record' },
    focus: { reference: `${q.item.resourceType}/${q.item.id}`, display: q.itemTitle },
    for: { reference: `Patient/${q.patientId}` },
    authoredOn: q.now.toISOString(),
    lastModified: q.now.toISOString(),
  };
  const details = (q.details ?? '').trim();
  if (details) task.description = details;
  if (q.requester) task.requester = { ...(q.requester.reference ? { reference: q.requester.reference } : {}), display: q.requester.display };
  if (q.owner) task.owner = { ...(q.owner.odsCode ? { identifier: { system: ODS_SYSTEM, value: q.owner.odsCode } } : {}), display: q.owner.name };
  return task;
}

const STATUS_WORDS: Readonly<Record<string, string>> = {
  draft: 'Not sent yet', requested: 'Sent', received: 'Received', accepted: 'Being looked at', 'in-progress': 'Being looked at',
  'on-hold': 'On hold', ready: 'Being looked at', completed: 'Done', rejected: 'Not changed', cancelled: 'Withdrawn', failed: 'Could not be completed', 'entered-in-error': 'Withdrawn',
};

/** A report as the "things I have reported" page lists it. */
export interface QueryView {
  id: string;
  what: string;
  reason: string;
  details?: string;
  status: string;
  isDone: boolean;
  sentTo: string;
  date: string;
  time: number;
  reply?: string;
}

/** Describes a Task for the patient. */
export function queryView(t: Resource): QueryView {
  const when = clinicalDate(t);
  const status = str(t.status) ?? 'requested';
  const reply = str(obj<{ text?: string }>(t.statusReason)?.text) ?? (Array.isArray(t.note) ? str((t.note as { text?: string }[]).at(-1)?.text) : undefined);
  return {
    id: t.id ?? '',
    what: str(obj<Ref>(t.focus)?.display) ?? 'An entry in your record',
    reason: codings(t.code)[0]?.display ?? 'Something looks wrong',
    ...(str(t.description) ? { details: str(t.description)! } : {}),
    status: STATUS_WORDS[status] ?? status,
    isDone: ['completed', 'rejected', 'cancelled', 'failed', 'entered-in-error'].includes(status),
    sentTo: str(obj<Ref>(t.owner)?.display) ?? 'the organisation that holds your record',
    date: formatDate(when),
    time: when?.getTime() ?? 0,
    ...(reply ? { reply } : {}),
  };
}
