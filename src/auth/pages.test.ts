import { describe, expect, it } from 'vitest';
import { describeScope, escapeHtml, renderConsentPage, renderErrorPage, renderLoginPage } from './pages.js';

const XSS = '"><script>alert(1)</script>';

describe('auth pages', () => {
  it('escapes HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\`=`)).toBe('&#60;a href&#61;&#34;x&#34; onclick&#61;&#39;y&#39;&#62;&#38;&#96;&#61;');
  });

  it('the sign-in page escapes every value and carries the CSRF token', () => {
    const html = renderLoginPage({ action: '/oauth2/interaction/abc/login', csrfToken: 'tok"en', clientName: XSS, username: XSS, errors: [XSS] });
    expect(html).not.toContain('<script>');
    expect(html).toContain('name="csrf" value="tok&#34;en"');
    expect(html).toContain('<title>Error: Sign in – Tessera</title>');
    expect(html).toContain('role="alert"');
    expect(html).toContain('autocomplete="current-password"');
  });

  it('the consent page lists grants and refusals and offers a patient choice', () => {
    const html = renderConsentPage({
      action: '/a', csrfToken: 't', clientName: 'App', userDisplayName: XSS, grants: ['Read things'], refused: [XSS],
      patientChoices: [{ id: 'p1', label: 'Yourself' }, { id: 'p2', label: XSS }], selectedPatient: 'p2',
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('value="p2" checked');
    expect(html).toContain('name="decision" value="allow"');
    expect(html).toContain('name="decision" value="deny"');
    expect(html).toContain('Not allowed for your account');
  });

  it('asks staff for a patient id', () => {
    const html = renderConsentPage({ action: '/a', csrfToken: 't', clientName: 'App', userDisplayName: 'Dr X', grants: [], refused: [], askPatientId: true });
    expect(html).toContain('name="patient"');
  });

  it('error pages show only the text given, escaped', () => {
    expect(renderErrorPage(XSS, XSS)).not.toContain('<script>');
  });

  it('describes scopes in plain words', () => {
    expect(describeScope('patient/Observation.rs')).toBe('Read, search Observation records in the chosen patient\u2019s record (patient/Observation.rs)');
    expect(describeScope('user/*.cruds')).toMatch(/^Create, read, update, delete, search all types of information that you can see/);
    expect(describeScope('patient/*.read')).toMatch(/^Read, search/);
    expect(describeScope('offline_access')).toMatch(/Keep access/);
  });
});
