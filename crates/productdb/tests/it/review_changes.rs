//! Reviews after a store, on both backends: one report's review status,
//! review status rules (applied, listed, removed), comments with their
//! author checks and system comments, export and an all-or-nothing import.

use crate::common;

use chrono::{DateTime, Utc};
use common::*;
use productdb::{
    ImportComment, ImportReview, ImportRows, ReviewRuleChange, ReviewRuleFilter, ReviewRuleSort,
    ReviewRuleSortKey, ReviewStatus as R, RunFilter,
};

fn rule(hash: &str, status: R, message: Option<&str>, author: &str) -> ReviewRuleChange {
    ReviewRuleChange {
        bug_hash: hash.to_owned(),
        status,
        message: message.map(str::to_owned),
        author: author.to_owned(),
        date: None,
    }
}

fn at(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).expect("a valid instant")
}

fn stored(db: &productdb::ProductDb) -> i64 {
    let reports = vec![
        report("/p/a.c", 1, "A", "h1"),
        report("/p/a.c", 2, "A", "h2"),
        reviewed(
            report("/p/a.c", 3, "A", "h3"),
            R::Confirmed,
            "in source",
            true,
        ),
        report("/p/a.c", 4, "A", "h4"),
    ];
    store(
        db,
        run("rv", &["A"], &[]),
        vec![file("/p/a.c", "x")],
        reports,
    )
    .run_id
}

#[test]
fn one_report_changes_alone() {
    for t in backends() {
        let db = &t.db;
        let run_id = stored(db);
        let rows = reports_of(db, run_id);
        let h1 = by_hash(&rows, "h1").id;
        db.change_report_review(h1, R::FalsePositive, "nope", "alice")
            .expect("change");
        let rows = reports_of(db, run_id);
        let r = by_hash(&rows, "h1");
        assert_eq!(
            (
                r.review.status,
                r.review.author.as_deref(),
                r.review.message.as_deref()
            ),
            (R::FalsePositive, Some("alice"), Some("nope")),
            "{}",
            t.label
        );
        assert_eq!(
            r.fixed_at, None,
            "{}: as CodeChecker 6.29.1, no fix date",
            t.label
        );
        assert_eq!(by_hash(&rows, "h2").review.status, R::Unreviewed);
        assert!(db
            .review_rules(&Default::default(), None, None, 0)
            .expect("rules")
            .is_empty());
        assert!(matches!(
            db.change_report_review(999_999, R::Confirmed, "", "alice"),
            Err(productdb::Error::NotFound { .. })
        ));
    }
}

#[test]
fn rules_apply_list_and_go() {
    for t in backends() {
        let db = &t.db;
        let run_id = stored(db);
        db.add_review_rule(&rule("h1", R::FalsePositive, Some("why"), "alice"))
            .expect("rule");
        // Same status and message: nothing changes, no second comment.
        db.add_review_rule(&rule("h1", R::FalsePositive, Some("why"), "bob"))
            .expect("rule");
        db.add_review_rule(&rule("h3", R::Intentional, None, "bob"))
            .expect("rule");
        db.add_review_rule(&rule("ghost", R::Confirmed, None, "bob"))
            .expect("rule");
        let rows = reports_of(db, run_id);
        let h1 = by_hash(&rows, "h1");
        assert_eq!(h1.review.status, R::FalsePositive, "{}", t.label);
        assert_eq!(h1.review.author.as_deref(), Some("alice"));
        assert!(
            h1.fixed_at.is_some(),
            "{}: a closing rule sets the fix date",
            t.label
        );
        let h3 = by_hash(&rows, "h3");
        assert_eq!(
            (h3.review.status, h3.review.in_source),
            (R::Confirmed, true),
            "{}: a source comment wins",
            t.label
        );
        let comments = db.report_comments(h1.id).expect("read").expect("a report");
        assert_eq!(comments.len(), 1, "{}", t.label);
        assert!(comments[0].system);
        assert_eq!(
            comments[0].message,
            "rev_st_changed_msg Unreviewed False_positive why"
        );

        let all = db
            .review_rules(&Default::default(), None, None, 0)
            .expect("rules");
        let hashes: Vec<&str> = all.iter().map(|r| r.rule.bug_hash.as_str()).collect();
        assert_eq!(hashes, ["ghost", "h3", "h1"], "{}: newest first", t.label);
        let by_count = db
            .review_rules(
                &Default::default(),
                Some(ReviewRuleSort {
                    key: ReviewRuleSortKey::AssociatedReportsCount,
                    descending: false,
                }),
                Some(1),
                0,
            )
            .expect("rules");
        assert_eq!(by_count[0].rule.bug_hash, "ghost");
        assert_eq!(by_count[0].associated_reports, 0);
        let by_status = db
            .review_rules(
                &Default::default(),
                Some(ReviewRuleSort {
                    key: ReviewRuleSortKey::Status,
                    descending: false,
                }),
                None,
                0,
            )
            .expect("rules");
        let first = by_status[0].rule.status;
        assert_eq!(first, R::Confirmed, "{}", t.label);
        let filter = ReviewRuleFilter {
            report_hashes: Some(vec!["H*".into()]),
            statuses: Some(vec![R::FalsePositive, R::Intentional]),
            authors: Some(vec!["AL*".into()]),
            no_associated_reports: false,
        };
        assert_eq!(
            db.review_rule_count(&filter).expect("count"),
            1,
            "{}",
            t.label
        );
        let none = ReviewRuleFilter {
            statuses: Some(vec![]),
            ..Default::default()
        };
        assert_eq!(db.review_rule_count(&none).expect("count"), 0);
        let orphans = ReviewRuleFilter {
            no_associated_reports: true,
            ..Default::default()
        };
        assert_eq!(db.review_rule_count(&orphans).expect("count"), 1);

        // Removing the rule of h1 makes it unreviewed again.
        let h1_only = ReviewRuleFilter {
            report_hashes: Some(vec!["h1".into()]),
            ..Default::default()
        };
        assert_eq!(db.remove_review_rules(&h1_only).expect("remove"), 1);
        let rows = reports_of(db, run_id);
        let h1 = by_hash(&rows, "h1");
        assert_eq!(
            (h1.review.status, h1.review.author.as_deref(), h1.fixed_at),
            (R::Unreviewed, None, None),
            "{}",
            t.label
        );
        assert_eq!(db.review_rule_count(&Default::default()).expect("count"), 2);
    }
}

