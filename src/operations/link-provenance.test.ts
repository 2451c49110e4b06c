import { describe, expect, it } from 'vitest';
import { validateResource } from '../fhir/validation/index.js';
import { testPrincipal } from '../../test/support/principals.js';
import { linkAgentOf, linkProvenance } from './link-provenance.js';

describe('linkProvenance', () => {
  const recorded = new Date('2026-01-02T03:04:05.000Z');

  it('names a signed-in person by their resource and organisation, and is valid R4', () => {
    const principal = testPrincipal('practitioner', 'user/*.cruds', { fhirUser: 'Practitioner/9', organization: 'Organization/A99001' });
    const agent = linkAgentOf(principal, { displayName: 'Dr Ann Lee', organizationName: 'Riverside Surgery' });
    const p = linkProvenance({ action: 'link', targets: ['Patient/a/_history/2', 'Patient/b/_history/4'], agent, reason: 'Confirmed at the desk', recorded });
    expect(validateResource(p).filter((i) => i.severity === 'error')).toEqual([]);
    expect(p).toMatchObject({
      target: [{ reference: 'Patient/a/_history/2' }, { reference: 'Patient/b/_history/4' }],
      recorded: '2026-01-02T03:04:05.000Z',
      reason: [{ text: 'Confirmed at the desk' }],
      activity: { coding: [{ code: 'link' }] },
      agent: [{ who: { reference: 'Practitioner/9', display: 'Dr Ann Lee' }, onBehalfOf: { reference: 'Organization/A99001', display: 'Riverside Surgery' } }],
    });
  });

  it('names a backend system by its OAuth client id, and has no reason unless given', () => {
    const p = linkProvenance({ action: 'unlink', targets: ['Patient/a/_history/3', 'Patient/b/_history/5'], agent: linkAgentOf(testPrincipal('system', 'system/*.cruds')), recorded });
    expect(validateResource(p).filter((i) => i.severity === 'error')).toEqual([]);
    expect(p['reason']).toBeUndefined();
    expect(p).toMatchObject({ activity: { coding: [{ code: 'unlink' }] }, agent: [{ who: { identifier: { system: 'urn:ietf:params:oauth:client-id', value: 'test-client' }, display: 'test-client' } }] });
  });
});
