//! A tiny dynamic SQL builder that runs the same statement text on both
//! backends: placeholders come out as `?` (SQLite) or `$n` (PostgreSQL), and
//! binds are collected as [`Value`]s.

use dbkit::AnyConnection;
use diesel::query_builder::BoxedSqlQuery;
use diesel::query_dsl::RunQueryDsl;
use diesel::sql_types::{BigInt, Binary, Bool, Nullable, Text};
use diesel::{PgConnection, QueryResult, QueryableByName, SqliteConnection};

/// Largest number of binds one statement may carry (SQLite's bundled limit
/// is 32766, PostgreSQL's 65535).
pub(crate) const MAX_BINDS: usize = 30_000;

/// Longest list [`Sql::in_texts`] binds value by value; longer ones go in as
/// one JSON array.
const INLINE_LIST_MAX: usize = 500;

/// A bound value.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    /// `BIGINT`.
    Int(i64),
    /// Nullable `BIGINT`.
    OptInt(Option<i64>),
    /// `TEXT`.
    Text(String),
    /// Nullable `TEXT`.
    OptText(Option<String>),
    /// `BLOB`/`BYTEA`.
    Bytes(Vec<u8>),
    /// Nullable `BLOB`/`BYTEA`.
    OptBytes(Option<Vec<u8>>),
    /// `BOOLEAN`.
    Bool(bool),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::OptInt(v)
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::OptText(v)
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}
impl From<Option<Vec<u8>>> for Value {
    fn from(v: Option<Vec<u8>>) -> Self {
        Value::OptBytes(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

/// A statement under construction.
#[derive(Debug, Clone)]
pub(crate) struct Sql {
    pg: bool,
    text: String,
    binds: Vec<Value>,
}

impl Sql {
    /// An empty statement for the backend of `conn`.
    pub(crate) fn new(conn: &AnyConnection) -> Self {
        Self::for_backend(is_pg(conn))
    }

    /// An empty statement for PostgreSQL (`pg`) or SQLite.
    pub(crate) fn for_backend(pg: bool) -> Self {
        Sql {
            pg,
            text: String::new(),
            binds: Vec::new(),
        }
    }

    /// Starts a statement with `text`.
    pub(crate) fn with(conn: &AnyConnection, text: &str) -> Self {
        let mut s = Self::new(conn);
        s.push(text);
        s
    }

    /// Appends raw SQL text.
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `v`.
    pub(crate) fn bind(&mut self, v: impl Into<Value>) -> &mut Self {
        self.binds.push(v.into());
        if self.pg {
            self.text.push('$');
            self.text.push_str(&self.binds.len().to_string());
        } else {
            self.text.push('?');
        }
        self
    }

    /// Appends `(p1, p2, …)` bound to `vals`; `(NULL)` when empty so that
    /// `IN (…)` stays valid and matches nothing.
    pub(crate) fn bind_list<V: Into<Value>>(
        &mut self,
        vals: impl IntoIterator<Item = V>,
    ) -> &mut Self {
        self.text.push('(');
        let mut first = true;
        for v in vals {
            if !first {
                self.text.push_str(", ");
            }
            first = false;
            self.bind(v);
        }
        if first {
            self.text.push_str("NULL");
        }
        self.text.push(')');
        self
    }

    /// Appends a subquery of one text column `v` holding `vals`, bound as a
    /// single JSON array: any number of values takes one placeholder.
    pub(crate) fn text_table<S: AsRef<str>>(&mut self, vals: &[S]) -> &mut Self {
        let json = serde_json::Value::Array(
            vals.iter()
                .map(|v| serde_json::Value::String(v.as_ref().to_owned()))
                .collect(),
        )
        .to_string();
        if self.pg {
            self.push("(SELECT json_array_elements_text(CAST(")
                .bind(json)
                .push(" AS json)) AS v)")
        } else {
            self.push("(SELECT value AS v FROM json_each(")
                .bind(json)
                .push("))")
        }
    }

    /// Appends `column IN (vals)` (`negate`: `column NOT IN (vals)`). An empty
    /// list matches nothing (everything when negated); a long one is bound
    /// as one JSON array, so that no length reaches [`MAX_BINDS`].
    pub(crate) fn in_texts<S: AsRef<str>>(
        &mut self,
        column: &str,
        vals: &[S],
        negate: bool,
    ) -> &mut Self {
        if vals.is_empty() {
            return self.push(if negate { "1 = 1" } else { "1 = 0" });
        }
        let op = if negate { " NOT IN " } else { " IN " };
        if vals.len() <= INLINE_LIST_MAX {
            return self
                .push(column)
                .push(op)
                .bind_list(vals.iter().map(|v| v.as_ref()));
        }
        if negate && self.pg {
            // PostgreSQL plans `NOT IN (subquery)` as a per-row scan once the
            // set outgrows `work_mem`; `NOT EXISTS` becomes a hashed anti-join.
            return self
                .push("NOT EXISTS (SELECT 1 FROM ")
                .text_table(vals)
                .push(" lt WHERE lt.v = ")
                .push(column)
                .push(")");
        }
        self.push(column)
            .push(op)
            .push("(SELECT lt.v FROM ")
            .text_table(vals)
            .push(" lt)")
    }

    /// The case-insensitive `LIKE` of the backend.
    pub(crate) fn ilike(&self) -> &'static str {
        if self.pg {
            " ILIKE "
        } else {
            " LIKE "
        }
    }

    /// Whether the statement targets PostgreSQL.
    pub(crate) fn is_pg(&self) -> bool {
        self.pg
    }

    /// Number of binds so far.
    pub(crate) fn bind_count(&self) -> usize {
        self.binds.len()
    }

    /// Runs the statement, returning the affected row count.
    pub(crate) fn execute(self, conn: &mut AnyConnection) -> QueryResult<usize> {
        self.traced(|text, binds| match conn {
            AnyConnection::Sqlite(c) => sqlite_query(text, binds).execute(c),
            AnyConnection::Postgresql(c) => pg_query(text, binds).execute(c),
        })
    }

    /// Runs the statement and loads its rows.
    pub(crate) fn load<T>(self, conn: &mut AnyConnection) -> QueryResult<Vec<T>>
    where
        T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static,
    {
        self.traced(|text, binds| match conn {
            AnyConnection::Sqlite(c) => load_sqlite(c, text, binds),
            AnyConnection::Postgresql(c) => load_pg(c, text, binds),
        })
    }

    /// Runs `run` on the statement; with `RUST_LOG=productdb::sql=debug`
    /// logs how long it took, its text and its first binds (to find a slow
    /// query and replay it under `EXPLAIN`).
    fn traced<R>(self, run: impl FnOnce(String, Vec<Value>) -> R) -> R {
        if !tracing::enabled!(target: "productdb::sql", tracing::Level::DEBUG) {
            return run(self.text, self.binds);
        }
        let (text, binds) = (self.text.clone(), self.binds.clone());
        let start = std::time::Instant::now();
        let out = run(self.text, self.binds);
        let shown: Vec<&Value> = binds.iter().take(SHOWN_BINDS).collect();
        tracing::debug!(
            target: "productdb::sql",
            micros = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX),
            binds = binds.len(),
            "{text} -- {shown:?}"
        );
        out
    }
}

/// Binds a statement log line shows at most.
const SHOWN_BINDS: usize = 40;

/// Whether `conn` is PostgreSQL.
pub(crate) fn is_pg(conn: &AnyConnection) -> bool {
    matches!(conn, AnyConnection::Postgresql(_))
}

macro_rules! boxed_query {
    ($name:ident, $db:ty) => {
        fn $name(
            text: String,
            binds: Vec<Value>,
        ) -> BoxedSqlQuery<'static, $db, diesel::query_builder::SqlQuery> {
            let mut q = diesel::sql_query(text).into_boxed::<$db>();
            for b in binds {
                q = match b {
                    Value::Int(v) => q.bind::<BigInt, _>(v),
                    Value::OptInt(v) => q.bind::<Nullable<BigInt>, _>(v),
                    Value::Text(v) => q.bind::<Text, _>(v),
                    Value::OptText(v) => q.bind::<Nullable<Text>, _>(v),
                    Value::Bytes(v) => q.bind::<Binary, _>(v),
                    Value::OptBytes(v) => q.bind::<Nullable<Binary>, _>(v),
                    Value::Bool(v) => q.bind::<Bool, _>(v),
                };
            }
            q
        }
    };
}

