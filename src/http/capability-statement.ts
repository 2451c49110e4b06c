/**
 * The CapabilityStatement at `/metadata`, generated from what the router and store really do.
 * @see https://hl7.org/fhir/R4/capabilitystatement.html
 * @see https://hl7.org/fhir/R4/http.html#capabilities
 */
import type { Resource } from '../fhir/types.js';
import type { SearchRegistry } from '../search/registry.js';

const TYPE_INTERACTIONS = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type'];
const SEARCHABLE_TYPES = new Set(['token', 'string', 'date', 'number', 'quantity', 'reference', 'uri']);

/** Extra operations registered by other modules (calculators, $everything, …). */
export interface OperationListing {
  name: string;
  definition: string;
}

/** Builds the CapabilityStatement. */
export function capabilityStatement(registry: SearchRegistry, resourceTypes: readonly string[], baseUrl: string, operations: OperationListing[] = [], now = new Date()): Resource {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: now.toISOString(),
    publisher: 'Tessera',
    kind: 'instance',
    software: { name: 'Tessera', version: '0.1.0' },
    implementation: { description: 'Tessera FHIR R4 server', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'history-system' }],
        resource: resourceTypes.map((type) => ({
          type,
          interaction: TYPE_INTERACTIONS.map((code) => ({ code })),
          versioning: 'versioned-update',
          readHistory: true,
          updateCreate: true,
          conditionalCreate: true,
          conditionalUpdate: true,
          conditionalDelete: 'multiple',
          referencePolicy: ['literal', 'logical'],
          searchInclude: ['*'],
          searchRevInclude: ['*'],
          searchParam: registry
            .all(type)
            .filter((d) => !d.isIndexing && SEARCHABLE_TYPES.has(d.type) && (d.path || d.code === '_id' || d.code === '_lastUpdated'))
            .map((d) => ({ name: d.code, definition: d.url, type: d.type })),
        })),
        ...(operations.length > 0 ? { operation: operations } : {}),
      },
    ],
  };
}
