-- A counter that every write transaction of a product database raises as
-- its last statement, so that a server can tell whether the report facts
-- it keeps in memory (`productdb::read::facts`) are still current without
-- reading the reports: on PostgreSQL that is the only such signal (SQLite
-- has `PRAGMA data_version`). Raised inside the transaction, it commits
-- with the data or not at all.
CREATE TABLE facts_generation (
    id BIGINT PRIMARY KEY NOT NULL,
    n BIGINT NOT NULL
);
INSERT INTO facts_generation (id, n) VALUES (1, 0);
