/**
 * The sign-in, consent and error pages: plain server-rendered HTML with every value escaped.
 * Deliberately simple; the NHS design system versions come with the patient app.
 */

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Security headers for every auth page. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  pragma: 'no-cache',
  // No scripts at all; no framing (clickjacking of the consent button). form-action is left
  // open because the browser must follow the redirect back to the app's own origin.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const STYLE = `body{font-family:Arial,sans-serif;margin:0;color:#212b32;background:#f0f4f5}
main{max-width:28rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-top:4px solid #005eb8}
h1{font-size:1.75rem;margin-top:0}label{display:block;font-weight:bold;margin:1rem 0 .25rem}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;border:2px solid #4c6272;font-size:1rem}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem;border:0;background:#007f3b;color:#fff;cursor:pointer}
button.secondary{background:#4c6272;margin-left:.5rem}.error-summary{border:4px solid #d5281b;padding:1rem;margin-bottom:1rem}
.error-summary h2{margin:0 0 .5rem;font-size:1.1rem}ul.scopes{padding-left:1.2rem}fieldset{border:0;padding:0;margin:1rem 0 0}
.radio{margin:.4rem 0}.radio label{display:inline;font-weight:normal}.hint{color:#4c6272}`;

function layout(title: string, body: string, errors: string[] = []): string {
  const summary = errors.length
    ? `<div class="error-summary" role="alert" aria-labelledby="error-summary-title"><h2 id="error-summary-title">There is a problem</h2><ul>${errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul></div>`
    : '';
  return `<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${errors.length ? 'Error: ' : ''}${escapeHtml(title)} – Tessera</title><style>${STYLE}</style></head>
<body><main id="main-content">${summary}${body}</main></body>
</html>`;
}

/** What the sign-in page shows. */
export interface LoginPageModel {
  /** Where the form posts. */
  action: string;
  csrfToken: string;
  /** The app asking, as registered. */
  clientName: string;
  username?: string;
  errors?: string[];
}

/** The sign-in page. */
export function renderLoginPage(m: LoginPageModel): string {
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(m.clientName)}</strong></p>
<form method="post" action="${escapeHtml(m.action)}" autocomplete="on" novalidate>
<input type="hidden" name="csrf" value="${escapeHtml(m.csrfToken)}">
<label for="username">Username</label>
<input type="text" id="username" name="username" value="${escapeHtml(m.username ?? '')}" autocomplete="username" autocapitalize="none" spellcheck="false" required>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
    m.errors,
  );
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
  errors?: string[];
}

/** The consent page: what the app will be able to do, with allow and deny buttons. */
export function renderConsentPage(m: ConsentPageModel): string {
  let picker = '';
  if (m.patientChoices && m.patientChoices.length > 0) {
    picker = `<fieldset><legend><strong>Whose record should the app open?</strong></legend>${m.patientChoices
      .map((c, i) => `<div class="radio"><input type="radio" id="patient-${i}" name="patient" value="${escapeHtml(c.id)}"${c.id === m.selectedPatient || (m.patientChoices!.length === 1 && i === 0) ? ' checked' : ''}> <label for="patient-${i}">${escapeHtml(c.label)}</label></div>`)
      .join('')}</fieldset>`;
  } else if (m.askPatientId) {
    picker = `<label for="patient">Patient record to open (Patient id)</label><input type="text" id="patient" name="patient" value="${escapeHtml(m.selectedPatient ?? '')}" autocomplete="off" spellcheck="false">`;
  }
  const refused = m.refused.length
    ? `<p class="hint">Not allowed for your account, so not granted:</p><ul class="scopes">${m.refused.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>`
    : '';
  return layout(
    'Allow access',
    `<h1>Allow ${escapeHtml(m.clientName)} to use your Tessera account?</h1>
<p>Signed in as <strong>${escapeHtml(m.userDisplayName)}</strong>.</p>
<p>${escapeHtml(m.clientName)} will be able to:</p>
<ul class="scopes">${m.grants.map((g) => `<li>${escapeHtml(g)}</li>`).join('')}</ul>${refused}
<form method="post" action="${escapeHtml(m.action)}">
<input type="hidden" name="csrf" value="${escapeHtml(m.csrfToken)}">${picker}
<button type="submit" name="decision" value="allow">Allow</button><button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
    m.errors,
  );
}

/** An error page that shows only safe, generic text (the detail goes to the log). */
export function renderErrorPage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
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
