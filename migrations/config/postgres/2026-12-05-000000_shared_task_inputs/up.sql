-- Store uploads kept in the configuration database, so that any server of a
-- cluster on this database can run a store that another server accepted
-- (`configdb::ConfigDb::put_task_input`). `input_shared` marks the tasks
-- whose input is here; their rows go when the task ends (or with it).

ALTER TABLE background_tasks ADD COLUMN input_shared BOOLEAN NOT NULL DEFAULT FALSE;

-- The upload as received (base64-decoded, still zlib-compressed), cut into
-- chunks of about 1 MiB numbered from 0.
CREATE TABLE task_inputs (
    token TEXT    NOT NULL REFERENCES background_tasks (token) ON DELETE CASCADE,
    seq   INTEGER NOT NULL,
    chunk BYTEA   NOT NULL,
    PRIMARY KEY (token, seq)
);
-- The chunks are compressed already: TOAST should not try again.
ALTER TABLE task_inputs ALTER COLUMN chunk SET STORAGE EXTERNAL;
