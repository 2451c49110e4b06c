import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { XSS_TEXT } from '../../../../test/support/patient-fixture.js';
import { signIn, usePatientAppSignedIn } from '../../../../test/support/patient-app.js';

describe('patient app: my record', () => {
  const app = usePatientAppSignedIn('ann');

  it('shows every section with plain English, the clinical term, source and date', async () => {
    const res = await app.browser.get('/patient/record');
    expect(res.statusCode).toBe(200);
    const $ = cheerio.load(res.body);
    expect($('main h2').map((_, h) => $(h).text()).get()).toEqual(['Conditions', 'Medicines', 'Allergies and reactions', 'Vaccinations', 'Test results', 'Consultations and letters', 'Hospital visits']);
    const diabetes = $('#item-Condition-c-diabetes');
    expect(diabetes.find('h3').text().trim()).toBe('Type 2 diabetes');
    expect(diabetes.text()).toContain('Clinical term: Diabetes mellitus type 2');
    expect(diabetes.text()).toContain('A long-term condition where the level of sugar');
    expect(diabetes.text()).toContain('From your GP practice, Lindley Medical Centre, last updated');
    expect(res.body.length).toBeLessThan(200_000);
  });

  it('falls back honestly to the recorded words for codes it cannot explain', async () => {
    const $ = cheerio.load((await app.browser.get('/patient/record/immunisations')).body);
    expect($('#item-Immunization-i-flu').text()).toContain('we do not have a plain-English explanation of this yet');
    expect($('#item-Immunization-i-flu h2').text().trim()).toBe('Influenza vaccine');
  });

  it('shows disagreeing sources side by side and duplicates once with both sources', async () => {
    const meds = cheerio.load((await app.browser.get('/patient/record/medicines')).body);
    const metformin = meds('.app-item').filter((_, e) => meds(e).find('.app-versions').length > 0);
    expect(metformin.length).toBe(1);
    expect(metformin.find('.app-version').map((_, v) => meds(v).find('strong').first().text()).get().sort()).toEqual(['Leeds Teaching Hospitals', 'your GP practice, Lindley Medical Centre']);
    expect(metformin.text()).toContain('Two tablets twice a day');
    expect(metformin.text()).toContain('One tablet twice a day');
    const amlodipine = meds('.app-item').filter((_, e) => meds(e).text().includes('Amlodipine'));
    expect(amlodipine.length).toBe(1);
    expect(amlodipine.text()).toContain('Recorded the same way by');
    const allergies = cheerio.load((await app.browser.get('/patient/record/allergies')).body);
    expect(allergies('.app-item').first().text()).toContain('recorded "no known allergies"');
  });

  it('never says "no allergies" for an empty record: names who recorded nothing and what is not connected', async () => {
    const bob = await signIn(app.t, 'bob');
    const $ = cheerio.load((await bob.browser.get('/patient/record/allergies')).body);
    const text = $('main').text().replace(/\s+/g, ' ');
    expect(text).toContain('Your dentist is not connected');
    expect(text).not.toMatch(/You have no allergies/i);
  });

  it('shows a stored script as text, escaped', async () => {
    const res = await app.browser.get('/patient/record/conditions');
    expect(res.body).not.toContain('<script>window.__xss');
    expect(res.body).toContain('&lt;script&gt;window.__xss=1&lt;/script&gt;');
    expect(cheerio.load(res.body)('#item-Condition-c-xss h2').text().trim()).toBe(XSS_TEXT);
  });

  it('answers 404 for unknown sections', async () => {
    expect((await app.browser.get('/patient/record/nonsense')).statusCode).toBe(404);
  });
});
