//! Source components (CodeChecker's `addSourceComponent` and friends): a
//! named list of `+glob` (include) and `-glob` (exclude) lines over file
//! paths. The files of each component are recorded in
//! `source_component_files`, so that report queries only look ids up:
//! recomputed with SQL `LIKE` (`*` → `%`) when a component is saved, and
//! extended with `fnmatch` when a store adds a file, as CodeChecker does.

use dbkit::AnyConnection;
use diesel::sql_types::{Nullable, Text};
use diesel::QueryableByName;

use crate::db::ProductDb;
use crate::error::Result;
use crate::glob::fnmatch;
use crate::model::SourceComponent;
use crate::sql::{like_pattern, Sql, MAX_BINDS};

#[derive(Debug, QueryableByName)]
struct ComponentRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    value: String,
    #[diesel(sql_type = Nullable<Text>)]
    description: Option<String>,
}

/// The include and exclude patterns of a component value (CodeChecker's
/// `get_component_values`): trimmed lines, `+` includes, `-` excludes,
/// anything else ignored.
pub fn component_patterns(value: &str) -> (Vec<&str>, Vec<&str>) {
    let mut include = Vec::new();
    let mut skip = Vec::new();
    for line in value.split('\n') {
        let line = line.trim();
        if let Some(p) = line.strip_prefix('+') {
            include.push(p);
        } else if let Some(p) = line.strip_prefix('-') {
            skip.push(p);
        }
    }
    (include, skip)
}

impl ProductDb {
    /// Creates or replaces the component `name` (by `user`) and recomputes
    /// its files.
    pub fn save_source_component(
        &self,
        name: &str,
        value: &str,
        description: Option<&str>,
        user: Option<&str>,
    ) -> Result<()> {
        self.write(|conn| {
            let mut sql = Sql::with(
                conn,
                "DELETE FROM source_component_files WHERE source_component_name = ",
            );
            sql.bind(name);
            sql.execute(conn)?;
            let mut sql = Sql::with(
                conn,
                "INSERT INTO source_components (name, value, description, username) VALUES (",
            );
            sql.bind(name)
                .push(", ")
                .bind(value)
                .push(", ")
                .bind(description.map(str::to_owned))
                .push(", ")
                .bind(user.map(str::to_owned))
                .push(
                    ") ON CONFLICT (name) DO UPDATE SET value = excluded.value, \
                     description = excluded.description, username = excluded.username",
                );
            sql.execute(conn)?;
            let (include, skip) = component_patterns(value);
            if include.is_empty() && skip.is_empty() {
                return Ok(());
            }
            let mut sql = Sql::with(
                conn,
                "INSERT INTO source_component_files (source_component_name, file_id) SELECT ",
            );
            sql.bind(name).push(", f.id FROM files f WHERE 1 = 1");
            if !include.is_empty() {
                sql.push(" AND (");
                like_any(&mut sql, &include);
                sql.push(")");
            }
            if !skip.is_empty() {
                sql.push(" AND NOT (");
                like_any(&mut sql, &skip);
                sql.push(")");
            }
            sql.execute(conn)?;
            Ok(())
        })
    }

    /// The components whose names match every pattern of `name_patterns`
    /// (case-insensitive, `*` wildcard), by name.
    pub fn source_components(&self, name_patterns: &[String]) -> Result<Vec<SourceComponent>> {
        let mut conn = self.conn()?;
        let mut sql = Sql::with(
            &conn,
            "SELECT name, value, description FROM source_components WHERE 1 = 1",
        );
        for p in name_patterns {
            let op = sql.ilike();
            sql.push(" AND name").push(op).bind(like_pattern(p));
        }
        sql.push(" ORDER BY name");
        Ok(sql
            .load::<ComponentRow>(&mut conn)?
            .into_iter()
            .map(|r| SourceComponent {
                name: r.name,
                value: r.value,
                description: r.description,
            })
            .collect())
    }

    /// Removes the component `name`; `false` when there is none.
    pub fn remove_source_component(&self, name: &str) -> Result<bool> {
        self.write(|conn| {
            let mut sql = Sql::with(
                conn,
                "DELETE FROM source_component_files WHERE source_component_name = ",
            );
            sql.bind(name);
            sql.execute(conn)?;
            let mut sql = Sql::with(conn, "DELETE FROM source_components WHERE name = ");
            sql.bind(name);
            Ok(sql.execute(conn)? > 0)
        })
    }
}

/// `f.filepath LIKE p1 OR …` (the backend's own `LIKE`, as CodeChecker's).
fn like_any(sql: &mut Sql, patterns: &[&str]) {
    for (i, p) in patterns.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        sql.push("f.filepath LIKE ").bind(like_pattern(p));
    }
}

/// Links files a store has just created to the components whose patterns
/// match their paths (`fnmatch`; a component without patterns matches
/// nothing, one with only excludes everything else).
pub(crate) fn link_new_files(conn: &mut AnyConnection, files: &[(i64, String)]) -> Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    let sql = Sql::with(
        conn,
        "SELECT name, value, description FROM source_components",
    );
    let components = sql.load::<ComponentRow>(conn)?;
    let mut links: Vec<(&str, i64)> = Vec::new();
    for c in &components {
        let (include, skip) = component_patterns(&c.value);
        if include.is_empty() && skip.is_empty() {
            continue;
        }
        for (id, path) in files {
            let included = include.is_empty() || include.iter().any(|p| fnmatch(path, p));
            if included && !skip.iter().any(|p| fnmatch(path, p)) {
                links.push((c.name.as_str(), *id));
            }
        }
    }
    for chunk in links.chunks(MAX_BINDS / 2) {
        let mut sql = Sql::with(
            conn,
            "INSERT INTO source_component_files (source_component_name, file_id) VALUES ",
        );
        for (i, (name, id)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(").bind(*name).push(", ").bind(*id).push(")");
        }
        sql.push(" ON CONFLICT DO NOTHING");
        sql.execute(conn)?;
    }
    Ok(())
}
