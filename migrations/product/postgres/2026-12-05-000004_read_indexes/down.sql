DROP INDEX ix_reports_run_bug_cover;
CREATE INDEX ix_reports_run_id_bug_id ON reports (run_id, bug_id);
