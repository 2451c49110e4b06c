-- Sign-in and tokens (src/auth). Everything an app node would otherwise keep in memory lives
-- here, so any node can continue a sign-in another node started and verify any node's tokens.

-- oidc-provider's persisted artefacts (sessions, interactions, grants, authorization codes,
-- refresh tokens, registered clients …), one row per model and id, as the library's JSON payload.
CREATE TABLE oidc_payloads (
  model       text NOT NULL,
  id          text NOT NULL,
  payload     jsonb NOT NULL,
  grant_id    text,
  uid         text,
  user_code   text,
  consumed_at timestamptz,
  expires_at  timestamptz,
  PRIMARY KEY (model, id)
);
CREATE INDEX oidc_payloads_grant ON oidc_payloads (model, grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oidc_payloads_uid ON oidc_payloads (model, uid) WHERE uid IS NOT NULL;
CREATE INDEX oidc_payloads_user_code ON oidc_payloads (model, user_code) WHERE user_code IS NOT NULL;
CREATE INDEX oidc_payloads_expiry ON oidc_payloads (expires_at) WHERE expires_at IS NOT NULL;

-- People who sign in to Tessera itself (standalone mode). The id is the OpenID subject.
-- password_hash is "scrypt$N$r$p$salt$hash"; demo_password is set for demo users only, so
-- `tessera users` can print it.
CREATE TABLE auth_users (
  id            text PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  display_name  text NOT NULL,
  role          text NOT NULL,
  password_hash text NOT NULL,
  fhir_user     text,
  organization  text,
  demo_password text,
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Proxy access (NHS App "linked profiles"): a carer acting for a patient, within a scope the
-- practice set (space-separated permissions, e.g. "record appointments prescriptions").
CREATE TABLE auth_proxy_relationships (
  carer_user_id text NOT NULL REFERENCES auth_users (id) ON DELETE CASCADE,
  patient_id    text NOT NULL,
  permissions   text NOT NULL,
  valid_from    timestamptz,
  valid_to      timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (carer_user_id, patient_id)
);

-- Token signing keys as private JWKs, generated once by whichever node starts first. At most one
-- active key per algorithm; retired keys stay for verification until they are deleted.
CREATE TABLE auth_signing_keys (
  kid         text PRIMARY KEY,
  alg         text NOT NULL,
  private_jwk jsonb NOT NULL,
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX auth_signing_keys_active ON auth_signing_keys (alg) WHERE active;

-- Other shared secrets (e.g. the cookie-signing keys), generated once.
CREATE TABLE auth_secrets (
  name       text PRIMARY KEY,
  value      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Failed sign-ins per (username, client IP) in the current window, for throttling.
CREATE TABLE auth_login_failures (
  username          text NOT NULL,
  ip                text NOT NULL,
  failures          integer NOT NULL,
  window_started_at timestamptz NOT NULL,
  PRIMARY KEY (username, ip)
);

-- The patient chosen at sign-in (SMART launch/patient) for a grant, so every token issued from
-- that grant (including after a refresh, on any node) carries the same patient context.
CREATE TABLE auth_launch_contexts (
  grant_id   text PRIMARY KEY,
  patient_id text NOT NULL,
  expires_at timestamptz NOT NULL
);
