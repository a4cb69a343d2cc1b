//! Filter presets (CodeChecker's `storeFilterPreset` and friends): named
//! report filters, kept as the caller's serialised text.

use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;

use crate::db::ProductDb;
use crate::error::{Error, Result};
use crate::model::FilterPreset;
use crate::sql::{IntRow, Sql};

#[derive(Debug, QueryableByName)]
struct PresetRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    preset_name: String,
    #[diesel(sql_type = Text)]
    report_filter: String,
}

impl From<PresetRow> for FilterPreset {
    fn from(r: PresetRow) -> Self {
        FilterPreset {
            id: r.id,
            name: r.preset_name,
            report_filter: r.report_filter,
        }
    }
}

const WHAT: &str = "filter preset";

impl ProductDb {
    /// Creates a preset (`id` is `None`) or overwrites the name and filter of
    /// preset `id`; returns its id. [`Error::Duplicate`] when another preset
    /// has the name, [`Error::NotFound`] for an unknown `id`.
    pub fn store_filter_preset(
        &self,
        id: Option<i64>,
        name: &str,
        report_filter: &str,
    ) -> Result<i64> {
        self.write(|conn| {
            let mut sql = Sql::with(
                conn,
                "SELECT id AS v FROM filter_presets WHERE preset_name = ",
            );
            sql.bind(name);
            let holder = sql.load::<IntRow>(conn)?.into_iter().next().map(|r| r.v);
            if holder.is_some_and(|h| Some(h) != id) {
                return Err(Error::Duplicate {
                    what: WHAT,
                    name: name.to_owned(),
                });
            }
            match id {
                None => {
                    let mut sql = Sql::with(
                        conn,
                        "INSERT INTO filter_presets (preset_name, report_filter) VALUES (",
                    );
                    sql.bind(name)
                        .push(", ")
                        .bind(report_filter)
                        .push(") RETURNING id AS v");
                    sql.load::<IntRow>(conn)?
                        .into_iter()
                        .next()
                        .map(|r| r.v)
                        .ok_or_else(|| Error::Corrupt("no id for a new filter preset".into()))
                }
                Some(id) => {
                    let mut sql = Sql::with(conn, "UPDATE filter_presets SET preset_name = ");
                    sql.bind(name)
                        .push(", report_filter = ")
                        .bind(report_filter)
                        .push(" WHERE id = ")
                        .bind(id);
                    if sql.execute(conn)? == 0 {
                        return Err(not_found(id));
                    }
                    Ok(id)
                }
            }
        })
    }

    /// Renames preset `id`; [`Error::NotFound`] or [`Error::Duplicate`].
    pub fn rename_filter_preset(&self, id: i64, name: &str) -> Result<i64> {
        self.write(|conn| {
            let mut sql = Sql::with(conn, "SELECT id AS v FROM filter_presets WHERE id = ");
            sql.bind(id);
            if sql.load::<IntRow>(conn)?.is_empty() {
                return Err(not_found(id));
            }
            let mut sql = Sql::with(
                conn,
                "SELECT id AS v FROM filter_presets WHERE preset_name = ",
            );
            sql.bind(name);
            if sql.load::<IntRow>(conn)?.iter().any(|r| r.v != id) {
                return Err(Error::Duplicate {
                    what: WHAT,
                    name: name.to_owned(),
                });
            }
            let mut sql = Sql::with(conn, "UPDATE filter_presets SET preset_name = ");
            sql.bind(name).push(" WHERE id = ").bind(id);
            sql.execute(conn)?;
            Ok(id)
        })
    }

    /// Deletes preset `id`; [`Error::NotFound`] when there is none.
    pub fn delete_filter_preset(&self, id: i64) -> Result<()> {
        self.write(|conn| {
            let mut sql = Sql::with(conn, "DELETE FROM filter_presets WHERE id = ");
            sql.bind(id);
            if sql.execute(conn)? == 0 {
                return Err(not_found(id));
            }
            Ok(())
        })
    }

    /// Preset `id`, if any.
    pub fn filter_preset(&self, id: i64) -> Result<Option<FilterPreset>> {
        let mut conn = self.conn()?;
        let mut sql = Sql::with(
            &conn,
            "SELECT id, preset_name, report_filter FROM filter_presets WHERE id = ",
        );
        sql.bind(id);
        Ok(sql
            .load::<PresetRow>(&mut conn)?
            .into_iter()
            .next()
            .map(FilterPreset::from))
    }

    /// Every preset, by id.
    pub fn filter_presets(&self) -> Result<Vec<FilterPreset>> {
        let mut conn = self.conn()?;
        let sql = Sql::with(
            &conn,
            "SELECT id, preset_name, report_filter FROM filter_presets ORDER BY id",
        );
        Ok(sql
            .load::<PresetRow>(&mut conn)?
            .into_iter()
            .map(FilterPreset::from)
            .collect())
    }
}

fn not_found(id: i64) -> Error {
    Error::NotFound {
        what: WHAT,
        key: id.to_string(),
    }
}
