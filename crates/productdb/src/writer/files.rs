//! Source files of a store: contents once per hash, one row per
//! (path, hash).

use std::collections::{HashMap, HashSet};

use dbkit::AnyConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;
use rayon::prelude::*;
use tracing::warn;

use super::State;
use crate::codec::compress;
use crate::error::Result;
use crate::model::StoreFile;
use crate::sql::{Sql, TextRow, MAX_BINDS};

/// Bytes of compressed content per multi-row insert.
const CONTENT_BYTES_PER_STATEMENT: usize = 16 << 20;

#[derive(Debug, QueryableByName)]
struct FileRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    filepath: String,
    #[diesel(sql_type = Text)]
    content_hash: String,
}

/// A file row this store created.
#[derive(Debug, QueryableByName)]
struct NewFileRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    filepath: String,
}

/// Stores a batch of files and records their ids in `st.files`.
pub(super) fn add(conn: &mut AnyConnection, st: &mut State, files: Vec<StoreFile>) -> Result<()> {
    st.progress.files += files.len() as u64;
    // Compress uploaded contents in parallel.
    let mut compressed: Vec<(&str, Vec<u8>)> = files
        .par_iter()
        .filter_map(|f| {
            f.content
                .as_ref()
                .map(|c| (f.content_hash.as_str(), compress(c)))
        })
        .collect();
    compressed.sort_by(|a, b| a.0.cmp(b.0));
    compressed.dedup_by(|a, b| a.0 == b.0);
    insert_contents(conn, compressed)?;

    for f in &files {
        if let Some(blame) = &f.blame {
            if let Some(json) = &blame.info_json {
                let mut sql = Sql::with(conn, "UPDATE file_contents SET blame_info = ");
                sql.bind(compress(json.as_bytes()))
                    .push(" WHERE content_hash = ")
                    .bind(f.content_hash.as_str())
                    .push(" AND blame_info IS NULL");
                sql.execute(conn)?;
            }
        }
    }

    // Which of the hashes are stored (uploaded now or earlier)?
    let hashes: Vec<&str> = {
        let set: HashSet<&str> = files.iter().map(|f| f.content_hash.as_str()).collect();
        let mut v: Vec<&str> = set.into_iter().collect();
        v.sort_unstable();
        v
    };
    let mut present: HashSet<String> = HashSet::new();
    for chunk in hashes.chunks(MAX_BINDS) {
        let mut sql = Sql::with(
            conn,
            "SELECT content_hash AS v FROM file_contents WHERE content_hash IN ",
        );
        sql.bind_list(chunk.iter().copied());
        present.extend(sql.load::<TextRow>(conn)?.into_iter().map(|r| r.v));
    }
    let mut usable: Vec<&StoreFile> = Vec::with_capacity(files.len());
    for f in &files {
        if present.contains(&f.content_hash) {
            usable.push(f);
        } else {
            warn!(
                path = %f.path,
                hash = %f.content_hash,
                "file content is neither uploaded nor stored; its reports will be skipped"
            );
        }
    }
    usable.sort_by(|a, b| (&a.path, &a.content_hash).cmp(&(&b.path, &b.content_hash)));
    usable.dedup_by(|a, b| a.path == b.path && a.content_hash == b.content_hash);

    for chunk in usable.chunks(MAX_BINDS / 5) {
        let mut sql = Sql::with(
            conn,
            "INSERT INTO files (filepath, filename, content_hash, remote_url, tracking_branch) VALUES ",
        );
        for (i, f) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            let (url, branch) = f
                .blame
                .as_ref()
                .map(|b| (b.remote_url.clone(), b.tracking_branch.clone()))
                .unwrap_or((None, None));
            sql.push("(")
                .bind(f.path.as_str())
                .push(", ")
                .bind(basename(&f.path))
                .push(", ")
                .bind(f.content_hash.as_str())
                .push(", ")
                .bind(url)
                .push(", ")
                .bind(branch)
                .push(")");
        }
        sql.push(" ON CONFLICT (filepath, content_hash) DO NOTHING RETURNING id, filepath");
        let created: Vec<(i64, String)> = sql
            .load::<NewFileRow>(conn)?
            .into_iter()
            .map(|r| (r.id, r.filepath))
            .collect();
        crate::components::link_new_files(conn, &created)?;
    }
    // Older rows of the same files may lack repository data.
    for f in &usable {
        if let Some(b) = f.blame.as_ref().filter(|b| b.remote_url.is_some()) {
            let mut sql = Sql::with(conn, "UPDATE files SET remote_url = ");
            sql.bind(b.remote_url.clone())
                .push(", tracking_branch = ")
                .bind(b.tracking_branch.clone())
                .push(" WHERE remote_url IS NULL AND filepath = ")
                .bind(f.path.as_str());
            sql.execute(conn)?;
        }
    }

    let wanted: HashMap<(&str, &str), ()> = usable
        .iter()
        .map(|f| ((f.path.as_str(), f.content_hash.as_str()), ()))
        .collect();
    let paths: Vec<&str> = {
        let mut v: Vec<&str> = usable.iter().map(|f| f.path.as_str()).collect();
        v.dedup();
        v
    };
    for chunk in paths.chunks(MAX_BINDS) {
        let mut sql = Sql::with(
            conn,
            "SELECT id, filepath, content_hash FROM files WHERE filepath IN ",
        );
        sql.bind_list(chunk.iter().copied());
        for row in sql.load::<FileRow>(conn)? {
            if wanted.contains_key(&(row.filepath.as_str(), row.content_hash.as_str())) {
                st.files.insert(row.filepath, row.id);
            }
        }
    }
    Ok(())
}

fn insert_contents(conn: &mut AnyConnection, contents: Vec<(&str, Vec<u8>)>) -> Result<()> {
    let mut sql: Option<Sql> = None;
    let mut bytes = 0usize;
    for (hash, blob) in contents {
        let s = sql.get_or_insert_with(|| {
            Sql::with(
                conn,
                "INSERT INTO file_contents (content_hash, content) VALUES ",
            )
        });
        if s.bind_count() > 0 {
            s.push(", ");
        }
        bytes += blob.len();
        s.push("(").bind(hash).push(", ").bind(blob).push(")");
        if bytes >= CONTENT_BYTES_PER_STATEMENT || s.bind_count() >= MAX_BINDS - 2 {
            if let Some(mut full) = sql.take() {
                full.push(" ON CONFLICT (content_hash) DO NOTHING");
                full.execute(conn)?;
            }
            bytes = 0;
        }
    }
    if let Some(mut rest) = sql {
        rest.push(" ON CONFLICT (content_hash) DO NOTHING");
        rest.execute(conn)?;
    }
    Ok(())
}

/// The last path component (CodeChecker's `os.path.basename`).
pub(crate) fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
