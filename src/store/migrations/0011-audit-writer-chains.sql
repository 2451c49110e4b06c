-- Audit rows name their patient in a column of their own, so a row need not sit in its patient's
-- chain (src/audit/README.md, "Chains"). Writes still append to the chains of the patients they
-- touch, inside their own transaction. The batched records of reads (and of failed writes) go
-- into one chain per audit writer — one head to lock and advance per batch instead of two row
-- versions of a head per patient per batch, which was half the database's cost of auditing a read.
--
-- patient_id is the patient whose record the access touched (NULL: none); for rows of a patient's
-- own chain it equals chain_key, and the hash covers it wherever it does not (hash-chain.ts).
-- A patient's "who viewed my record" is one index range of audit_events_patient, newest first,
-- whichever chains the rows are in. With Citus, the writer chains put a batch's rows on one
-- shard: the patient's list becomes a query across shards (one index range on each).
ALTER TABLE audit_events ADD COLUMN patient_id text COLLATE "C";
UPDATE audit_events SET patient_id = chain_key WHERE chain_key <> '(none)';
CREATE INDEX audit_events_patient ON audit_events (patient_id, recorded_at, event_id) WHERE patient_id IS NOT NULL;