#[test]
fn comments_belong_to_their_authors() {
    for t in backends() {
        let db = &t.db;
        let run_id = stored(db);
        let rows = reports_of(db, run_id);
        let id = by_hash(&rows, "h2").id;
        db.add_comment(id, "alice", "first").expect("add");
        db.add_comment(id, "Anonymous", "anyone's").expect("add");
        let listed = db.report_comments(id).expect("read").expect("a report");
        assert_eq!(listed.len(), 2, "{}", t.label);
        let (anon, alices) = (listed[0].id, listed[1].id);
        assert!(matches!(
            db.update_comment(alices, "bob", "mine now"),
            Err(productdb::Error::NotCommentAuthor { .. })
        ));
        assert!(matches!(
            db.remove_comment(alices, "bob"),
            Err(productdb::Error::NotCommentAuthor { .. })
        ));
        db.update_comment(anon, "bob", "edited")
            .expect("anyone edits Anonymous");
        db.update_comment(alices, "alice", "first, edited")
            .expect("edit");
        let listed = db.report_comments(id).expect("read").expect("a report");
        assert_eq!(listed.len(), 4, "{}: two system comments", t.label);
        assert_eq!(
            listed[0].message, "comment_changed first 'first, edited'",
            "{}",
            t.label
        );
        db.remove_comment(alices, "alice").expect("remove");
        assert_eq!(db.report_comment_count(id).expect("count"), 3);
        assert_eq!(db.report_comment_count(999_999).expect("count"), 0);
        assert!(db.report_comments(999_999).expect("read").is_none());
        assert!(matches!(
            db.remove_comment(alices, "alice"),
            Err(productdb::Error::NotFound { .. })
        ));
    }
}

#[test]
fn export_and_all_or_nothing_import() {
    for t in backends() {
        let db = &t.db;
        let run_id = stored(db);
        let rows = reports_of(db, run_id);
        db.add_comment(by_hash(&rows, "h2").id, "alice", "note")
            .expect("add");
        db.add_review_rule(&rule("h4", R::Intentional, Some("ok"), "alice"))
            .expect("rule");
        let all = db.export_reviews(&RunFilter::default()).expect("export");
        // h4's rule comment and alice's note; h3's source review and h4's rule.
        assert_eq!(all.comments.len(), 2, "{}", t.label);
        let reviewed: Vec<&str> = all.reviews.iter().map(|(h, _)| h.as_str()).collect();
        assert!(
            reviewed.contains(&"h3") && reviewed.contains(&"h4"),
            "{reviewed:?}"
        );
        let other = db
            .export_reviews(&RunFilter {
                names: Some(vec!["other*".into()]),
                ..Default::default()
            })
            .expect("export");
        assert!(other.comments.is_empty() && other.reviews.is_empty());

        let good = ImportRows {
            comments: vec![(
                "h1".into(),
                vec![ImportComment {
                    author: "carol".into(),
                    message: "imported".into(),
                    created_at: at(1_700_000_000_123_456),
                    kind: 0,
                }],
            )],
            reviews: vec![(
                "nohash".into(),
                ImportReview {
                    status: R::FalsePositive,
                    message: Some("wait for it".into()),
                    date_text: "2023-11-14 22:13:20.123456".into(),
                    date: Some(at(1_700_000_000_123_456)),
                },
            )],
        };
        db.import_reviews(&good, "importer").expect("import");
        // The same again adds nothing: same comment, rule of the same date.
        db.import_reviews(&good, "importer").expect("import");
        let h1 = by_hash(&reports_of(db, run_id), "h1").id;
        assert_eq!(
            db.report_comment_count(h1).expect("count"),
            1,
            "{}",
            t.label
        );
        let rules = db
            .review_rules(
                &ReviewRuleFilter {
                    report_hashes: Some(vec!["nohash".into()]),
                    ..Default::default()
                },
                None,
                None,
                0,
            )
            .expect("rules");
        assert_eq!(rules.len(), 1);
        assert_eq!(
            (rules[0].rule.author.as_str(), rules[0].rule.date),
            ("importer", at(1_700_000_000_123_456))
        );

        // A review that cannot be applied fails the import as a whole.
        let bad = ImportRows {
            comments: vec![(
                "h1".into(),
                vec![ImportComment {
                    author: "carol".into(),
                    message: "second".into(),
                    created_at: at(1_700_000_001_000_001),
                    kind: 0,
                }],
            )],
            reviews: vec![(
                "h2".into(),
                ImportReview {
                    status: R::Confirmed,
                    message: None,
                    date_text: "yesterday".into(),
                    date: None,
                },
            )],
        };
        assert!(matches!(
            db.import_reviews(&bad, "importer"),
            Err(productdb::Error::BadImport(_))
        ));
        assert_eq!(
            db.report_comment_count(h1).expect("count"),
            1,
            "{}",
            t.label
        );
    }
}
