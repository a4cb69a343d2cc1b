-- Configuration database, SQLite flavour.
-- Every `*_us` column holds a UTC instant as microseconds since the Unix epoch.

CREATE TABLE products (
    id                               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    endpoint                         TEXT    NOT NULL UNIQUE,
    display_name                     TEXT    NOT NULL,
    description                      TEXT,
    connection                       TEXT    NOT NULL,
    run_limit                        BIGINT,
    report_limit                     BIGINT  NOT NULL DEFAULT 500000,
    is_review_status_change_disabled BOOLEAN NOT NULL DEFAULT FALSE,
    confidentiality                  TEXT,
    run_count                        BIGINT  NOT NULL DEFAULT 0,
    latest_store_at_us               BIGINT,
    created_at_us                    BIGINT  NOT NULL
);

CREATE TABLE background_tasks (
    token                TEXT    PRIMARY KEY NOT NULL CHECK (length(token) = 64),
    kind                 TEXT    NOT NULL,
    -- CodeChecker's TaskStatus: ALLOCATED=0 ENQUEUED=1 RUNNING=2 COMPLETED=3
    -- FAILED=4 CANCELLED=5 DROPPED=6.
    status               INTEGER NOT NULL CHECK (status BETWEEN 0 AND 6),
    product_id           BIGINT  REFERENCES products (id) ON DELETE CASCADE,
    actor_username       TEXT,
    summary              TEXT    NOT NULL,
    comments             TEXT,
    machine_id           TEXT    NOT NULL,
    created_at_us        BIGINT  NOT NULL,
    enqueued_at_us       BIGINT,
    started_at_us        BIGINT,
    completed_at_us      BIGINT,
    last_heartbeat_at_us BIGINT,
    cancel_flag          BOOLEAN NOT NULL DEFAULT FALSE,
    consumed             BOOLEAN NOT NULL DEFAULT FALSE,
    claim_owner          TEXT,
    lease_expires_at_us  BIGINT,
    attempts             INTEGER NOT NULL DEFAULT 0,
    retry_safe           BOOLEAN NOT NULL DEFAULT FALSE,
    input_path           TEXT,
    progress             INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    payload              TEXT
);

-- claim_next: oldest ENQUEUED task of a machine.
CREATE INDEX ix_background_tasks_claim ON background_tasks (status, machine_id, enqueued_at_us, token);
-- rescue_expired: RUNNING tasks by lease expiry.
CREATE INDEX ix_background_tasks_lease ON background_tasks (status, lease_expires_at_us);
CREATE INDEX ix_background_tasks_machine ON background_tasks (machine_id, status);
CREATE INDEX ix_background_tasks_product ON background_tasks (product_id);
CREATE INDEX ix_background_tasks_kind ON background_tasks (kind);
CREATE INDEX ix_background_tasks_created ON background_tasks (created_at_us);
