//! Source files and contents (CodeChecker's `getSourceFileData`,
//! `getMissingContentHashes`, `getBlameInfo`).

use std::collections::HashSet;

use diesel::sql_types::{BigInt, Binary, Bool, Nullable, Text};
use diesel::QueryableByName;

use crate::codec::{decompress, decompress_text};
use crate::db::ProductDb;
use crate::error::Result;
use crate::model::SourceFileRow;
use crate::sql::{Sql, TextRow, MAX_BINDS};

#[derive(Debug, QueryableByName)]
struct FileDbRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    filepath: String,
    #[diesel(sql_type = Text)]
    content_hash: String,
    #[diesel(sql_type = Nullable<Binary>)]
    content: Option<Vec<u8>>,
    #[diesel(sql_type = Bool)]
    has_blame: bool,
    #[diesel(sql_type = Nullable<Text>)]
    remote_url: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    tracking_branch: Option<String>,
}

#[derive(Debug, QueryableByName)]
struct BlameRow {
    #[diesel(sql_type = Nullable<Binary>)]
    blame_info: Option<Vec<u8>>,
}

impl ProductDb {
    /// A stored file; its content (decompressed) only when `with_content`.
    pub fn source_file(&self, file_id: i64, with_content: bool) -> Result<Option<SourceFileRow>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::with(conn, "SELECT f.id, f.filepath, f.content_hash, ");
        sql.push(if with_content { "fc.content" } else { "NULL AS content" })
            .push(
                ", (fc.blame_info IS NOT NULL) AS has_blame, f.remote_url, f.tracking_branch \
                 FROM files f LEFT JOIN file_contents fc ON fc.content_hash = f.content_hash WHERE f.id = ",
            )
            .bind(file_id);
        let Some(row) = sql.load::<FileDbRow>(conn)?.into_iter().next() else {
            return Ok(None);
        };
        Ok(Some(SourceFileRow {
            id: row.id,
            path: row.filepath,
            content_hash: row.content_hash,
            content: row.content.as_deref().map(decompress).transpose()?,
            has_blame: row.has_blame,
            remote_url: row.remote_url,
            tracking_branch: row.tracking_branch,
        }))
    }

    /// The blame data of a file as JSON text, when stored.
    pub fn blame_info(&self, file_id: i64) -> Result<Option<String>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::with(
            conn,
            "SELECT fc.blame_info FROM files f JOIN file_contents fc ON fc.content_hash = f.content_hash WHERE f.id = ",
        );
        sql.bind(file_id);
        match sql
            .load::<BlameRow>(conn)?
            .into_iter()
            .next()
            .and_then(|r| r.blame_info)
        {
            Some(blob) => Ok(Some(decompress_text(&blob)?)),
            None => Ok(None),
        }
    }

    /// The hashes among `hashes` whose content is not stored
    /// (CodeChecker's `getMissingContentHashes`), in input order.
    pub fn missing_content_hashes(&self, hashes: &[String]) -> Result<Vec<String>> {
        self.missing_hashes(hashes, "")
    }

    /// The hashes among `hashes` without stored blame information
    /// (CodeChecker's `getMissingContentHashesForBlameInfo`).
    pub fn missing_blame_hashes(&self, hashes: &[String]) -> Result<Vec<String>> {
        self.missing_hashes(hashes, " AND blame_info IS NOT NULL")
    }

    fn missing_hashes(&self, hashes: &[String], extra: &str) -> Result<Vec<String>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut present: HashSet<String> = HashSet::new();
        for chunk in hashes.chunks(MAX_BINDS) {
            let mut sql = Sql::with(
                conn,
                "SELECT content_hash AS v FROM file_contents WHERE content_hash IN ",
            );
            sql.bind_list(chunk.iter()).push(extra);
            present.extend(sql.load::<TextRow>(conn)?.into_iter().map(|r| r.v));
        }
        let mut seen = HashSet::new();
        Ok(hashes
            .iter()
            .filter(|h| !present.contains(*h) && seen.insert(h.as_str()))
            .cloned()
            .collect())
    }
}
