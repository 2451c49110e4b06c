/**
 * The FHIR operations Tessera offers, keyed by name (without `$`), for the router.
 * @see https://hl7.org/fhir/R4/operations.html
 */
import type { OperationListing } from '../http/capability-statement.js';
import type { OperationHandler } from '../http/fhir-router.js';
import type { FhirStore } from '../store/fhir-store.js';
import { everythingHandler } from './patient-everything.js';
import { calculatorOperations } from './calculators/index.js';
import { LINK_OPERATION_DEFINITION, linkHandler, UNLINK_OPERATION_DEFINITION } from './patient-link.js';
import { MATCH_OPERATION_DEFINITION, matchHandler } from './patient-match.js';

/** Operation table entry. */
export interface OperationEntry {
  handler: OperationHandler;
  listing: OperationListing;
}

/** Dependencies of the operations. */
export interface OperationDeps {
  store: FhirStore;
  now: () => Date;
}

/** Builds the operation table. */
export function buildOperations(deps: OperationDeps): Map<string, OperationEntry> {
  const ops = new Map<string, OperationEntry>();
  ops.set('everything', {
    handler: everythingHandler(deps.store),
    listing: { name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' },
  });
  ops.set('match', { handler: matchHandler(deps), listing: { name: 'match', definition: MATCH_OPERATION_DEFINITION } });
  ops.set('link', { handler: linkHandler(deps, 'link'), listing: { name: 'link', definition: LINK_OPERATION_DEFINITION } });
  ops.set('unlink', { handler: linkHandler(deps, 'unlink'), listing: { name: 'unlink', definition: UNLINK_OPERATION_DEFINITION } });
  for (const [name, op] of calculatorOperations({ store: deps.store, now: deps.now })) ops.set(name, op);
  return ops;
}
