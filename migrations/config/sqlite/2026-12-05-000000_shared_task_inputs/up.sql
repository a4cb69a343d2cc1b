-- Store uploads kept in the configuration database (see the PostgreSQL
-- migration of the same name). A SQLite configuration serves one server,
-- which keeps its uploads on its own disk: the table stays empty; it exists
-- so that both dialects build the same schema.

ALTER TABLE background_tasks ADD COLUMN input_shared BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE task_inputs (
    token TEXT    NOT NULL REFERENCES background_tasks (token) ON DELETE CASCADE,
    seq   INTEGER NOT NULL,
    chunk BLOB    NOT NULL,
    PRIMARY KEY (token, seq)
);
