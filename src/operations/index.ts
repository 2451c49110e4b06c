/**
 * The FHIR operations Tessera offers, keyed by name (without `$`), for the router.
 * @see https://hl7.org/fhir/R4/operations.html
 */
import type { OperationListing } from '../http/capability-statement.js';
import type { OperationEntry, OperationHandler } from '../http/fhir-router.js';
import type { FhirStore } from '../store/fhir-store.js';
import { everythingHandler } from './patient-everything.js';
import { calculatorOperations } from './calculators/index.js';
import { LINK_OPERATION_DEFINITION, linkHandler, UNLINK_OPERATION_DEFINITION } from './patient-link.js';
import { MATCH_OPERATION_DEFINITION, matchHandler } from './patient-match.js';
import { BREAK_GLASS_OPERATION_DEFINITION, breakGlassHandler } from './break-glass.js';
import { forbidden } from '../fhir/outcome.js';
import { ACCESS_LOG_OPERATION_DEFINITION, accessLogHandler } from './access-log.js';
import type { AuditSinks } from '../http/request-audit.js';
import type { AccessResolver } from '../store/caller-access.js';

export type { OperationEntry } from '../http/fhir-router.js';

/** Dependencies of the operations. */
export interface OperationDeps {
  store: FhirStore;
  access: AccessResolver;
  now: () => Date;
  /** The audit trail, for `$access-log` (absent: no trail is kept). */
  audit?: AuditSinks;
}

/**
 * Identity operations ($match, $link, $unlink) work across every record: they are for the
 * backend systems that run identity matching, not for people signed in to apps.
 */
function systemOnly(handler: OperationHandler): OperationHandler {
  return (req, target, access) => {
    if (access.policy.kind !== 'unrestricted') throw forbidden('This operation is available to backend systems only');
    return handler(req, target, access);
  };
}

/** Builds the operation table. */
export function buildOperations(deps: OperationDeps): Map<string, OperationEntry> {
  const ops = new Map<string, OperationEntry>();
  ops.set('everything', {
    handler: everythingHandler(deps.store),
    listing: { name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' },
  });
  ops.set('match', { handler: systemOnly(matchHandler(deps)), listing: { name: 'match', definition: MATCH_OPERATION_DEFINITION } });
  ops.set('link', { handler: systemOnly(linkHandler(deps, 'link')), listing: { name: 'link', definition: LINK_OPERATION_DEFINITION } });
  ops.set('unlink', { handler: systemOnly(linkHandler(deps, 'unlink')), listing: { name: 'unlink', definition: UNLINK_OPERATION_DEFINITION } });
  ops.set('access-log', { handler: accessLogHandler({ db: deps.store.db, ...(deps.audit ? { audit: deps.audit } : {}) }), listing: { name: 'access-log', definition: ACCESS_LOG_OPERATION_DEFINITION } });
  ops.set('break-glass', { handler: breakGlassHandler(deps), listing: { name: 'break-glass', definition: BREAK_GLASS_OPERATION_DEFINITION }, targetAccess: 'handler' });
  // Calculations read the record with the caller's visibility themselves (one query for the
  // patient and the readings), so the router need not read the patient first.
  for (const [name, op] of calculatorOperations({ store: deps.store, now: deps.now })) ops.set(name, { ...op, targetAccess: 'handler-reads' });
  return ops;
}
