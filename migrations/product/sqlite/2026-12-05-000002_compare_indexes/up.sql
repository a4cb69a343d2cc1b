-- Comparing runs (`cmd diff`, CompareData) looks up a bug hash within a run
-- for every report compared: one index serves it, also before the planner
-- has statistics of a freshly stored run.
CREATE INDEX ix_reports_run_id_bug_id ON reports (run_id, bug_id);
