/**
 * "Source unavailable" from live detection: a source whose last delivery failed is shown as
 * unavailable, with what it sent before still on the page and the date it is known as of; its
 * next successful delivery makes it connected again.
 */
import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { TRUST } from '../../../../test/support/patient-fixture.js';
import { usePatientAppSignedIn } from '../../../../test/support/patient-app.js';
import { listSourceDeliveries } from '../../../store/source-deliveries.js';

const observation = (status: string) => ({
  resourceType: 'Bundle', type: 'transaction',
  entry: [{ request: { method: 'POST', url: 'Observation' }, resource: { resourceType: 'Observation', meta: { source: TRUST }, status, code: { text: 'Heart rate' }, subject: { reference: 'Patient/ann-gp' } } }],
});

describe('patient app: a source whose deliveries fail', () => {
  const app = usePatientAppSignedIn('ann');

  it('records each bundle\u2019s outcome per source, and the app says what is known as of when', async () => {
    const before = cheerio.load((await app.browser.get('/patient/record')).body);
    expect(before('.app-unavailable').length).toBe(0);
    const delivered = (await listSourceDeliveries(app.t.db)).find((d) => d.source === TRUST)!;
    expect(delivered.lastSuccess).toBeInstanceOf(Date);
    expect(delivered.lastFailure).toBeUndefined();

    const refused = await app.t.fhir('POST', '/fhir', observation('not-a-status'));
    expect(refused.status).toBe(400);
    const failing = (await listSourceDeliveries(app.t.db)).find((d) => d.source === TRUST)!;
    expect(failing).toMatchObject({ lastSuccess: delivered.lastSuccess, failureStatus: 400 });

    const $ = cheerio.load((await app.browser.get('/patient/record')).body);
    const notice = $('.app-unavailable').text();
    expect(notice).toContain('Leeds Teaching Hospitals could not be reached recently, so what it sent up to');
    // What the hospital sent before is still shown, never a blank page.
    expect($('main').text()).toContain('Leeds Teaching Hospitals');
    const section = cheerio.load((await app.browser.get('/patient/record/hospital')).body);
    expect(section('.app-unavailable').text()).toContain('Leeds Teaching Hospitals could not be reached recently');
    expect(section('.app-item').length).toBeGreaterThan(0);

    expect((await app.t.fhir('POST', '/fhir', observation('final'))).status).toBe(200);
    const again = cheerio.load((await app.browser.get('/patient/record')).body);
    expect(again('.app-unavailable').length).toBe(0);
  });
});
