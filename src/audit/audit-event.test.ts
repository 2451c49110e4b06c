import { describe, expect, it } from 'vitest';
import { validateResource } from '../fhir/validation/index.js';
import { ACCESS_ACTIONS, ACCESS_OUTCOMES, MAX_AUDIT_ENTITIES, chainKeysOf, NO_PATIENT_CHAIN, type AccessRecord } from './access-record.js';
import { auditEventOf, buildAuditEvent, patientAccessView } from './audit-event.js';
import { storedAccessForPatient, storedAccessOf } from './stored-access.js';
import { gpRead } from '../../test/support/access-records.js';


describe('buildAuditEvent (https://hl7.org/fhir/R4/auditevent.html)', () => {
  it('describes a GP reading an observation: REST read, user and client agents, patient and resource entities', () => {
    const e = buildAuditEvent(gpRead, { id: 'e1' });
    expect(e).toMatchObject({
      resourceType: 'AuditEvent',
      id: 'e1',
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
      subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }],
      action: 'R',
      recorded: '2026-03-04T10:11:12.345Z',
      outcome: '0',
      purposeOfEvent: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }] }],
      source: { observer: { display: 'Tessera' } },
    });
    expect(e.outcomeDesc).toBeUndefined();
    const [user, client, org] = e.agent;
    expect(user).toMatchObject({
      requestor: true, who: { reference: 'Practitioner/9', display: 'Dr Ada Okafor' }, altId: 'u-17',
      role: [{ coding: [{ code: 'gp' }] }], policy: ['urn:jti:tok-1'], type: { coding: [{ code: 'IRCP' }] },
    });
    expect(client).toMatchObject({ requestor: false, who: { identifier: { value: 'clinician-app' } }, network: { address: '10.1.2.3', type: '2' } });
    expect(org).toMatchObject({ requestor: false, who: { reference: 'Organization/42' } });
    expect(e.entity).toEqual([
      expect.objectContaining({ what: { reference: 'Patient/p1' }, role: expect.objectContaining({ code: '1' }) }),
      expect.objectContaining({ what: { reference: 'Observation/o1' }, role: expect.objectContaining({ code: '4' }) }),
    ]);
    expect(validateResource(e)).toEqual([]);
  });

  it('marks break-glass as an emergency override with BTG and the reason given', () => {
    const e = buildAuditEvent({ ...gpRead, action: 'break-glass', purpose: 'ETREAT', reason: 'Unconscious in A&E', entities: [] }, { id: 'e2' });
    expect(e.type).toMatchObject({ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110113' });
    expect(e.subtype).toEqual([expect.objectContaining({ code: '110127', display: 'Emergency Override Started' })]);
    expect(e.purposeOfEvent).toEqual([{
      coding: [expect.objectContaining({ code: 'ETREAT' }), expect.objectContaining({ code: 'BTG', display: 'break the glass' })],
      text: 'Unconscious in A&E',
    }]);
    expect(validateResource(e)).toEqual([]);
  });

  it('adds BTG to a break-glass with no declared purpose, once', () => {
    expect(buildAuditEvent({ ...gpRead, action: 'break-glass', purpose: undefined }, { id: 'x' }).purposeOfEvent?.[0]?.coding?.map((c) => c.code)).toEqual(['BTG']);
    expect(buildAuditEvent({ ...gpRead, action: 'break-glass', purpose: 'BTG' }, { id: 'x' }).purposeOfEvent?.[0]?.coding?.map((c) => c.code)).toEqual(['BTG']);
  });

  it('carries a search as a base64 query entity', () => {
    const query = 'Observation?patient=p1&code=http://loinc.org|8867-4';
    const e = buildAuditEvent({ ...gpRead, action: 'search', query }, { id: 'e3' });
    expect(e.action).toBe('E');
    const q = e.entity?.find((x) => x.query);
    expect(q?.role?.code).toBe('24');
    expect(Buffer.from(q!.query!, 'base64').toString('utf8')).toBe(query);
    expect(validateResource(e)).toEqual([]);
  });

  it('records a backend service as the requesting client with no person agent', () => {
    const e = buildAuditEvent({ ...gpRead, action: 'export', agent: { clientId: 'nightly-export', role: 'system', tokenId: 'urn:uuid:9b1' }, patientIds: [], entities: [] }, { id: 'e4', site: 'trust-a' });
    expect(e.agent).toHaveLength(1);
    expect(e.agent[0]).toMatchObject({ requestor: true, who: { identifier: { value: 'nightly-export' } }, policy: ['urn:uuid:9b1'], role: [{ coding: [{ code: 'system' }] }] });
    expect(e.type.code).toBe('110106');
    expect(e.source.site).toBe('trust-a');
    expect(e.entity).toBeUndefined();
    expect(validateResource(e)).toEqual([]);
  });

  it('codes the patient acting on their own record as PAT, and writes as AGNT', () => {
    const own = buildAuditEvent({ ...gpRead, agent: { reference: 'Patient/p1', role: 'patient', clientId: 'nhs-app' } }, { id: 'a' });
    expect(own.agent[0]!.type?.coding?.[0]?.code).toBe('PAT');
    const write = buildAuditEvent({ ...gpRead, action: 'update' }, { id: 'b' });
    expect(write.agent[0]!.type?.coding?.[0]?.code).toBe('AGNT');
    expect(write.action).toBe('U');
  });

  it('lists at most MAX_AUDIT_ENTITIES entities and counts the rest', () => {
    const entities = Array.from({ length: 250 }, (_, i) => `Observation/o${i}`);
    const e = buildAuditEvent({ ...gpRead, action: 'search', entities, query: 'Observation?patient=p1' }, { id: 'e5' });
    const listed = e.entity!.filter((x) => x.what);
    expect(listed).toHaveLength(MAX_AUDIT_ENTITIES);
    expect(e.entity!.find((x) => x.description)?.description).toBe(`${251 - MAX_AUDIT_ENTITIES} more resources were touched and are not listed`);
    expect(validateResource(e)).toEqual([]);
  });

  it('names the patient once when the patient resource is also an entity', () => {
    const e = buildAuditEvent({ ...gpRead, entities: ['Patient/p1', 'Patient/p1'] }, { id: 'e6' });
    expect(e.entity).toHaveLength(1);
  });

  it.each(ACCESS_ACTIONS.flatMap((action) => ACCESS_OUTCOMES.map((outcome) => [action, outcome] as const)))(
    'is a valid R4 AuditEvent for %s / %s',
    (action, outcome) => {
      const e = buildAuditEvent({ ...gpRead, action, outcome, query: 'Patient?name=x', reason: 'why' }, { id: 'e' });
      expect(validateResource(e)).toEqual([]);
      expect(JSON.stringify(e)).not.toContain('undefined');
      if (outcome !== 'success') expect(['4', '8']).toContain(e.outcome);
    },
  );
});

