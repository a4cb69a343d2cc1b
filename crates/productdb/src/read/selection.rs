//! What a removal request selects: the runs of a run filter and the reports
//! of a report filter, as ids.

use super::filter::report_scope_sql;
use super::runs::run_filter_sql;
use crate::db::ProductDb;
use crate::error::Result;
use crate::model::{Compare, ReportFilter, RunFilter};
use crate::sql::{IntRow, Sql};

impl ProductDb {
    /// Ids of the runs matching `filter` (CodeChecker's
    /// `get_run_ids_for_filter`), ascending.
    pub fn run_ids_matching(&self, filter: &RunFilter) -> Result<Vec<i64>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::with(conn, "SELECT r.id AS v FROM runs r WHERE 1 = 1");
        run_filter_sql(conn, &mut sql, filter)?;
        sql.push(" ORDER BY r.id");
        Ok(sql.load::<IntRow>(conn)?.into_iter().map(|r| r.v).collect())
    }

    /// Ids of the reports of `run_ids` matching `filter` and `compare`,
    /// ascending.
    pub fn report_ids_matching(
        &self,
        run_ids: Option<&[i64]>,
        filter: &ReportFilter,
        compare: Option<&Compare>,
    ) -> Result<Vec<i64>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::with(
            conn,
            "SELECT r.id AS v FROM reports r JOIN checkers c ON c.id = r.checker_id \
             LEFT JOIN files f ON f.id = r.file_id WHERE 1 = 1",
        );
        report_scope_sql(&mut sql, run_ids, filter, compare)?;
        sql.push(" ORDER BY r.id");
        Ok(sql.load::<IntRow>(conn)?.into_iter().map(|r| r.v).collect())
    }
}
