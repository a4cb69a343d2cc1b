-- The report reads that walk a run's reports by bug hash (unique counts of
-- `cmd sum` and the web UI: GROUP BY bug hash; comparing runs: a probe per
-- report for an open report with the same hash in the other runs) read
-- only these columns: with them in the index the walk and the probes never
-- touch the table rows, which sit in store order, not in hash order
-- (100,000 reports, SQLite: unique checker counts 159 -> 74 ms CPU, a
-- `cmd diff` count 256 -> 125 ms). It serves every lookup the narrower
-- (run_id, bug_id) index served, so that one goes.
DROP INDEX ix_reports_run_id_bug_id;
CREATE INDEX ix_reports_run_bug_cover ON reports
    (run_id, bug_id, fixed_at_us, detection_status, review_status, checker_id);
