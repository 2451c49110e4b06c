/**
 * Checks one primitive JSON value against its R4 datatype: the JSON type the spec requires
 * (https://hl7.org/fhir/R4/json.html#primitive), the datatype's regex from its
 * StructureDefinition, and the few rules the regexes cannot say (integer ranges, calendar dates,
 * the 1 MB string limit, base64 padding, the narrative root element).
 *
 * @see https://hl7.org/fhir/R4/datatypes.html#primitive
 */
import type { PrimitiveType } from './definitions.js';

/** Why a primitive value is invalid: the wrong JSON type (`structure`) or a bad value (`value`). */
export interface PrimitiveProblem {
  readonly code: 'structure' | 'value';
  readonly message: string;
}

/** https://hl7.org/fhir/R4/datatypes.html#integer: a 32-bit signed integer. */
const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;

/** https://hl7.org/fhir/R4/datatypes.html#string: "Strings SHALL NOT exceed 1MB (1024*1024 characters)". */
const MAX_STRING_LENGTH = 1024 * 1024;

/**
 * The base64 alphabet (RFC 4648 §4). The spec's regex `(\s*([0-9a-zA-Z\+/=]){4}\s*)+` is
 * ambiguous about which group owns each whitespace run, so a JavaScript engine can backtrack
 * exponentially on a long line-wrapped value with one bad character; a single pass over the
 * characters is linear, allocates nothing on megabyte attachments, and also rejects `=`
 * anywhere but the end, as RFC 4648 does.
 */
const BASE64_ALPHABET = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') BASE64_ALPHABET[c.charCodeAt(0)] = 1;

/** https://hl7.org/fhir/R4/narrative.html#xhtml: the root is a `div` in the XHTML namespace. */
const XHTML_ROOT = /^\s*<div\b[^>]*\sxmlns\s*=\s*["']http:\/\/www\.w3\.org\/1999\/xhtml["']/;

/** Characters R4 strings may not contain. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Returns why `value` is not a valid JSON representation of primitive `type`, or undefined when
 * it is. `null` is not handled here: whether it is allowed depends on the `_name` sibling.
 */
export function checkPrimitive(value: unknown, type: PrimitiveType): PrimitiveProblem | undefined {
  switch (type.json) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : wrongJsonType(value, type, 'a JSON boolean');
    case 'number':
      return typeof value === 'number' ? checkNumber(value, type) : wrongJsonType(value, type, 'a JSON number');
    case 'string':
      return typeof value === 'string' ? checkString(value, type) : wrongJsonType(value, type, 'a JSON string');
  }
}

function checkNumber(value: number, type: PrimitiveType): PrimitiveProblem | undefined {
  if (!Number.isFinite(value)) return bad(`${type.name} must be a finite number`);
  if (type.name === 'decimal') return undefined;
  if (!Number.isInteger(value)) return bad(`${type.name} must be a whole number, not ${value}`);
  const min = type.name === 'positiveInt' ? 1 : type.name === 'unsignedInt' ? 0 : INT_MIN;
  if (value < min || value > INT_MAX) return bad(`${type.name} must be between ${min} and ${INT_MAX}, not ${value}`);
  return undefined;
}

function checkString(value: string, type: PrimitiveType): PrimitiveProblem | undefined {
  if (value.length === 0) {
    // https://hl7.org/fhir/R4/json.html#primitive: "string property values can never be empty".
    return bad(`Empty ${type.name}: a property with no value must be left out`);
  }
  switch (type.name) {
    case 'base64Binary': return checkBase64(value);
    case 'xhtml': return XHTML_ROOT.test(value) ? undefined
      : bad('Narrative must be an XHTML <div> element in the namespace http://www.w3.org/1999/xhtml');
  }
  if (value.length > MAX_STRING_LENGTH) return bad(`${type.name} is longer than the 1 MB (1,048,576 characters) R4 allows`);
  if (CONTROL_CHARS.test(value)) {
    // https://hl7.org/fhir/R4/datatypes.html#string: no code points below 32 except tab, CR and LF.
    return bad(`${type.name} contains a control character (code point below 32 other than tab, CR or LF)`);
  }
  if (type.pattern !== undefined && !type.pattern.test(value)) return bad(`Invalid ${type.name} ${quote(value)}${hint(type.name)}`);
  if ((type.name === 'date' || type.name === 'dateTime' || type.name === 'instant') && !isCalendarDate(value)) {
    return bad(`Invalid ${type.name} ${quote(value)}: not a calendar date`);
  }
  return undefined;
}

function checkBase64(value: string): PrimitiveProblem | undefined {
  return isBase64(value) ? undefined : bad(`Invalid base64Binary ${quote(value)}: not RFC 4648 base64`);
}

/** Base64 with up to two `=` of padding at the end, ignoring XML whitespace (space, tab, CR, LF). */
function isBase64(value: string): boolean {
  let count = 0;
  let padding = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    if (c === 61 /* = */) {
      padding++;
    } else if (padding > 0 || c >= 128 || BASE64_ALPHABET[c] !== 1) {
      return false;
    }
    count++;
  }
  return count % 4 === 0 && padding <= 2;
}

/** The regexes allow 2023-02-31; "Dates SHALL be valid dates" (https://hl7.org/fhir/R4/datatypes.html#date). */
function isCalendarDate(value: string): boolean {
  if (value.length < 10) return true; // a year or year-month: the regex has checked it
  // The regex has checked these are digits; read them without allocating substrings.
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return day <= days;
}

function digits(value: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) n = n * 10 + value.charCodeAt(i) - 48;
  return n;
}

/** The mistakes people make most, spelled out. */
function hint(type: string): string {
  switch (type) {
    case 'dateTime': return ' (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+zz:zz; a time needs a time zone)';
    case 'instant': return ' (YYYY-MM-DDThh:mm:ss[.sss]+zz:zz or Z)';
    case 'date': return ' (YYYY, YYYY-MM or YYYY-MM-DD)';
    case 'time': return ' (hh:mm:ss)';
    case 'id': return ' (1 to 64 of A-Z a-z 0-9 - .)';
    case 'uuid': return ' (urn:uuid: and lower-case hex)';
    case 'oid': return ' (urn:oid: and dotted digits)';
    case 'code': return ' (no leading, trailing or repeated whitespace)';
    default: return '';
  }
}

function wrongJsonType(value: unknown, type: PrimitiveType, expected: string): PrimitiveProblem {
  return { code: 'structure', message: `${type.name} must be ${expected}, found ${describeJson(value)}` };
}

function bad(message: string): PrimitiveProblem {
  return { code: 'value', message };
}

/** Quotes a value for a diagnostic, shortened so a huge value does not end up in a response. */
export function quote(value: string): string {
  return value.length > 64 ? `'${value.slice(0, 61)}...' (${value.length} characters)` : `'${value}'`;
}

/** Names a JSON value's type for diagnostics: `object`, `array`, `null`, `string`, … */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `a string ${quote(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}
