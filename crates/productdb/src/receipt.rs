//! Store receipts: a store given a key ([`crate::StoreRun::store_key`], the
//! same for every attempt of one store) leaves a `store_receipts` row in its
//! own transaction. A later attempt with that key (one re-run because its
//! worker died after the commit but before the task's end was recorded)
//! finds the receipt and is refused with [`crate::Error::AlreadyStored`],
//! which carries the first attempt's outcome: a store is applied once.

use dbkit::AnyConnection;
use diesel::sql_types::BigInt;
use diesel::QueryableByName;

use crate::db::ProductDb;
use crate::error::{Error, Result};
use crate::model::StoreOutcome;
use crate::sql::Sql;
use crate::time::{from_micros, now, to_micros};

/// How long a receipt is kept: far longer than any store task can wait to
/// be rescued.
const KEEP_DAYS: i64 = 31;

#[derive(Debug, QueryableByName)]
struct ReceiptRow {
    #[diesel(sql_type = BigInt)]
    run_id: i64,
    #[diesel(sql_type = BigInt)]
    run_history_id: i64,
    #[diesel(sql_type = BigInt)]
    updated_existing_run: i64,
    #[diesel(sql_type = BigInt)]
    reports_seen: i64,
    #[diesel(sql_type = BigInt)]
    reports_stored: i64,
    #[diesel(sql_type = BigInt)]
    duplicates_skipped: i64,
    #[diesel(sql_type = BigInt)]
    missing_file_skipped: i64,
    #[diesel(sql_type = BigInt)]
    stored_at_us: i64,
}

impl ProductDb {
    /// The outcome of the committed store keyed `key`, if there was one.
    pub fn store_receipt(&self, key: &str) -> Result<Option<StoreOutcome>> {
        find(&mut *self.conn()?, key)
    }
}

/// The receipt of `key`, read on `conn` (inside a store's transaction, or
/// not).
pub(crate) fn find(conn: &mut AnyConnection, key: &str) -> Result<Option<StoreOutcome>> {
    let mut sql = Sql::with(
        conn,
        "SELECT run_id, run_history_id, updated_existing_run, reports_seen, reports_stored, \
         duplicates_skipped, missing_file_skipped, stored_at_us FROM store_receipts \
         WHERE store_key = ",
    );
    sql.bind(key);
    let Some(row) = sql.load::<ReceiptRow>(conn)?.into_iter().next() else {
        return Ok(None);
    };
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok(Some(StoreOutcome {
        run_id: row.run_id,
        run_history_id: row.run_history_id,
        updated_existing_run: row.updated_existing_run != 0,
        reports_seen: count(row.reports_seen),
        reports_stored: count(row.reports_stored),
        duplicates_skipped: count(row.duplicates_skipped),
        missing_file_skipped: count(row.missing_file_skipped),
        stored_at: from_micros(row.stored_at_us)?,
        from_receipt: true,
    }))
}

/// Fails with [`Error::AlreadyStored`] when `key` has a receipt.
pub(crate) fn refuse_if_stored(conn: &mut AnyConnection, key: &str) -> Result<()> {
    match find(conn, key)? {
        Some(outcome) => Err(Error::AlreadyStored(Box::new(outcome))),
        None => Ok(()),
    }
}

/// Inside the store's transaction: writes the receipt of `key`, and drops
/// receipts older than [`KEEP_DAYS`].
pub(crate) fn write_in_txn(
    conn: &mut AnyConnection,
    key: &str,
    outcome: &StoreOutcome,
) -> Result<()> {
    let cutoff = to_micros(now() - chrono::Duration::days(KEEP_DAYS));
    let mut prune = Sql::with(conn, "DELETE FROM store_receipts WHERE stored_at_us < ");
    prune.bind(cutoff);
    prune.execute(conn)?;
    let signed = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let mut sql = Sql::with(
        conn,
        "INSERT INTO store_receipts (store_key, run_id, run_history_id, updated_existing_run, \
         reports_seen, reports_stored, duplicates_skipped, missing_file_skipped, stored_at_us) \
         VALUES (",
    );
    sql.bind(key)
        .push(", ")
        .bind(outcome.run_id)
        .push(", ")
        .bind(outcome.run_history_id)
        .push(", ")
        .bind(i64::from(outcome.updated_existing_run))
        .push(", ")
        .bind(signed(outcome.reports_seen))
        .push(", ")
        .bind(signed(outcome.reports_stored))
        .push(", ")
        .bind(signed(outcome.duplicates_skipped))
        .push(", ")
        .bind(signed(outcome.missing_file_skipped))
        .push(", ")
        .bind(to_micros(outcome.stored_at))
        .push(")");
    sql.execute(conn)?;
    Ok(())
}
