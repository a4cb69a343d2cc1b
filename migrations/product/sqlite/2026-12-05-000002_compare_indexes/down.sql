DROP INDEX ix_reports_run_id_bug_id;
