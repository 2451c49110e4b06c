-- Lookups of one resource's rows for one parameter (sort keys, per-row checks) use all three
-- columns, so the planner prefers these over the (resource_type, param, value) indexes even
-- before statistics exist.
DROP INDEX search_token_resource;
CREATE INDEX search_token_resource ON search_token (resource_type, id, param);
DROP INDEX search_string_resource;
CREATE INDEX search_string_resource ON search_string (resource_type, id, param);
DROP INDEX search_date_resource;
CREATE INDEX search_date_resource ON search_date (resource_type, id, param);
DROP INDEX search_quantity_resource;
CREATE INDEX search_quantity_resource ON search_quantity (resource_type, id, param);
DROP INDEX search_reference_resource;
CREATE INDEX search_reference_resource ON search_reference (resource_type, id, param);
DROP INDEX search_uri_resource;
CREATE INDEX search_uri_resource ON search_uri (resource_type, id, param);
DROP INDEX search_composite_resource;
CREATE INDEX search_composite_resource ON search_composite (resource_type, id, param);
