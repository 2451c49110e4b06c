/** Audit fixtures shared by the audit tests: one access as the access layer records it. */
import type { AccessRecord } from '../../src/audit/access-record.js';

/** A GP reading one observation of patient p1, at a fixed time. */
export const gpRead: AccessRecord = {
  action: 'read',
  outcome: 'success',
  at: new Date('2026-03-04T10:11:12.345Z'),
  agent: {
    reference: 'Practitioner/9', display: 'Dr Ada Okafor', role: 'gp', organization: 'Organization/42',
    clientId: 'clinician-app', userId: 'u-17', tokenId: 'tok-1',
  },
  patientIds: ['p1'],
  entities: ['Observation/o1'],
  purpose: 'TREAT',
  sourceIp: '10.1.2.3',
};
