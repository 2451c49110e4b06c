-- The audit trail (src/audit, src/store/audit-log.ts): one hash chain per patient, so writers
-- contend only when they touch the same patient, and one patient's "who viewed my record" list is
-- one index range. chain_key is the patient id, or '(none)' for accesses that touched no patient.
-- Both tables are keyed by chain_key first, so with Citus they are distributed by it and
-- co-located (SELECT create_distributed_table('audit_events', 'chain_key',
-- colocate_with => 'audit_chain_heads')), and an append touches one shard per patient.
-- chain_key uses the "C" collation: byte order, the same on every server and locale, and cheaper
-- to compare than a linguistic collation for ids.

-- The last row of each chain. Appenders lock the rows of the chains they touch, in key order,
-- which serialises appends per patient and nothing else.
CREATE TABLE audit_chain_heads (
  chain_key text COLLATE "C" PRIMARY KEY,
  seq       bigint NOT NULL,
  hash      text NOT NULL
);

-- One row per (chain, position). An access touching several patients is one event (one
-- event_id) with a row in each of their chains; is_primary marks the row holding the full event,
-- so searches across chains see each event once. content is the AuditEvent as canonical JSON text
-- (text, not jsonb: the bytes hashed are the bytes stored; TOAST compresses it). hash covers
-- every column but prev_hash and hash themselves (see src/audit/hash-chain.ts). Append-only:
-- nothing in Tessera updates or deletes these rows.
CREATE TABLE audit_events (
  chain_key   text COLLATE "C" NOT NULL,
  seq         bigint NOT NULL,
  event_id    uuid NOT NULL,
  recorded_at timestamptz NOT NULL,
  action      text NOT NULL,
  agent_ref   text,
  is_primary  boolean NOT NULL,
  content     text NOT NULL,
  prev_hash   text NOT NULL,
  hash        text NOT NULL,
  PRIMARY KEY (chain_key, seq)
);

-- A patient's events newest first are the primary key read backwards (seq grows with every
-- append to the chain), so they need no index of their own. Searches across patients: by the
-- person or client who acted, and by time. Both are partial on is_primary, so a search touching
-- a thousand patients adds one entry to each, not a thousand.
CREATE INDEX audit_events_agent ON audit_events (agent_ref, recorded_at) WHERE is_primary;
CREATE INDEX audit_events_recorded ON audit_events (recorded_at) WHERE is_primary;
