-- Small key/value facts about this database (e.g. whether the demo data set has been loaded).
CREATE TABLE settings (
  key        text PRIMARY KEY,
  value      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