boxed_query!(sqlite_query, diesel::sqlite::Sqlite);
boxed_query!(pg_query, diesel::pg::Pg);

fn load_sqlite<T>(c: &mut SqliteConnection, text: String, binds: Vec<Value>) -> QueryResult<Vec<T>>
where
    T: QueryableByName<diesel::sqlite::Sqlite> + 'static,
{
    sqlite_query(text, binds).load(c)
}

fn load_pg<T>(c: &mut PgConnection, text: String, binds: Vec<Value>) -> QueryResult<Vec<T>>
where
    T: QueryableByName<diesel::pg::Pg> + 'static,
{
    pg_query(text, binds).load(c)
}

/// One `BIGINT` column named `v`.
#[derive(Debug, QueryableByName)]
pub(crate) struct IntRow {
    /// The value.
    #[diesel(sql_type = BigInt)]
    pub v: i64,
}

/// One nullable `BIGINT` column named `v`.
#[derive(Debug, QueryableByName)]
pub(crate) struct OptIntRow {
    /// The value.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub v: Option<i64>,
}

/// One `TEXT` column named `v`.
#[derive(Debug, QueryableByName)]
pub(crate) struct TextRow {
    /// The value.
    #[diesel(sql_type = Text)]
    pub v: String,
}

/// A single integer result (`SELECT … AS v`).
pub(crate) fn scalar_int(conn: &mut AnyConnection, sql: Sql) -> QueryResult<Option<i64>> {
    Ok(sql
        .load::<OptIntRow>(conn)?
        .into_iter()
        .next()
        .and_then(|r| r.v))
}

/// Translates a CodeChecker filter value into a `LIKE` pattern: `*` is the
/// wildcard (as CodeChecker's `conv`), other characters pass unchanged.
pub(crate) fn like_pattern(value: &str) -> String {
    value.replace('*', "%")
}
