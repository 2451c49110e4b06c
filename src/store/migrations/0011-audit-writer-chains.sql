-- Audit rows name their patient in a column of their own, so a row need not sit in its patient's
-- chain (src/audit/README.md, "Chains"): a server appends to chains of its own — one for its
-- batches of reads, a few for its write transactions — so an append locks one head that no other
-- node, and rarely another transaction, waits for. (A batch of reads used to write two new
-- versions of every touched patient's head: half the database's cost of auditing a read.)
--
-- patient_id is the patient whose record the access touched (NULL: none); for rows of a patient's
-- own chain it equals chain_key, and the hash covers it wherever it does not (hash-chain.ts).
-- A patient's "who viewed my record" is one index range of audit_events_patient, newest first,
-- whichever chains the rows are in. With Citus, the writer chains put a batch's rows on one
-- shard: the patient's list becomes a query across shards (one index range on each).
ALTER TABLE audit_events ADD COLUMN patient_id text COLLATE "C";
UPDATE audit_events SET patient_id = chain_key WHERE chain_key <> '(none)';
CREATE INDEX audit_events_patient ON audit_events (patient_id, recorded_at, event_id) WHERE patient_id IS NOT NULL;
