//! Reading `CodeChecker analyze` output exactly as CodeChecker 6.29 does.
//!
//! * [`parse_plist`]: plist report files → [`Report`]s (pure; parse files
//!   in parallel as you like).
//! * [`report_path_hash`]: the identity `CodeChecker store` de-duplicates
//!   reports by; [`hash::report_hash`] for plists without bug hashes.
//! * [`Metadata`]: `metadata.json` v1/v2 and the server's view of it.
//! * [`SkipList`] reads `skip_file`.
//! * [`ReviewStatusConfig`] reads `review_status.yaml`.
//! * [`SourceFile`]: in-source `// codechecker_*` review comments, and
//!   [`has_review_comment`] for the client's upload decision.
//! * [`decide_review_status`]: the server's order of the two.

pub mod glob;
pub mod hash;
pub mod metadata;
pub mod model;
pub mod plist;
pub mod python_text;
pub mod review;
pub mod review_config;
pub mod skip;
pub mod source_comment;
pub mod trim;
mod yaml;

pub use hash::{report_hash, report_path_hash, HashType};
pub use metadata::{Metadata, MetadataError, MetadataInfo, MetadataVersion};
pub use model::{
    trim_reports, BugPathEvent, BugPathPosition, File, FileRef, MacroExpansion, Range, Report,
};
pub use plist::{parse_plist, parse_plist_file, parse_plist_partial, ParseError, PartialParse};
pub use review::{decide_review_status, ReviewDecision, ReviewStatus, SourceReviewStatus};
pub use review_config::{ReviewConfigError, ReviewRule, ReviewStatusConfig};
pub use skip::SkipList;
pub use source_comment::{has_review_comment, SourceCodeComment, SourceFile, SourceReview};
pub use trim::PathPrefixes;
