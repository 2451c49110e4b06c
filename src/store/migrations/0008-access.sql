-- Access control (src/access, src/store/access-sql.ts). Care relationships, consent choices and
-- online-visibility markers are index rows of the resources themselves (search_token, params
-- `_access:*`), so they need no table of their own; this one holds what is not a resource.

-- Break-glass grants: time-limited access to one patient's record by one member of staff
-- without a care relationship, with their stated reason. `subject` is "issuer|sub" of their
-- token. Keyed by patient, like every patient table, so it can be distributed with the record.
CREATE TABLE break_glass_grants (
  patient_id   text NOT NULL,
  subject      text NOT NULL,
  granted_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  reason       text NOT NULL,
  actor        text,
  organization text,
  PRIMARY KEY (patient_id, subject, granted_at)
);
CREATE INDEX break_glass_grants_subject ON break_glass_grants (subject, patient_id, expires_at);
