-- Product (run) database: runs, their history, reports and source files.
-- Instants are microseconds since the Unix epoch (UTC). Enumerations are
-- stored as the Thrift API's numeric values.

CREATE TABLE checkers (
    id BIGSERIAL PRIMARY KEY,
    analyzer_name TEXT NOT NULL,
    checker_name TEXT NOT NULL,
    severity BIGINT NOT NULL DEFAULT 0,
    UNIQUE (analyzer_name, checker_name)
);

CREATE TABLE checker_sets (
    id BIGSERIAL PRIMARY KEY,
    hash_digest TEXT NOT NULL UNIQUE
);

CREATE TABLE checker_set_items (
    checker_set_id BIGINT NOT NULL REFERENCES checker_sets (id) ON DELETE CASCADE,
    checker_id BIGINT NOT NULL REFERENCES checkers (id) ON DELETE RESTRICT,
    enabled BOOLEAN NOT NULL,
    PRIMARY KEY (checker_set_id, checker_id)
);

CREATE TABLE file_contents (
    content_hash TEXT PRIMARY KEY NOT NULL,
    content BYTEA NOT NULL,
    blame_info BYTEA
);

CREATE TABLE files (
    id BIGSERIAL PRIMARY KEY,
    filepath TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_hash TEXT NOT NULL REFERENCES file_contents (content_hash) ON DELETE CASCADE,
    remote_url TEXT,
    tracking_branch TEXT,
    UNIQUE (filepath, content_hash)
);
CREATE INDEX ix_files_content_hash ON files (content_hash);

CREATE TABLE analysis_info (
    id BIGSERIAL PRIMARY KEY,
    analyzer_command BYTEA,
    checker_set_id BIGINT REFERENCES checker_sets (id) ON DELETE CASCADE
);

CREATE TABLE analysis_info_files (
    analysis_info_id BIGINT NOT NULL REFERENCES analysis_info (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    content_hash TEXT NOT NULL REFERENCES file_contents (content_hash) ON DELETE CASCADE,
    PRIMARY KEY (analysis_info_id, filename, content_hash)
);

CREATE TABLE runs (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    date_us BIGINT NOT NULL,
    duration BIGINT NOT NULL DEFAULT -1,
    version TEXT,
    can_delete BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE run_locks (
    name TEXT PRIMARY KEY NOT NULL,
    locked_at_us BIGINT NOT NULL,
    username TEXT,
    token TEXT NOT NULL
);

CREATE TABLE run_histories (
    id BIGSERIAL PRIMARY KEY,
    run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    version_tag TEXT,
    user_name TEXT NOT NULL,
    time_us BIGINT NOT NULL,
    cc_version TEXT,
    description TEXT,
    UNIQUE (run_id, version_tag)
);
CREATE INDEX ix_run_histories_run_id ON run_histories (run_id);

CREATE TABLE analyzer_statistics (
    id BIGSERIAL PRIMARY KEY,
    run_history_id BIGINT NOT NULL REFERENCES run_histories (id) ON DELETE CASCADE,
    analyzer_type TEXT NOT NULL,
    version TEXT,
    successful BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    failed_files BYTEA
);
CREATE INDEX ix_analyzer_statistics_run_history_id ON analyzer_statistics (run_history_id);

CREATE TABLE run_history_analysis_info (
    run_history_id BIGINT NOT NULL REFERENCES run_histories (id) ON DELETE CASCADE,
    analysis_info_id BIGINT NOT NULL REFERENCES analysis_info (id),
    PRIMARY KEY (run_history_id, analysis_info_id)
);

CREATE TABLE reports (
    id BIGSERIAL PRIMARY KEY,
    file_id BIGINT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    bug_id TEXT NOT NULL,
    checker_id BIGINT NOT NULL REFERENCES checkers (id) ON DELETE RESTRICT,
    line BIGINT NOT NULL,
    col BIGINT NOT NULL,
    path_length BIGINT NOT NULL,
    checker_message TEXT NOT NULL,
    detection_status BIGINT NOT NULL,
    review_status BIGINT NOT NULL DEFAULT 0,
    review_status_author TEXT,
    review_status_message TEXT,
    review_status_date_us BIGINT,
    review_status_is_in_source BOOLEAN NOT NULL DEFAULT FALSE,
    detected_at_us BIGINT NOT NULL,
    fixed_at_us BIGINT,
    analysis_info_id BIGINT REFERENCES analysis_info (id)
);
CREATE INDEX ix_reports_run_id ON reports (run_id);
CREATE INDEX ix_reports_bug_id ON reports (bug_id);
CREATE INDEX ix_reports_file_id ON reports (file_id);
CREATE INDEX ix_reports_checker_id ON reports (checker_id);

CREATE TABLE report_path_data (
    report_id BIGINT PRIMARY KEY NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    path_data BYTEA NOT NULL
);

CREATE TABLE report_path_data_files (
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    file_id BIGINT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    PRIMARY KEY (report_id, file_id)
);
CREATE INDEX ix_report_path_data_files_file_id ON report_path_data_files (file_id);

CREATE TABLE report_annotations (
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (report_id, key)
);

CREATE TABLE comments (
    id BIGSERIAL PRIMARY KEY,
    bug_hash TEXT NOT NULL,
    author TEXT NOT NULL,
    message TEXT NOT NULL,
    kind BIGINT NOT NULL DEFAULT 0,
    created_at_us BIGINT NOT NULL
);
CREATE INDEX ix_comments_bug_hash ON comments (bug_hash);

CREATE TABLE review_statuses (
    bug_hash TEXT PRIMARY KEY NOT NULL,
    status BIGINT NOT NULL,
    author TEXT NOT NULL,
    message TEXT NOT NULL,
    date_us BIGINT NOT NULL
);

CREATE TABLE source_components (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    description TEXT,
    username TEXT
);

CREATE TABLE source_component_files (
    source_component_name TEXT NOT NULL REFERENCES source_components (name) ON DELETE CASCADE,
    file_id BIGINT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    PRIMARY KEY (source_component_name, file_id)
);

CREATE TABLE cleanup_plans (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    due_date_us BIGINT,
    description TEXT,
    closed_at_us BIGINT
);

CREATE TABLE cleanup_plan_report_hashes (
    cleanup_plan_id BIGINT NOT NULL REFERENCES cleanup_plans (id) ON DELETE CASCADE,
    bug_hash TEXT PRIMARY KEY NOT NULL
);
CREATE INDEX ix_cleanup_plan_report_hashes_plan ON cleanup_plan_report_hashes (cleanup_plan_id);

CREATE TABLE filter_presets (
    id BIGSERIAL PRIMARY KEY,
    preset_name TEXT NOT NULL UNIQUE,
    report_filter TEXT NOT NULL
);
