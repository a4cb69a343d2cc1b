-- Server-wide settings as key/value text pairs, like CodeChecker's table of
-- the same name (e.g. 'notification_banner_text': the banner of the web UI).

CREATE TABLE server_configuration (
    config_key   TEXT PRIMARY KEY NOT NULL,
    config_value TEXT NOT NULL
);
