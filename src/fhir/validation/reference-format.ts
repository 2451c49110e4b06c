/**
 * The formats of `Reference.reference` and `Bundle.entry.fullUrl`. Only the form is checked:
 * whether the target exists, and whether its type is one the element allows, needs the store or
 * the bundle and is left to the layers that have them.
 *
 * @see https://hl7.org/fhir/R4/references.html#literal
 * @see https://hl7.org/fhir/R4/bundle.html#references
 */
import { quote } from './primitive-values.js';
import { isKnownResourceType } from './resource-types.js';

/** `Type/id` or `Type/id/_history/vid`, relative to the service base (references.html#literal). */
const RELATIVE = /^([A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
/** `Type?search`: a conditional reference, resolved by the server (http.html#trules). */
const CONDITIONAL = /^([A-Za-z]+)\?./;
/** `#id` names a contained resource; a bare `#` names the container (references.html#contained). */
const CONTAINED = /^#(?:[A-Za-z0-9\-.]{1,64})?$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
/**
 * RFC 4122 hex is "case insensitive on input", so an upper-case UUID in a reference is accepted
 * here; the `uuid` datatype itself (lower case only) is checked by its regex elsewhere.
 */
const UUID = /^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const OID = /^urn:oid:[0-2](?:\.(?:0|[1-9][0-9]*))+$/;
const HTTP = /^https?:\/\/[^/?#]+/;

/**
 * Returns why `reference` is not a valid `Reference.reference`, or undefined. Conditional
 * references (`Patient?identifier=…`) are only allowed inside a transaction, which replaces them
 * with the matched resource's id before anything is stored.
 *
 * @see https://hl7.org/fhir/R4/references.html#literal
 * @see https://hl7.org/fhir/R4/http.html#trules
 */
export function checkReference(reference: string, allowConditional: boolean): string | undefined {
  const first = reference.charCodeAt(0);
  if (first === 35 /* # */) {
    return CONTAINED.test(reference) ? undefined
      : `Invalid contained reference ${quote(reference)}: expected '#' and the id of a contained resource`;
  }
  const relative = RELATIVE.exec(reference);
  if (relative !== null) return checkType(reference, relative[1] ?? '');
  if (SCHEME.test(reference)) return checkAbsolute(reference, 'reference');
  const conditional = CONDITIONAL.exec(reference);
  if (conditional !== null) {
    if (!allowConditional) {
      return `Conditional reference ${quote(reference)} is only allowed in a transaction Bundle entry`;
    }
    return checkType(reference, conditional[1] ?? '');
  }
  return `Invalid reference ${quote(reference)}: expected [type]/[id], [type]/[id]/_history/[vid], an absolute URL, urn:uuid:, urn:oid: or #[contained id]`;
}

/**
 * Returns why `fullUrl` is not a valid `Bundle.entry.fullUrl` ("The Absolute URL for the
 * resource", or a `urn:uuid:`/`urn:oid:` for one with no server address yet), or undefined.
 *
 * @see https://hl7.org/fhir/R4/bundle-definitions.html#Bundle.entry.fullUrl
 */
export function checkFullUrl(fullUrl: string): string | undefined {
  if (!SCHEME.test(fullUrl)) return `fullUrl ${quote(fullUrl)} must be an absolute URL, urn:uuid: or urn:oid:`;
  return checkAbsolute(fullUrl, 'fullUrl');
}

function checkAbsolute(url: string, what: string): string | undefined {
  if (url.startsWith('urn:uuid:')) {
    return UUID.test(url) ? undefined : `Invalid ${what} ${quote(url)}: a urn:uuid: needs an RFC 4122 UUID (8-4-4-4-12 hex digits)`;
  }
  if (url.startsWith('urn:oid:')) {
    return OID.test(url) ? undefined : `Invalid ${what} ${quote(url)}: a urn:oid: needs a dotted OID`;
  }
  if ((url.startsWith('http:') || url.startsWith('https:')) && !HTTP.test(url)) {
    return `Invalid ${what} ${quote(url)}: an http(s) URL needs a host`;
  }
  return undefined;
}

function checkType(reference: string, type: string): string | undefined {
  return isKnownResourceType(type) ? undefined
    : `Invalid reference ${quote(reference)}: '${type}' is not an R4 resource type`;
}
