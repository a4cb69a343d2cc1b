//! The run's reports as they were before this store.

use std::collections::HashMap;

use dbkit::AnyConnection;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::QueryableByName;

use crate::error::Result;
use crate::sql::Sql;

/// A previous report, as far as the new store's decisions need it.
#[derive(Debug, Clone, QueryableByName)]
pub(crate) struct OldReport {
    /// Id.
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// Bug hash.
    #[diesel(sql_type = Text)]
    pub bug_id: String,
    /// Detection status (Thrift value).
    #[diesel(sql_type = BigInt)]
    pub detection_status: i64,
    /// Review status (Thrift value).
    #[diesel(sql_type = BigInt)]
    pub review_status: i64,
    /// First detection.
    #[diesel(sql_type = BigInt)]
    pub detected_at_us: i64,
    /// Closing time.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub fixed_at_us: Option<i64>,
    /// Checker name.
    #[diesel(sql_type = Text)]
    pub checker_name: String,
}

/// The previous reports of a run, in id order, indexed by bug hash.
#[derive(Debug, Default)]
pub(crate) struct OldReports {
    /// All of them, ascending id.
    pub all: Vec<OldReport>,
    /// Bug hash → index into `all` of its first (lowest id) report.
    pub first: HashMap<String, usize>,
}

impl OldReports {
    /// Loads the reports of `run_id`.
    pub(crate) fn load(conn: &mut AnyConnection, run_id: i64) -> Result<Self> {
        let mut sql = Sql::with(
            conn,
            "SELECT r.id, r.bug_id, r.detection_status, r.review_status, r.detected_at_us, \
             r.fixed_at_us, c.checker_name FROM reports r JOIN checkers c ON c.id = r.checker_id \
             WHERE r.run_id = ",
        );
        sql.bind(run_id).push(" ORDER BY r.id");
        let all: Vec<OldReport> = sql.load(conn)?;
        let mut first = HashMap::with_capacity(all.len());
        for (i, r) in all.iter().enumerate() {
            first.entry(r.bug_id.clone()).or_insert(i);
        }
        Ok(OldReports { all, first })
    }

    /// Number of previous reports.
    pub(crate) fn len(&self) -> usize {
        self.all.len()
    }

    /// The first previous report with `bug_hash`.
    pub(crate) fn first(&self, bug_hash: &str) -> Option<&OldReport> {
        self.first.get(bug_hash).and_then(|&i| self.all.get(i))
    }
}
