-- Task control: the machine a task runs on (per-server concurrency limits),
-- the schedule of periodic maintenance tasks, and run lifetimes given at
-- store time (run retention).

ALTER TABLE background_tasks ADD COLUMN running_on TEXT;
CREATE INDEX ix_background_tasks_running_on ON background_tasks (status, running_on, kind);
CREATE INDEX ix_background_tasks_completed ON background_tasks (status, completed_at_us);

-- One row per periodic task: when it is next due. Taking a turn is a
-- compare-and-set on next_due_at_us, so one server in a cluster wins.
CREATE TABLE task_schedule (
    name           TEXT   PRIMARY KEY NOT NULL,
    next_due_at_us BIGINT NOT NULL
);

-- A run's lifetime as its last store asked for it (`--keep-for DAYS`).
CREATE TABLE run_lifetimes (
    product_id    BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    run_name      TEXT   NOT NULL,
    keep_days     BIGINT NOT NULL,
    PRIMARY KEY (product_id, run_name)
);
