/**
 * The page at `/`: what this server is and where its parts live. Static text only, so there is
 * nothing to escape.
 */

/** HTML of the landing page. */
export function landingPage(): string {
  return `<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Tessera</title></head>
<body>
<main>
<h1>Tessera</h1>
<p>One patient-centred health record, pieced together from every system that holds a part of it.</p>
<ul>
<li><a href="/patient">Patient app</a>: your health record in plain English (sign in with a demo user printed by <code>npm start</code>)</li>
<li><a href="/fhir/metadata">FHIR R4 API</a> (base URL <code>/fhir</code>)</li>
<li><a href="/healthz">Health check</a></li>
</ul>
</main>
</body>
</html>`;
}
