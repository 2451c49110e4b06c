-- Tessera schema v1: versioned resources, their history, and search indexes.
-- Tables in the Patient compartment carry patient_id (the compartment key) so that a patient's
-- whole record is one index range and the tables can be distributed by patient later (Citus).

CREATE TABLE resources (
  resource_type text        NOT NULL,
  id            text        NOT NULL,
  version_id    integer     NOT NULL,
  last_updated  timestamptz NOT NULL,
  is_deleted    boolean     NOT NULL DEFAULT false,
  patient_id    text,
  source        text,
  content       text        NOT NULL,   -- the resource JSON exactly as served ('' when deleted)
  PRIMARY KEY (resource_type, id)
);
CREATE INDEX resources_patient ON resources (patient_id, resource_type, last_updated) WHERE patient_id IS NOT NULL;
CREATE INDEX resources_type_updated ON resources (resource_type, last_updated);

CREATE TABLE resource_versions (
  resource_type text        NOT NULL,
  id            text        NOT NULL,
  version_id    integer     NOT NULL,
  last_updated  timestamptz NOT NULL,
  is_deleted    boolean     NOT NULL DEFAULT false,
  patient_id    text,
  method        text        NOT NULL,   -- POST, PUT, PATCH or DELETE: the interaction that made it
  seq           bigserial   NOT NULL,   -- total order of writes, for stable history paging
  content       text        NOT NULL,
  PRIMARY KEY (resource_type, id, version_id)
);
CREATE INDEX resource_versions_seq ON resource_versions (seq);
CREATE INDEX resource_versions_type_seq ON resource_versions (resource_type, seq);

-- Search indexes: one table per parameter type; rows are replaced whenever a resource changes.
CREATE TABLE search_token (
  resource_type text NOT NULL, id text NOT NULL, patient_id text, param text NOT NULL,
  system text, code text, text_value text
);
CREATE INDEX search_token_code ON search_token (resource_type, param, code, system);
CREATE INDEX search_token_resource ON search_token (resource_type, id);
CREATE INDEX search_token_patient ON search_token (patient_id, resource_type, param, code) WHERE patient_id IS NOT NULL;

CREATE TABLE search_string (
  resource_type text NOT NULL, id text NOT NULL, patient_id text, param text NOT NULL,
  value text NOT NULL, exact text NOT NULL
);
CREATE INDEX search_string_value ON search_string (resource_type, param, value text_pattern_ops);
CREATE INDEX search_string_resource ON search_string (resource_type, id);

CREATE TABLE search_date (
  resource_type text NOT NULL, id text NOT NULL, patient_id text, param text NOT NULL,
  lo timestamptz NOT NULL, hi timestamptz NOT NULL
);
CREATE INDEX search_date_range ON search_date (resource_type, param, lo, hi);
CREATE INDEX search_date_resource ON search_date (resource_type, id);
CREATE INDEX search_date_patient ON search_date (patient_id, resource_type, param, lo) WHERE patient_id IS NOT NULL;

CREATE TABLE search_quantity (
  resource_type text NOT NULL, id text NOT NULL, patient_id text, param text NOT NULL,
  value double precision NOT NULL, lo double precision NOT NULL, hi double precision NOT NULL,
  system text, code text, unit text
);
CREATE INDEX search_quantity_value ON search_quantity (resource_type, param, value);
CREATE INDEX search_quantity_resource ON search_quantity (resource_type, id);

CREATE TABLE search_reference (
  resource_type text NOT NULL, id text NOT NULL, patient_id text, param text NOT NULL,
  target_type text, target_id text, url text NOT NULL
);
CREATE INDEX search_reference_target ON search_reference (target_id, target_type, param, resource_type);
CREATE INDEX search_reference_url ON search_reference (url);
CREATE INDEX search_reference_resource ON search_reference (resource_type, id);

CREATE TABLE search_uri (
  resource_type text NOT NULL, id text NOT NULL, patient_id text, param text NOT NULL,
  value text NOT NULL
);
CREATE INDEX search_uri_value ON search_uri (resource_type, param, value);
CREATE INDEX search_uri_resource ON search_uri (resource_type, id);