describe('chainKeysOf', () => {
  it('is each distinct patient, sorted, or the no-patient chain', () => {
    expect(chainKeysOf({ patientIds: ['b', 'a', 'b'] })).toEqual(['a', 'b']);
    expect(chainKeysOf({ patientIds: [] })).toEqual([NO_PATIENT_CHAIN]);
  });
});

describe('copies and the patient view', () => {
  const multiRecord: AccessRecord = { ...gpRead, action: 'search', patientIds: ['p1', 'p2'], entities: ['Observation/o1', 'Observation/o2'], query: 'Observation?code=x' };
  const multi = buildAuditEvent(multiRecord, { id: 'm' });

  it('a chain copy names only its patient', () => {
    const copy = auditEventOf(storedAccessForPatient(storedAccessOf(multiRecord), 'p2'), 'm');
    expect(copy.id).toBe('m');
    expect(copy.entity).toEqual([expect.objectContaining({ what: { reference: 'Patient/p2' } })]);
    expect(validateResource(copy)).toEqual([]);
  });

  it('a patient sees who, why and when, but not the network address, token or other patients', () => {
    const view = patientAccessView(multi, ['p1']);
    expect(view.agent[0]).toMatchObject({ who: { reference: 'Practitioner/9', display: 'Dr Ada Okafor' }, role: [{ coding: [{ code: 'gp' }] }] });
    expect(JSON.stringify(view)).not.toMatch(/10\.1\.2\.3|tok-1|u-17|p2|Observation/);
    expect(view.entity).toEqual([expect.objectContaining({ what: { reference: 'Patient/p1' } })]);
    expect(view.purposeOfEvent).toEqual(multi.purposeOfEvent);
    expect(validateResource(view)).toEqual([]);
  });

  it('an access to this patient alone keeps its resources and query', () => {
    const single = buildAuditEvent({ ...gpRead, action: 'search', query: 'Observation?patient=p1' }, { id: 's' });
    expect(patientAccessView(single, ['p1']).entity).toEqual(single.entity);
  });
});
