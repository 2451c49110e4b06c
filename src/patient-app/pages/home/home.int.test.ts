import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPatientAppTest, signIn, type PatientAppTest } from '../../../../test/support/patient-app.js';

describe('patient app: sign-in and home', () => {
  let t: PatientAppTest;
  beforeAll(async () => {
    t = await createPatientAppTest();
  });
  afterAll(async () => t?.close());

  it('shows a start page with a sign-in button to people who are not signed in', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/patient' });
    expect(res.statusCode).toBe(200);
    const $ = cheerio.load(res.body);
    expect($('h1').text()).toBe('Your health record');
    expect($('a.nhsuk-button').attr('href')).toBe('/patient/auth/sign-in');
    expect($('head > title').text()).toBe('Your health record – Tessera');
    expect($('a.nhsuk-skip-link').attr('href')).toBe('#maincontent');
    expect(res.headers['content-security-policy']).toContain("script-src 'self' 'nonce-");
  });

  it('signs in through Tessera and shows name, NHS number 3-3-4 and GP practice', async () => {
    const { home } = await signIn(t, 'ann');
    expect(home.statusCode).toBe(200);
    const $ = cheerio.load(home.body);
    expect($('h1').text()).toBe('Ann Example');
    const rows = $('.nhsuk-summary-list__row').map((_, r) => $(r).text().replace(/\s+/g, ' ').trim()).get();
    expect(rows).toEqual(['NHS number 943 476 5919', 'Date of birth 4 March 1950', 'GP practice Lindley Medical Centre']);
    expect($('h2').first().text()).toBe('What is new');
    expect(home.body).toContain('This is your first visit');
  });

  it('sets the session cookie HttpOnly and SameSite=Lax, and never readable by scripts', async () => {
    const { browser } = await signIn(t, 'ann');
    const res = await browser.get('/patient');
    expect(res.statusCode).toBe(200);
    const login = await t.app.inject({ method: 'GET', url: '/patient/auth/sign-in' });
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly; SameSite=Lax/);
    expect(setCookie).not.toMatch(/Secure/);
  });

  it('marks cookies Secure when Tessera is served over https', async () => {
    const https = await createPatientAppTest({ publicUrl: 'https://tessera.test' });
    try {
      const res = await https.app.inject({ method: 'GET', url: '/patient/auth/sign-in' });
      expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Lax; Secure/);
    } finally {
      await https.close();
    }
  });
});
