/**
 * JSON Patch (RFC 6902) applied to a resource, with failures as FHIR outcomes.
 * @see https://hl7.org/fhir/R4/http.html#patch
 */
import jsonpatch from 'fast-json-patch';
import { badRequest, unprocessable } from '../fhir/outcome.js';
import type { Resource } from '../fhir/types.js';

/** Applies `ops` to a copy of `resource`; 400 for a malformed patch, 422 when an op cannot apply. */
export function applyJsonPatch(resource: Resource, ops: unknown): Resource {
  if (!Array.isArray(ops)) throw badRequest('A JSON Patch body must be an array of operations', 'patch');
  const invalidOp = jsonpatch.validate(ops as jsonpatch.Operation[], resource);
  if (invalidOp) {
    const at = `patch[${invalidOp.index ?? 0}]`;
    if (invalidOp.name === 'TEST_OPERATION_FAILED') throw unprocessable(`Patch test failed at ${at}`, at);
    if (invalidOp.name === 'OPERATION_PATH_UNRESOLVABLE' || invalidOp.name === 'OPERATION_PATH_CANNOT_ADD') {
      throw unprocessable(`Patch ${at} cannot apply: ${invalidOp.message.split('\n')[0]}`, at);
    }
    throw badRequest(`Patch ${at} is invalid: ${invalidOp.message.split('\n')[0]}`, at);
  }
  try {
    const result = jsonpatch.applyPatch(structuredClone(resource), ops as jsonpatch.Operation[], false, false).newDocument;
    return result as Resource;
  } catch (err) {
    throw unprocessable(`Patch cannot apply: ${(err as Error).message.split('\n')[0]}`, 'patch');
  }
}
