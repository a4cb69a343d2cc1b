//! Diesel table definitions; kept in sync by hand with `migrations/config/*`.

diesel::table! {
    /// Products served by the server; each has its own run database.
    products (id) {
        id -> BigInt,
        endpoint -> Text,
        display_name -> Text,
        description -> Nullable<Text>,
        connection -> Text,
        run_limit -> Nullable<BigInt>,
        report_limit -> BigInt,
        is_review_status_change_disabled -> Bool,
        confidentiality -> Nullable<Text>,
        run_count -> BigInt,
        latest_store_at_us -> Nullable<BigInt>,
        created_at_us -> BigInt,
    }
}

diesel::table! {
    /// Background tasks and their queue bookkeeping.
    background_tasks (token) {
        token -> Text,
        kind -> Text,
        status -> Integer,
        product_id -> Nullable<BigInt>,
        actor_username -> Nullable<Text>,
        summary -> Text,
        comments -> Nullable<Text>,
        machine_id -> Text,
        created_at_us -> BigInt,
        enqueued_at_us -> Nullable<BigInt>,
        started_at_us -> Nullable<BigInt>,
        completed_at_us -> Nullable<BigInt>,
        last_heartbeat_at_us -> Nullable<BigInt>,
        cancel_flag -> Bool,
        consumed -> Bool,
        claim_owner -> Nullable<Text>,
        lease_expires_at_us -> Nullable<BigInt>,
        attempts -> Integer,
        retry_safe -> Bool,
        input_path -> Nullable<Text>,
        progress -> Integer,
        payload -> Nullable<Text>,
        running_on -> Nullable<Text>,
        input_shared -> Bool,
    }
}

diesel::table! {
    /// A task's input kept in the database (PostgreSQL clusters), in chunks.
    task_inputs (token, seq) {
        token -> Text,
        seq -> Integer,
        chunk -> Binary,
    }
}

diesel::table! {
    /// Login sessions, keyed by the SHA-256 of their token.
    auth_sessions (token_hash) {
        token_hash -> Text,
        user_name -> Text,
        group_names -> Text,
        description -> Nullable<Text>,
        created_at_us -> BigInt,
        last_access_us -> BigInt,
    }
}

diesel::table! {
    /// Personal access tokens, keyed by id; the secret is kept as a SHA-256.
    personal_access_tokens (id) {
        id -> BigInt,
        user_name -> Text,
        token_name -> Text,
        token_hash -> Text,
        description -> Nullable<Text>,
        group_names -> Text,
        created_at_us -> BigInt,
        last_access_us -> BigInt,
        expires_at_us -> BigInt,
    }
}

diesel::table! {
    /// Permissions granted to users and groups (server-wide or per product).
    auth_permissions (id) {
        id -> BigInt,
        permission -> Text,
        product_id -> Nullable<BigInt>,
        name -> Text,
        name_key -> Text,
        is_group -> Bool,
    }
}

diesel::table! {
    /// Failed-login counters of the login throttle.
    login_failures (scope, subject) {
        scope -> Text,
        subject -> Text,
        window_start_us -> BigInt,
        failures -> Integer,
        locked_until_us -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// Server-wide settings (`notification_banner_text`, ...), as CodeChecker
    /// keeps them.
    server_configuration (config_key) {
        config_key -> Text,
        config_value -> Text,
    }
}

diesel::table! {
    /// When each periodic maintenance task is next due.
    task_schedule (name) {
        name -> Text,
        next_due_at_us -> BigInt,
    }
}

diesel::table! {
    /// Run lifetimes given at store time, per product and run name.
    run_lifetimes (product_id, run_name) {
        product_id -> BigInt,
        run_name -> Text,
        keep_days -> BigInt,
    }
}

diesel::joinable!(background_tasks -> products (product_id));
diesel::joinable!(task_inputs -> background_tasks (token));
diesel::joinable!(auth_permissions -> products (product_id));
diesel::allow_tables_to_appear_in_same_query!(
    products,
    background_tasks,
    task_inputs,
    auth_sessions,
    personal_access_tokens,
    auth_permissions,
    login_failures,
    server_configuration,
    task_schedule,
    run_lifetimes
);
