DROP INDEX ix_reports_run_status;
CREATE INDEX ix_reports_run_id ON reports (run_id);
