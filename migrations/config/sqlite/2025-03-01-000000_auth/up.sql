-- Authentication: sessions, personal access tokens, permissions and the
-- login-failure throttle, SQLite flavour.
-- Secrets are never stored: `token_hash` is the hex SHA-256 of the token.
-- Group lists are JSON arrays of strings.

CREATE TABLE auth_sessions (
    token_hash     TEXT   PRIMARY KEY NOT NULL CHECK (length(token_hash) = 64),
    user_name      TEXT   NOT NULL,
    group_names    TEXT   NOT NULL DEFAULT '[]',
    description    TEXT,
    created_at_us  BIGINT NOT NULL,
    last_access_us BIGINT NOT NULL
);
CREATE INDEX ix_auth_sessions_user ON auth_sessions (user_name, last_access_us);
CREATE INDEX ix_auth_sessions_last_access ON auth_sessions (last_access_us);

CREATE TABLE personal_access_tokens (
    id             INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_name      TEXT    NOT NULL,
    token_name     TEXT    NOT NULL,
    token_hash     TEXT    NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    description    TEXT,
    group_names    TEXT    NOT NULL DEFAULT '[]',
    created_at_us  BIGINT  NOT NULL,
    last_access_us BIGINT  NOT NULL,
    expires_at_us  BIGINT  NOT NULL,
    UNIQUE (user_name, token_name)
);

-- A grant of `permission` to a user or group; `product_id` is NULL for the
-- server-wide permissions. `name_key` is the lower-cased name that matching
-- uses (names compare case-insensitively).
CREATE TABLE auth_permissions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    permission TEXT    NOT NULL,
    product_id BIGINT  REFERENCES products (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    name_key   TEXT    NOT NULL,
    is_group   BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX ux_auth_permissions
    ON auth_permissions (permission, COALESCE(product_id, 0), name_key, is_group);
CREATE INDEX ix_auth_permissions_holder ON auth_permissions (name_key, is_group);
CREATE INDEX ix_auth_permissions_product ON auth_permissions (product_id);

-- Failed logins per subject (`scope` is 'user' or 'address') in the current
-- counting window, and until when the subject is locked out.
CREATE TABLE login_failures (
    scope           TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    window_start_us BIGINT  NOT NULL,
    failures        INTEGER NOT NULL,
    locked_until_us BIGINT,
    PRIMARY KEY (scope, subject)
);
