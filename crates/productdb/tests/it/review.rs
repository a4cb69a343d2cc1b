//! Review statuses on store: a source comment beats a review rule, a
//! review rule beats `review_status.yaml` (as CodeChecker's server does),
//! closed reviews set and keep fixed-at.

use crate::common;

use common::*;
use productdb::ReviewStatus as R;

#[test]
fn precedence_and_fixed_at() {
    for t in backends() {
        let db = &t.db;
        db.set_review_rule("h1", R::FalsePositive, "bob", "rule one")
            .expect("rule");
        db.set_review_rule("h2", R::FalsePositive, "bob", "rule two")
            .expect("rule");
        db.set_review_rule("h3", R::Confirmed, "bob", "rule three")
            .expect("rule");
        let rule = db.review_rule("h2").expect("read").expect("exists");
        assert_eq!(
            (rule.status, rule.author.as_str()),
            (R::FalsePositive, "bob")
        );

        let reports = || {
            vec![
                reviewed(
                    report("/p/a.c", 1, "A", "h1"),
                    R::Confirmed,
                    "in source",
                    true,
                ),
                reviewed(
                    report("/p/a.c", 2, "A", "h2"),
                    R::Intentional,
                    "from yaml",
                    false,
                ),
                report("/p/a.c", 3, "A", "h3"),
                reviewed(
                    report("/p/a.c", 4, "A", "h4"),
                    R::FalsePositive,
                    "yaml fp",
                    false,
                ),
                report("/p/a.c", 5, "A", "h5"),
            ]
        };
        let first = store(
            db,
            run("reviews", &["A"], &[]),
            vec![file("/p/a.c", "x")],
            reports(),
        );
        let rows = reports_of(db, first.run_id);
        let h1 = by_hash(&rows, "h1");
        assert_eq!(
            (h1.review.status, h1.review.in_source),
            (R::Confirmed, true),
            "{}",
            t.label
        );
        assert_eq!(h1.review.message.as_deref(), Some("in source"));
        assert_eq!(h1.fixed_at, None);
        let h2 = by_hash(&rows, "h2");
        assert_eq!(
            h2.review.status,
            R::FalsePositive,
            "{}: the rule overrides the yaml",
            t.label
        );
        assert_eq!(h2.review.message.as_deref(), Some("rule two"));
        assert!(!h2.review.in_source);
        assert_eq!(
            h2.review.author.as_deref(),
            Some("alice"),
            "CodeChecker keeps the storing user"
        );
        assert_eq!(h2.fixed_at, Some(first.stored_at));
        let h3 = by_hash(&rows, "h3");
        assert_eq!(h3.review.status, R::Confirmed);
        assert_eq!(h3.fixed_at, None);
        let h4 = by_hash(&rows, "h4");
        assert_eq!(h4.review.status, R::FalsePositive);
        assert_eq!(h4.fixed_at, Some(first.stored_at));
        let h5 = by_hash(&rows, "h5");
        assert_eq!(h5.review.status, R::Unreviewed);
        assert_eq!(h5.review.message.as_deref(), Some(""));
        assert_eq!(h5.review.date, Some(first.stored_at));

        let run_row = &db.runs(&Default::default(), None, None, 0).expect("runs")[0];
        assert_eq!(
            run_row.result_count, 3,
            "{}: FP reports are not counted",
            t.label
        );

        // Again: closed reviews keep their first fixed-at time.
        let second = store(
            db,
            run("reviews", &["A"], &[]),
            vec![file("/p/a.c", "x")],
            reports(),
        );
        let rows = reports_of(db, second.run_id);
        assert_eq!(
            by_hash(&rows, "h2").fixed_at,
            Some(first.stored_at),
            "{}",
            t.label
        );
        assert_eq!(by_hash(&rows, "h4").fixed_at, Some(first.stored_at));
        assert_eq!(by_hash(&rows, "h5").fixed_at, None);
        // A rule changed to confirmed reopens the report.
        db.set_review_rule("h2", R::Confirmed, "bob", "after all")
            .expect("rule");
        let third = store(
            db,
            run("reviews", &["A"], &[]),
            vec![file("/p/a.c", "x")],
            reports(),
        );
        let rows = reports_of(db, third.run_id);
        assert_eq!(by_hash(&rows, "h2").review.status, R::Confirmed);
        assert_eq!(by_hash(&rows, "h2").fixed_at, None);
    }
}
