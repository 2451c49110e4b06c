/**
 * The patient app's pages beyond the record: a condition's page, the timeline, reporting that
 * something looks wrong (a Task), who has looked, sharing choices (Consent), switching to a
 * linked profile — and, over every page, that withheld items never appear.
 */
import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { PROXY_ONLY_HIDDEN, SECRET_MARKERS } from '../../../test/support/patient-fixture.js';
import { usePatientAppSignedIn } from '../../../test/support/patient-app.js';
import { inputValue } from '../../../test/support/auth-app.js';
import { testPrincipal } from '../../../test/support/principals.js';
import { AuthStore } from '../../store/auth-store.js';

/** Every page of the app for the current profile. */
const PAGES = ['/patient', '/patient/record', '/patient/record/conditions', '/patient/record/medicines', '/patient/record/allergies', '/patient/record/immunisations',
  '/patient/record/consultations', '/patient/record/hospital', '/patient/results', '/patient/results/hba1c', '/patient/timeline', '/patient/activity', '/patient/sharing',
  '/patient/profiles', '/patient/requests', '/patient/conditions/c-diabetes', '/patient/flag/Condition/c-diabetes'];

describe('patient app: journeys', () => {
  const app = usePatientAppSignedIn('ann');

  it('a condition page gathers its diagnoses, medicines, tests and visits', async () => {
    const $ = cheerio.load((await app.browser.get('/patient/conditions/c-diabetes')).body);
    expect($('h1').text()).toBe('Type 2 diabetes');
    expect($('main').text()).toContain('Metformin');
    expect($('a[href="/patient/results/hba1c"]').text()).toContain('HbA1c');
    expect((await app.browser.get('/patient/conditions/c-redacted')).statusCode).toBe(404);
  });

  it('the timeline tells the story by year', async () => {
    const $ = cheerio.load((await app.browser.get('/patient/timeline')).body);
    const years = $('main h2').map((_, h) => $(h).text()).get();
    // 2023 holds only withheld entries, so it has no heading at all.
    expect(years.slice(0, 3)).toEqual(['2025', '2024', '2019']);
    expect($('main').text()).toContain('Hospital stay: Pneumonia');
  });

  it('"something looks wrong" creates a Task for the source organisation and shows its status', async () => {
    const form = await app.browser.get('/patient/flag/MedicationRequest/m-metformin-hosp');
    expect(form.statusCode).toBe(200);
    const csrf = inputValue(form.body, 'csrf')!;
    const invalid = await app.browser.postForm('/patient/flag/MedicationRequest/m-metformin-hosp', { csrf });
    expect(invalid.statusCode).toBe(400);
    const $e = cheerio.load(invalid.body);
    expect($e('.nhsuk-error-summary a').attr('href')).toBe('#reason');
    expect($e('head > title').text()).toMatch(/^Error: /);
    const sent = await app.browser.postForm('/patient/flag/MedicationRequest/m-metformin-hosp', { csrf, reason: 'out-of-date', details: 'I stopped this in March <b>honest</b>' });
    expect(sent.statusCode).toBe(303);
    const page = await app.browser.follow(sent);
    expect(page.body).toContain('Your report has been sent');
    expect(page.body).toContain('I stopped this in March &lt;b&gt;honest&lt;/b&gt;');
    const tasks = await app.t.fhir('GET', '/fhir/Task?patient=Patient/ann-gp');
    const task = tasks.body.entry[0].resource;
    expect(task).toMatchObject({ status: 'requested', intent: 'proposal', focus: { reference: 'MedicationRequest/m-metformin-hosp' }, for: { reference: 'Patient/ann-gp' }, owner: { identifier: { value: 'R9A' } } });
    expect(cheerio.load(page.body)('.nhsuk-tag').first().text().trim()).toBe('Sent');
    const forged = await app.browser.postForm('/patient/flag/MedicationRequest/m-metformin-hosp', { csrf: 'forged', reason: 'wrong' });
    expect(forged.statusCode).toBe(403);
  });

  it('who has looked: names, roles, organisations, reasons; break-glass highlighted; own visits left out', async () => {
    // Real accesses, recorded by the audit trail: an emergency doctor with no relationship is
    // refused, breaks the glass, then reads the record.
    await app.t.fhir('PUT', '/fhir/Organization/lth', { resourceType: 'Organization', id: 'lth', name: 'Leeds Teaching Hospitals' });
    const users = new AuthStore(app.t.db);
    await users.createUser({ id: 'u-sam', username: 'sam', displayName: 'Dr Sam Patel', role: 'hospital-doctor', passwordHash: 'x', fhirUser: 'Practitioner/ed-1', organization: 'Organization/lth' });
    const sam = testPrincipal('practitioner', 'user/*.cruds', { userId: 'u-sam', role: 'hospital-doctor', fhirUser: 'Practitioner/ed-1', organization: 'Organization/lth' });
    expect((await app.t.fhir('GET', '/fhir/Patient/ann-gp', undefined, sam)).status).toBe(404);
    const glass = await app.t.fhir('POST', '/fhir/Patient/ann-gp/$break-glass', { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'Brought in unconscious overnight' }] }, sam);
    expect(glass.status).toBe(200);
    expect((await app.t.fhir('GET', '/fhir/Patient/ann-gp', undefined, sam)).status).toBe(200);
    await app.t.flushAudit();
    const $ = cheerio.load((await app.browser.get('/patient/activity')).body);
    const items = $('.app-item');
    const texts = items.map((_, i) => $(i).text()).get();
    expect(texts.length).toBeGreaterThanOrEqual(3);
    expect(texts.filter((x) => x.includes('Dr Sam Patel')).length).toBeGreaterThanOrEqual(3);
    expect(texts.some((x) => x.includes('Leeds Teaching Hospitals'))).toBe(true);
    expect($('.app-break-glass').length).toBeGreaterThanOrEqual(1);
    expect($('.app-break-glass').first().text()).toContain('Emergency access');
    // Her own visits (every page she opened) are left out.
    expect($('main').text()).not.toContain('Ann Example');
  });

  it('sharing choices: view and change, stored as Consent', async () => {
    const form = await app.browser.get('/patient/sharing');
    const csrf = inputValue(form.body, 'csrf')!;
    const missing = await app.browser.postForm('/patient/sharing', { csrf });
    expect(missing.statusCode).toBe(400);
    const saved = await app.browser.follow(await app.browser.postForm('/patient/sharing', { csrf, ndoo: 'opt-out', category: 'PSY' }));
    expect(saved.body).toContain('Your sharing choices have been saved');
    const $ = cheerio.load(saved.body);
    expect($('input[name="ndoo"][value="opt-out"]').attr('checked')).toBeDefined();
    expect($('input[name="category"][value="PSY"]').attr('checked')).toBeDefined();
    const consents = (await app.t.fhir('GET', '/fhir/Consent?patient=Patient/ann-gp&status=active')).body;
    expect(consents.entry).toHaveLength(2);
    const undone = await app.browser.follow(await app.browser.postForm('/patient/sharing', { csrf, ndoo: 'share' }));
    expect(cheerio.load(undone.body)('input[name="ndoo"][value="share"]').attr('checked')).toBeDefined();
    const after = (await app.t.fhir('GET', '/fhir/Consent?patient=Patient/ann-gp&status=active')).body;
    expect(after.entry ?? []).toHaveLength(0);
  });

  it('no withheld, redacted, third-party or unfiled item appears on any page for the patient', async () => {
    for (const url of PAGES) {
      const res = await app.browser.get(url);
      expect(res.statusCode, url).toBe(200);
      for (const marker of SECRET_MARKERS) expect(res.body, `${marker} on ${url}`).not.toContain(marker);
    }
  });

  it('switches to a linked profile, shows the proxy scope, and hides what is hidden from proxies', async () => {
    const profiles = await app.browser.get('/patient/profiles');
    const $p = cheerio.load(profiles.body);
    expect($p('main').text()).toContain('book and manage their appointments');
    const csrf = inputValue(profiles.body, 'csrf')!;
    const home = await app.browser.follow(await app.browser.postForm('/patient/profiles', { csrf, profile: 'tom' }));
    const $ = cheerio.load(home.body);
    expect($('h1').text()).toBe('Tom Example');
    expect($('.app-acting-for').text()).toContain("Tom Example's record");
    const conditions = await app.browser.get('/patient/record/conditions');
    expect(conditions.body).toContain('Asthma');
    const tomPages = PAGES.filter((p) => !p.includes('c-diabetes') && !p.includes('hba1c'));
    for (const url of tomPages) {
      const res = await app.browser.get(url);
      for (const marker of SECRET_MARKERS) expect(res.body, `${marker} on ${url}`).not.toContain(marker);
    }
    expect(PROXY_ONLY_HIDDEN).toBeTruthy();
    const forged = await app.browser.postForm('/patient/profiles', { csrf, profile: 'ann-hosp' });
    expect(forged.statusCode).toBe(400);
    const sharing = cheerio.load((await app.browser.get('/patient/sharing')).body);
    expect(sharing('form[action="/patient/sharing"]').length).toBe(0);
  });

  it('signs out: confirmation, cookie cleared, provider session ended', async () => {
    const confirm = await app.browser.get('/patient/auth/sign-out');
    const csrf = inputValue(confirm.body, 'csrf')!;
    const out = await app.browser.postForm('/patient/auth/sign-out', { csrf });
    expect(out.statusCode).toBe(303);
    expect(String(out.headers.location)).toMatch(/^\/oauth2\/session\/end\?client_id=tessera-patient-app&post_logout_redirect_uri=/);
    expect(String(out.headers['set-cookie'])).toMatch(/tessera_patient=; Path=\/patient; Max-Age=0/);
    const after = await app.browser.get('/patient/record');
    expect(after.statusCode).toBe(303);
  });
});
