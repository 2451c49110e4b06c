import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { createAuthPages, describeScope, PAGE_HEADERS } from './pages.js';

const XSS = '"><script>alert(1)</script>';
const pages = createAuthPages('/oauth2/assets/nhsuk');

describe('auth pages (NHS design system)', () => {
  it('the sign-in page escapes every value, carries the CSRF token and an NHS error summary', () => {
    const html = pages.login({ action: '/oauth2/interaction/abc/login', csrfToken: 'tok"en', clientName: XSS, username: XSS, errors: [{ text: XSS, href: '#username' }, { text: 'Enter your password', href: '#password' }] });
    expect(html).not.toContain('<script>');
    const $ = cheerio.load(html);
    expect($('input[name="csrf"]').val()).toBe('tok"en');
    expect($('head > title').text()).toBe('Error: Sign in – Tessera');
    expect($('.nhsuk-error-summary a').map((_, a) => $(a).attr('href')).get()).toEqual(['#username', '#password']);
    expect($('#password-error').text()).toContain('Enter your password');
    expect($('#username').attr('aria-describedby')).toBe('username-error');
    expect($('#password').attr('autocomplete')).toBe('current-password');
    expect($('link[rel="stylesheet"]').attr('href')).toBe('/oauth2/assets/nhsuk/nhsuk-frontend.min.css');
    expect($('header.nhsuk-header').length).toBe(1);
    expect($('a.nhsuk-skip-link').attr('href')).toBe('#maincontent');
  });

  it('runs no scripts: no script elements, and the headers forbid them', () => {
    expect(pages.login({ action: '/a', csrfToken: 't', clientName: 'App' })).not.toMatch(/<script/i);
    expect(PAGE_HEADERS['content-security-policy']).toContain("script-src 'none'");
    expect(PAGE_HEADERS['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('the consent page lists grants and refusals and offers a patient choice', () => {
    const html = pages.consent({
      action: '/a', csrfToken: 't', clientName: 'App', userDisplayName: XSS, grants: ['Read things'], refused: [XSS],
      patientChoices: [{ id: 'p1', label: 'Yourself' }, { id: 'p2', label: XSS }], selectedPatient: 'p2',
    });
    expect(html).not.toContain('<script>');
    const $ = cheerio.load(html);
    expect($('input[name="patient"][value="p2"]').is('[checked]')).toBe(true);
    expect($('input[name="patient"]').first().attr('id')).toBe('patient');
    expect($('button[name="decision"][value="allow"]').text().trim()).toBe('Allow');
    expect($('button[name="decision"][value="deny"]').text().trim()).toBe('Deny');
    expect($('main').text()).toContain('Not allowed for your account');
  });

  it('asks staff for a patient id, with the error beside the field', () => {
    const $ = cheerio.load(pages.consent({ action: '/a', csrfToken: 't', clientName: 'App', userDisplayName: 'Dr X', grants: [], refused: [], askPatientId: true, errors: [{ text: 'Enter the id of the patient record to open', href: '#patient' }] }));
    expect($('input#patient[name="patient"]').length).toBe(1);
    expect($('#patient-error').text()).toContain('Enter the id of the patient record to open');
  });

  it('message pages show only the text given, escaped', () => {
    expect(pages.message(XSS, XSS)).not.toContain('<script>');
  });

  it('the sign-out page wraps the provider\u2019s own form and submits it', () => {
    const $ = cheerio.load(pages.logout('<form id="op.logoutForm" method="post" action="/oauth2/session/end/confirm"><input type="hidden" name="xsrf" value="x1"/></form>'));
    expect($('form#op\\.logoutForm input[name="xsrf"]').val()).toBe('x1');
    expect($('button[form="op.logoutForm"][name="logout"][value="yes"]').text().trim()).toBe('Sign out');
  });

  it('describes scopes in plain words', () => {
    expect(describeScope('patient/Observation.rs')).toBe('Read, search Observation records in the chosen patient\u2019s record (patient/Observation.rs)');
    expect(describeScope('user/*.cruds')).toMatch(/^Create, read, update, delete, search all types of information that you can see/);
    expect(describeScope('patient/*.read')).toMatch(/^Read, search/);
    expect(describeScope('offline_access')).toMatch(/Keep access/);
  });
});
