//! Source files of the reports: content hashes (what the server identifies
//! file contents by) and the review-comment scan deciding which files the
//! server must get even though it has their content.

use std::collections::{BTreeMap, BTreeSet};

use ccreport::SourceFile;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::StoreError;

/// SHA-256 (hex) of every file, read in parallel.
pub fn hash_files(
    files: &BTreeSet<String>,
    on_file: &(dyn Fn() + Sync),
) -> Result<BTreeMap<String, String>, StoreError> {
    files
        .par_iter()
        .map(|path| {
            let content = std::fs::read(path)
                .map_err(|e| StoreError::Input(format!("Cannot read source file '{path}': {e}")))?;
            let digest = Sha256::digest(&content);
            on_file();
            Ok((path.clone(), hex::encode(digest)))
        })
        .collect()
}

/// Of `candidates` (file → report lines), the files whose review comments
/// the server must see: they contain `codechecker_` and the comment lines
/// above a report line parse (CodeChecker's client rule).
pub fn files_with_review_comments(candidates: &BTreeMap<&str, Vec<i64>>) -> BTreeSet<String> {
    candidates
        .par_iter()
        .filter_map(|(path, lines)| {
            let content = std::fs::read(path).ok()?;
            if !ccreport::has_review_comment(&content) {
                return None;
            }
            let source = SourceFile::new(&content);
            let misspelled: Vec<String> = lines
                .iter()
                .filter_map(|&l| source.comments_above(l).err().map(|e| e.to_string()))
                .collect();
            if !misspelled.is_empty() {
                tracing::warn!("There are misspelled review status comments in {path}");
                for m in misspelled {
                    tracing::warn!("{m}");
                }
            }
            source.client_must_upload(lines).then(|| (*path).to_owned())
        })
        .collect()
}
