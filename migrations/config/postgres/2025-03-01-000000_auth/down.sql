DROP TABLE login_failures;
DROP TABLE auth_permissions;
DROP TABLE personal_access_tokens;
DROP TABLE auth_sessions;
