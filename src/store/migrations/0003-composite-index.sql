-- Composite search parameters (https://hl7.org/fhir/R4/search.html#composite): one row per
-- combination of component values taken from the same element. Up to three components; each
-- slot holds the columns its component type needs (token: system/code; quantity/number: num and
-- unit system/code; date: lo/hi; string: text).
CREATE TABLE search_composite (
  resource_type text NOT NULL, id text NOT NULL, patient_id text, param text NOT NULL,
  c1_system text, c1_code text,
  c2_system text, c2_code text, c2_num double precision, c2_lo timestamptz, c2_hi timestamptz, c2_text text,
  c3_num double precision
);
CREATE INDEX search_composite_c1 ON search_composite (resource_type, param, c1_code, c1_system);
CREATE INDEX search_composite_resource ON search_composite (resource_type, id);
