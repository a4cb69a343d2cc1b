//! The tables and columns of a database as the engine reports them, in a form
//! that compares across SQLite and PostgreSQL: the check that both dialects of
//! the migrations build the same schema.

use std::collections::BTreeMap;

use diesel::sql_types::{Integer, Text};
use diesel::RunQueryDsl;

use crate::connection::AnyConnection;
use crate::error::Result;

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    v: String,
}

#[derive(diesel::QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    decl: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
}

/// A column: its name, the family of its type, and whether it may be NULL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// `integer`, `real`, `text`, `blob` or `boolean` (SQLite's affinity
    /// rules applied to both dialects' declared types).
    pub family: &'static str,
    /// Whether the column may hold NULL.
    pub nullable: bool,
}

/// The user tables of the connected database (engine-internal ones aside),
/// sorted.
pub fn table_names(conn: &mut AnyConnection) -> Result<Vec<String>> {
    let mut names: Vec<String> = match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(
            "SELECT name AS v FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .load::<Name>(c)?,
        AnyConnection::Postgresql(c) => diesel::sql_query(
            "SELECT CAST(table_name AS TEXT) AS v FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
        .load::<Name>(c)?,
    }
    .into_iter()
    .map(|n| n.v)
    .collect();
    names.sort();
    Ok(names)
}

/// Every user table with its columns (sorted by name), for comparing schemas.
pub fn columns(conn: &mut AnyConnection) -> Result<BTreeMap<String, Vec<Column>>> {
    let mut out = BTreeMap::new();
    for table in table_names(conn)? {
        let rows = match conn {
            // A primary key column never holds NULL (SQLite reports its
            // `INTEGER PRIMARY KEY` as nullable, PostgreSQL as NOT NULL).
            AnyConnection::Sqlite(c) => diesel::sql_query(format!(
                "SELECT name, type AS decl, \
                 CASE WHEN \"notnull\" = 1 OR pk > 0 THEN 1 ELSE 0 END AS not_null \
                 FROM pragma_table_info('{}')",
                table.replace('\'', "''")
            ))
            .load::<ColumnRow>(c)?,
            AnyConnection::Postgresql(c) => diesel::sql_query(
                "SELECT CAST(column_name AS TEXT) AS name, CAST(data_type AS TEXT) AS decl, \
                 CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS not_null \
                 FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
            )
            .bind::<Text, _>(&table)
            .load::<ColumnRow>(c)?,
        };
        let mut cols: Vec<Column> = rows
            .into_iter()
            .map(|r| Column {
                family: family(&r.decl),
                nullable: r.not_null == 0,
                name: r.name,
            })
            .collect();
        cols.sort();
        out.insert(table, cols);
    }
    Ok(out)
}

/// The family of a declared type, by SQLite's affinity rules (which also
/// sort PostgreSQL's type names sensibly).
fn family(decl: &str) -> &'static str {
    let d = decl.to_ascii_lowercase();
    if d.contains("bool") {
        "boolean"
    } else if d.contains("int") || d.contains("serial") {
        "integer"
    } else if d.contains("char") || d.contains("clob") || d.contains("text") {
        "text"
    } else if d.contains("blob") || d.contains("bytea") || d.is_empty() {
        "blob"
    } else {
        "real"
    }
}

#[cfg(test)]
mod tests {
    use super::family;

    #[test]
    fn declared_types_fall_into_families() {
        for (decl, fam) in [
            ("INTEGER", "integer"),
            ("bigint", "integer"),
            ("BIGSERIAL", "integer"),
            ("character varying", "text"),
            ("TEXT", "text"),
            ("bytea", "blob"),
            ("BLOB", "blob"),
            ("boolean", "boolean"),
            ("double precision", "real"),
        ] {
            assert_eq!(family(decl), fam, "{decl}");
        }
    }
}
