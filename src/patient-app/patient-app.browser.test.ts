/**
 * The patient app in real Chromium (Debian's, driven by playwright-core): the main journey
 * (sign in, read the record, open a condition, view a result chart, change a sharing choice,
 * switch to a linked profile, sign out), keyboard-only use, no axe-core violations at WCAG 2.2
 * AA on any page — the app's and Tessera's own sign-in, consent, sign-out and error pages —, a
 * 320 px wide screen, and a stored script that never runs.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, ensureChromium, freshProfile } from '../../test/support/chromium.js';
import { createPatientAppTest, PASSWORD, type PatientAppTest } from '../../test/support/patient-app.js';

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** axe-core violations on the current page (run through the debugging protocol, so the page's CSP does not apply). */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: tags } });
  }, AXE_TAGS);
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('patient app in Chromium', () => {
  let t: PatientAppTest;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  let profile: ReturnType<typeof freshProfile>;
  const scriptRan: string[] = [];

  beforeAll(async () => {
    const executablePath = ensureChromium();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    // A third-party app, so the consent page can be checked too (the patient app itself, a
    // first-party client, never sees it).
    const thirdParty = [{ client_id: 'third-app', client_name: 'A third-party app', redirect_uris: [`${origin}/third-party/callback`], grant_types: ['authorization_code'], token_endpoint_auth_method: 'none' }];
    t = await createPatientAppTest({ publicUrl: origin, env: { TESSERA_AUTH_CLIENTS: JSON.stringify(thirdParty) } });
    await t.app.listen({ port, host: '127.0.0.1' });
    profile = freshProfile();
    context = await chromium.launchPersistentContext(profile.dir, { executablePath, args: CHROMIUM_ARGS, headless: true });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('dialog', (d) => {
      scriptRan.push(d.message());
      void d.dismiss();
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await t?.close();
    profile?.remove();
  });

  const h1 = async () => (await page.locator('h1').first().textContent())?.trim();
  /** Clicks and waits for the page it leads to. */
  async function follow(locator: ReturnType<Page['locator']>, url: string | RegExp) {
    await Promise.all([page.waitForURL(url), locator.click()]);
  }

  async function signIn(username: string) {
    await context.clearCookies();
    await page.goto(`${origin}/patient`);
    await follow(page.locator('a.nhsuk-button[href="/patient/auth/sign-in"]'), /\/oauth2\/interaction\//);
    await page.fill('#username', username);
    await page.fill('#password', PASSWORD);
    // The app is a first-party client: no consent page, straight back to the app.
    await follow(page.getByRole('button', { name: 'Sign in' }), `${origin}/patient`);
  }

  it('signs in, reads the record, opens a condition, views a chart, changes a sharing choice, switches profile and signs out', async () => {
    await signIn('ann');
    expect(await h1()).toBe('Ann Example');
    await follow(page.getByRole('link', { name: 'My record' }).first(), `${origin}/patient/record`);
    expect(await h1()).toBe('My record');
    await follow(page.getByRole('link', { name: /Everything about Type 2 diabetes/ }).first(), `${origin}/patient/conditions/c-diabetes`);
    expect(await h1()).toBe('Type 2 diabetes');
    await follow(page.locator('a[href="/patient/results/hba1c"]').first(), `${origin}/patient/results/hba1c`);
    expect(await page.locator('svg.app-chart').isVisible()).toBe(true);
    expect(await page.locator('svg.app-chart .point').count()).toBe(4);
    await page.goto(`${origin}/patient/sharing`);
    await page.check('input[name="category"][value="HIV"]');
    await page.check('input[name="ndoo"][value="share"]');
    await follow(page.getByRole('button', { name: 'Save my choices' }), `${origin}/patient/sharing?saved=1`);
    expect(await page.locator('.nhsuk-notification-banner').textContent()).toContain('Your sharing choices have been saved');
    expect(await page.isChecked('input[name="category"][value="HIV"]')).toBe(true);
    await page.goto(`${origin}/patient/profiles`);
    await follow(page.getByRole('button', { name: "See Tom Example's record" }), `${origin}/patient`);
    expect(await h1()).toBe('Tom Example');
    expect(await page.locator('.app-acting-for').textContent()).toContain('Tom Example');
    await follow(page.getByRole('link', { name: 'Sign out' }), `${origin}/patient/auth/sign-out`);
    await follow(page.getByRole('button', { name: 'Sign out' }), /\/oauth2\/session\/end/);
    // The provider asks to confirm ending the sign-in session, then returns to the app.
    await follow(page.getByRole('button', { name: 'Sign out' }), `${origin}/patient/signed-out`);
    expect(await h1()).toBe('You have signed out');
    await page.goto(`${origin}/patient/record`);
    expect(await h1()).toBe('Your health record');
  });

  it('works with the keyboard alone: skip link, navigation, forms', async () => {
    await signIn('ann');
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => document.activeElement?.textContent?.trim());
    expect(skip).toBe('Skip to main content');
    // The fragment navigation lands after the key press resolves: wait for it, as the steps below do.
    await Promise.all([page.waitForURL(`${origin}/patient#maincontent`), page.keyboard.press('Enter')]);
    expect(page.url()).toBe(`${origin}/patient#maincontent`);
    // Tab to "My record" in the header navigation and follow it.
    await page.goto(`${origin}/patient`);
    let found = false;
    for (let i = 0; i < 40 && !found; i++) {
      await page.keyboard.press('Tab');
      found = (await page.evaluate(() => document.activeElement?.textContent?.trim())) === 'My record';
    }
    expect(found).toBe(true);
    await Promise.all([page.waitForURL(`${origin}/patient/record`), page.keyboard.press('Enter')]);
    // Report something that looks wrong with the keyboard: choose a radio and submit.
    await page.goto(`${origin}/patient/flag/Condition/c-diabetes`);
    await page.focus('#reason');
    await page.keyboard.press('Space');
    await page.focus('#details');
    await page.keyboard.type('Diagnosed in 2018, not 2019');
    await page.keyboard.press('Tab');
    await Promise.all([page.waitForURL(`${origin}/patient/requests?sent=1`), page.keyboard.press('Enter')]);
    expect(await page.locator('main').textContent()).toContain('Diagnosed in 2018, not 2019');
  });

  it('has no axe-core violations (WCAG 2.2 AA) on any page, and fits a 320 px screen', async () => {
    await signIn('ann');
    const pages = ['/patient', '/patient/record', '/patient/record/medicines', '/patient/record/allergies', '/patient/record/conditions', '/patient/record/consultations', '/patient/record/hospital', '/patient/record/immunisations',
      '/patient/results', '/patient/results/hba1c', '/patient/conditions/c-diabetes', '/patient/timeline', '/patient/activity', '/patient/sharing', '/patient/profiles', '/patient/requests',
      '/patient/flag/Condition/c-diabetes', '/patient/auth/sign-out', '/patient/about', '/patient/accessibility', '/patient/nothing-here'];
    const problems: string[] = [];
    for (const p of pages) {
      await page.setViewportSize({ width: 1024, height: 800 });
      await page.goto(`${origin}${p}`);
      for (const v of await axeViolations(page)) problems.push(`${p} ${v}`);
      // A fresh load at 320 px (the header's script rearranges the menu after a resize).
      await page.setViewportSize({ width: 320, height: 640 });
      await page.goto(`${origin}${p}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) problems.push(`${p} is ${overflow}px wider than a 320px screen`);
    }
    // An error summary too.
    await page.setViewportSize({ width: 1024, height: 800 });
    await page.goto(`${origin}/patient/flag/Condition/c-diabetes`);
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.locator('.nhsuk-error-summary').waitFor();
    for (const v of await axeViolations(page)) problems.push(`error page ${v}`);
    expect(problems).toEqual([]);
  }, 90_000);

  it('the sign-in, consent, sign-out and error pages of Tessera\u2019s provider: NHS design system, no axe-core violations, 320 px, no scripts', async () => {
    const problems: string[] = [];
    /** axe at the current width, and nothing wider than the screen. */
    async function check(label: string) {
      for (const v of await axeViolations(page)) problems.push(`${label} ${v}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) problems.push(`${label} is ${overflow}px wider than the screen`);
      expect(await page.locator('header.nhsuk-header').count(), label).toBe(1);
      expect(await page.locator('script').count(), label).toBe(0);
    }
    await context.clearCookies();
    await page.setViewportSize({ width: 320, height: 640 });
    await page.goto(`${origin}/patient`);
    await follow(page.locator('a.nhsuk-button[href="/patient/auth/sign-in"]'), /\/oauth2\/interaction\//);
    expect(await h1()).toBe('Sign in');
    await check('sign-in');
    await page.setViewportSize({ width: 1024, height: 800 });
    await check('sign-in (wide)');
    // Nothing typed: an error summary linking to each field.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.nhsuk-error-summary').waitFor();
    expect((await page.locator('.nhsuk-error-summary a').allTextContents()).map((x) => x.trim())).toEqual(['Enter your username', 'Enter your password']);
    await check('sign-in errors');
    await page.fill('#username', 'ann');
    await page.fill('#password', 'not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.nhsuk-error-summary').waitFor();
    expect(await page.locator('.nhsuk-error-summary').textContent()).toContain('Enter a correct username and password');
    await check('sign-in wrong password');
    await page.fill('#password', PASSWORD);
    await follow(page.getByRole('button', { name: 'Sign in' }), `${origin}/patient`);
    // A third-party app asks for consent (the provider's sign-in session is reused).
    const q = new URLSearchParams({ response_type: 'code', client_id: 'third-app', redirect_uri: `${origin}/third-party/callback`, scope: 'openid patient/*.rs', state: 's', aud: `${origin}/fhir`, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
    await page.goto(`${origin}/oauth2/auth?${q}`);
    await page.waitForURL(/\/oauth2\/interaction\//);
    expect(await h1()).toBe('Allow A third-party app to use your Tessera account?');
    await check('consent');
    await page.setViewportSize({ width: 320, height: 640 });
    await check('consent (320)');
    // An authorization request the provider refuses: its error page.
    await page.goto(`${origin}/oauth2/auth?client_id=no-such-app&response_type=code`);
    expect(await h1()).toBe('Sign-in could not continue');
    await check('provider error');
    // Ending the provider session: the confirmation, then the signed-out page.
    await page.goto(`${origin}/oauth2/session/end`);
    expect(await h1()).toBe('Sign out of Tessera?');
    await check('sign-out confirmation');
    await Promise.all([page.waitForURL(/\/oauth2\/session\/end\/success/), page.getByRole('button', { name: 'Sign out' }).click()]);
    expect(await h1()).toBe('You have signed out');
    await check('signed out');
    expect(problems).toEqual([]);
  }, 90_000);

  it('never runs a script stored in the record', async () => {
    await signIn('ann');
    for (const p of ['/patient/record', '/patient/record/conditions', '/patient/timeline', '/patient']) {
      await page.goto(`${origin}${p}`);
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    }
    const text = await (await page.goto(`${origin}/patient/record/conditions`))!.text();
    expect(text).toContain('&lt;script&gt;');
    expect(await page.locator('#item-Condition-c-xss h2').textContent()).toContain('<script>window.__xss=1</script>');
    expect(scriptRan).toEqual([]);
  });
});
