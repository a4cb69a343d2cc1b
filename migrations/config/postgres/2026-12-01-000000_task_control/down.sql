DROP TABLE run_lifetimes;
DROP TABLE task_schedule;
DROP INDEX ix_background_tasks_completed;
DROP INDEX ix_background_tasks_running_on;
ALTER TABLE background_tasks DROP COLUMN running_on;
