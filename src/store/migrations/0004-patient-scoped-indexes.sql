-- Patient-scoped search: index rows carry patient_id (once per patient whose compartment holds
-- the resource), and these indexes let a search within one patient's record start from that
-- patient's rows, so its cost grows with the record, not with the database.
CREATE INDEX search_reference_patient ON search_reference (patient_id, resource_type, param, target_id) WHERE patient_id IS NOT NULL;
CREATE INDEX search_quantity_patient ON search_quantity (patient_id, resource_type, param, value) WHERE patient_id IS NOT NULL;
CREATE INDEX search_composite_patient ON search_composite (patient_id, resource_type, param, c1_code) WHERE patient_id IS NOT NULL;
CREATE INDEX search_string_patient ON search_string (patient_id, resource_type, param, value text_pattern_ops) WHERE patient_id IS NOT NULL;
