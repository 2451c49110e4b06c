/**
 * "Source unavailable" from live detection: a source whose last delivery failed is shown as
 * unavailable, with what it sent before still on the page and the date it is known as of; its
 * next successful delivery makes it connected again.
 */
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../../../../test/support/auth-app.js';
import { TRUST } from '../../../../test/support/patient-fixture.js';
import { createPatientAppTest, signIn, type PatientAppTest } from '../../../../test/support/patient-app.js';
import { listSourceDeliveries } from '../../../store/source-deliveries.js';

const observation = (status: string) => ({
  resourceType: 'Bundle', type: 'transaction',
  entry: [{ request: { method: 'POST', url: 'Observation' }, resource: { resourceType: 'Observation', meta: { source: TRUST }, status, code: { text: 'Heart rate' }, subject: { reference: 'Patient/ann-gp' } } }],
});

describe('patient app: a source whose deliveries fail', () => {
  let t: PatientAppTest;
  let browser: TestBrowser;
  beforeAll(async () => {
    t = await createPatientAppTest();
    ({ browser } = await signIn(t, 'ann'));
  });
  afterAll(async () => t?.close());

  it('records each bundle\u2019s outcome per source, and the app says what is known as of when', async () => {
    const before = cheerio.load((await browser.get('/patient/record')).body);
    expect(before('.app-unavailable').length).toBe(0);
    const delivered = (await listSourceDeliveries(t.db)).find((d) => d.source === TRUST)!;
    expect(delivered.lastSuccess).toBeInstanceOf(Date);
    expect(delivered.lastFailure).toBeUndefined();

    const refused = await t.fhir('POST', '/fhir', observation('not-a-status'));
    expect(refused.status).toBe(400);
    const failing = (await listSourceDeliveries(t.db)).find((d) => d.source === TRUST)!;
    expect(failing).toMatchObject({ lastSuccess: delivered.lastSuccess, failureStatus: 400 });

    const $ = cheerio.load((await browser.get('/patient/record')).body);
    const notice = $('.app-unavailable').text();
    expect(notice).toContain('Leeds Teaching Hospitals could not be reached recently, so what it sent up to');
    // What the hospital sent before is still shown, never a blank page.
    expect($('main').text()).toContain('Leeds Teaching Hospitals');
    const section = cheerio.load((await browser.get('/patient/record/hospital')).body);
    expect(section('.app-unavailable').text()).toContain('Leeds Teaching Hospitals could not be reached recently');
    expect(section('.app-item').length).toBeGreaterThan(0);

    expect((await t.fhir('POST', '/fhir', observation('final'))).status).toBe(200);
    const again = cheerio.load((await browser.get('/patient/record')).body);
    expect(again('.app-unavailable').length).toBe(0);
  });
});
