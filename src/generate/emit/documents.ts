/**
 * DocumentReference bodies for clinical notes and letters: the text as a plain-text
 * attachment (base64), its SNOMED CT document type, author and custodian, and the encounter
 * and period it is about.
 *
 * @see https://hl7.org/fhir/R4/documentreference.html
 * @see https://hl7.org/fhir/R4/datatypes.html#Attachment
 */
import { conceptOf, type CodeListEntry } from '../code-lists/code-list.js';
import { isoDateTime } from '../dates.js';
import type { Ref } from './references.js';

/** What a note or letter says and who it is from. */
export interface DocumentInput {
  readonly type: CodeListEntry;
  readonly title: string;
  readonly text: string;
  readonly subject: Ref;
  /** When it was written (`DocumentReference.date`). */
  readonly date: Date;
  readonly author: Ref;
  readonly custodian: Ref;
  readonly encounter?: Ref;
  readonly period: { readonly start: Date; readonly end: Date };
}

/** The body of a DocumentReference. */
export function documentBody(d: DocumentInput): Record<string, unknown> {
  return {
    status: 'current',
    docStatus: 'final',
    type: conceptOf(d.type),
    subject: d.subject,
    date: isoDateTime(d.date),
    author: [d.author],
    custodian: d.custodian,
    description: d.title,
    content: [{
      attachment: {
        contentType: 'text/plain',
        language: 'en-GB',
        data: Buffer.from(d.text, 'utf8').toString('base64'),
        title: d.title,
        creation: isoDateTime(d.date),
      },
    }],
    context: {
      ...(d.encounter !== undefined ? { encounter: [d.encounter] } : {}),
      period: { start: isoDateTime(d.period.start), end: isoDateTime(d.period.end) },
    },
  };
}
