-- Deliveries from source systems (the push model: GP systems, trusts and laboratories send
-- bundles to Tessera). One row per source system, named by the `meta.source` URI of what it
-- sends: when it last delivered successfully and when a delivery last failed. Written once per
-- bundle by the ingest path (src/store/source-deliveries.ts), read by the patient app's source
-- directory to say which systems are unavailable and as of when the record is known.
CREATE TABLE source_deliveries (
  source          text        PRIMARY KEY,  -- meta.source URI
  last_success    timestamptz,              -- last bundle from it that was stored
  last_failure    timestamptz,              -- last bundle from it that was refused or failed
  failure_status  integer,                  -- that failure's HTTP status (no text: it may echo data)
  updated_at      timestamptz NOT NULL DEFAULT now()
);
