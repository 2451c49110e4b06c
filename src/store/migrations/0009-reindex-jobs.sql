-- Online reindexing for custom search parameters (src/store/reindex.ts). A SearchParameter write
-- adds one job per base type and bumps the `search_param_state` setting in the same statement;
-- workers on any node take a job row with FOR UPDATE SKIP LOCKED and process one keyset-paged
-- batch of that type's resources per transaction, moving `cursor_id` on.
CREATE TABLE reindex_jobs (
  job_id        bigserial   PRIMARY KEY,
  base          text        NOT NULL,   -- the resource type whose resources are (re)indexed
  code          text        NOT NULL,   -- the parameter code
  action        text        NOT NULL,   -- 'index' (build the rows) or 'remove' (delete them)
  definition    text,                   -- the SearchParameter JSON as written ('index' only)
  status        text        NOT NULL DEFAULT 'pending',  -- pending, done or superseded
  cursor_id     text        NOT NULL DEFAULT '',         -- last id of `base` processed
  processed     integer     NOT NULL DEFAULT 0,
  rows_written  integer     NOT NULL DEFAULT 0,
  not_before    timestamptz NOT NULL DEFAULT now(),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reindex_jobs_pending ON reindex_jobs (job_id) WHERE status = 'pending';
