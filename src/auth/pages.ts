/**
 * The sign-in, consent, sign-out and error pages of Tessera's own OpenID Connect provider, in
 * the NHS design system (Nunjucks templates in `views/`, `nhsuk-frontend` components, served by
 * Tessera): usable without JavaScript (they run none), at 320 px, with NHS error summaries.
 * Every value is escaped; forms carry CSRF tokens (ours, or oidc-provider's own on sign-out).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { NHSUK_DIST } from '../design-system/nhsuk-assets.js';

/** Security headers for every auth page. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  pragma: 'no-cache',
  // No scripts at all; styles and images only from Tessera; no framing (clickjacking of the
  // consent button). form-action is left open because the browser must follow the redirect
  // back to the app's own origin.
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; manifest-src 'self'; script-src 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** An error summary line: the text and the field it is about (`#username`). */
export interface PageError {
  text: string;
  href: string;
}

/** What the sign-in page shows. */
export interface LoginPageModel {
  /** Where the form posts. */
  action: string;
  csrfToken: string;
  /** The app asking, as registered. */
  clientName: string;
  username?: string;
  errors?: PageError[];
}

/** A patient the user may choose as the record to open. */
export interface PatientChoice {
  id: string;
  label: string;
}

/** What the consent page shows. */
export interface ConsentPageModel {
  action: string;
  csrfToken: string;
  clientName: string;
  userDisplayName: string;
  /** Human descriptions of what will be granted. */
  grants: string[];
  /** Requested but not grantable to this user (shown so nothing is hidden). */
  refused: string[];
  /** When the app asked for a patient context: choose one of these … */
  patientChoices?: PatientChoice[];
  /** … or type a patient id (staff). */
  askPatientId?: boolean;
  selectedPatient?: string;
  errors?: PageError[];
}

/** The sign-in, consent, sign-out and error pages, rendered in the NHS design system. */
export interface AuthPages {
  login(m: LoginPageModel): string;
  /** What the app will be able to do, with allow and deny buttons. */
  consent(m: ConsentPageModel): string;
  /** An error or information page that shows only the text given (the detail goes to the log). */
  message(title: string, message: string): string;
  /** oidc-provider's sign-out confirmation around its own hidden form (`form`, with its CSRF token). */
  logout(providerForm: string): string;
}

/** Where the templates are: beside this file in `src/auth/views`, also when running from `dist/`. */
function viewsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const isBuilt = here.split(path.sep).includes('dist');
  return isBuilt ? path.resolve(here, '..', '..', '..', 'src', 'auth', 'views') : path.join(here, 'views');
}

/**
 * The pages, rendered with Nunjucks (autoescaping on: every value is escaped) and the NHS
 * design system's components, with its stylesheet served at `assetBase`
 * (`design-system/nhsuk-assets.ts`). Templates are compiled once.
 * @see https://service-manual.nhs.uk/design-system
 */
export function createAuthPages(assetBase: string): AuthPages {
  const loader = new nunjucks.FileSystemLoader([viewsDir(), NHSUK_DIST, path.join(NHSUK_DIST, 'nhsuk')], { noCache: false });
  const env = new nunjucks.Environment(loader, { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true });
  const render = (view: string, ctx: Record<string, unknown>) => env.render(view, { ...ctx, assetBase });
  const fieldErrors = (errors: readonly PageError[] = []) => Object.fromEntries(errors.map((e) => [e.href.replace(/^#/, ''), e.text]).reverse());
  return {
    login: (m) => render('login.njk', { ...m, title: 'Sign in', fieldErrors: fieldErrors(m.errors) }),
    consent: (m) => {
      const choices = m.patientChoices ?? [];
      const patientItems = choices.map((c, i) => ({ value: c.id, text: c.label, checked: c.id === m.selectedPatient || (choices.length === 1 && i === 0) }));
      return render('consent.njk', { ...m, title: 'Allow access', patientItems, patientError: fieldErrors(m.errors).patient });
    },
    message: (title, message) => render('message.njk', { title, message }),
    logout: (providerForm) => render('logout.njk', { title: 'Sign out', providerForm }),
  };
}

const PERMISSION_WORDS: Record<string, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

/** A reader-friendly description of a scope, for the consent page. */
export function describeScope(scope: string): string {
  switch (scope) {
    case 'openid':
      return 'Confirm who you are';
    case 'fhirUser':
      return 'Know which person or professional record is yours';
    case 'profile':
      return 'See your name';
    case 'offline_access':
      return 'Keep access after you close the app, until you withdraw it';
    case 'online_access':
      return 'Keep access while you are signed in';
    case 'launch/patient':
      return 'Open one patient\u2019s record';
  }
  const m = /^(patient|user|system)\/(\*|[A-Za-z]+)\.([a-z*]+)/.exec(scope);
  if (!m) return scope;
  const [, context, type, perms] = m as unknown as [string, string, string, string];
  const letters = perms === 'read' ? 'rs' : perms === 'write' ? 'cud' : perms === '*' ? 'cruds' : perms;
  const verbs = [...letters].map((l) => PERMISSION_WORDS[l]).filter(Boolean).join(', ');
  const what = type === '*' ? 'all types of information' : `${type} records`;
  const whose = context === 'patient' ? 'in the chosen patient\u2019s record' : context === 'user' ? 'that you can see' : 'for the whole system';
  return `${verbs[0]?.toUpperCase() ?? ''}${verbs.slice(1)} ${what} ${whose} (${scope})`;
}
