-- One row per committed store that was given a key (the server's store
-- tasks key each store by its task, the same key for every attempt), written
-- in the store's own transaction. An attempt that finds its key here knows
-- that an earlier attempt committed (its worker died before the task's end
-- was recorded) and reports that outcome instead of storing the run again.
-- Rows older than a month are pruned by later stores.
CREATE TABLE store_receipts (
    store_key TEXT PRIMARY KEY NOT NULL,
    run_id BIGINT NOT NULL,
    run_history_id BIGINT NOT NULL,
    updated_existing_run BIGINT NOT NULL,
    reports_seen BIGINT NOT NULL,
    reports_stored BIGINT NOT NULL,
    duplicates_skipped BIGINT NOT NULL,
    missing_file_skipped BIGINT NOT NULL,
    stored_at_us BIGINT NOT NULL
);
