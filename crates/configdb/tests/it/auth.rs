//! Authentication records on both backends: sessions, personal access
//! tokens, permissions and the failed-login throttle.

use crate::common;

use std::time::Duration;

use configdb::auth::{secret_hash, FailureScope, PermissionQuery, ThrottlePolicy};
use configdb::{Error, ProductSpec};
use diesel::{Connection, RunQueryDsl};

fn groups(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// Every text column of `table`, as the database stores it (to show that no
/// secret is stored).
fn dump(url: &str, table: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    let sql = format!("SELECT token_hash || '|' || user_name AS t FROM {table}");
    let rows: Vec<Row> = if url.starts_with("postgres") {
        let mut c = diesel::PgConnection::establish(url).expect("connect");
        diesel::sql_query(sql).load(&mut c).expect("dump")
    } else {
        let path = url.trim_start_matches("sqlite://");
        let mut c = diesel::SqliteConnection::establish(path).expect("connect");
        diesel::sql_query(sql).load(&mut c).expect("dump")
    };
    rows.into_iter().map(|r| r.t).collect::<Vec<_>>().join("\n")
}

#[test]
fn sessions_store_only_a_hash_and_expire_by_idle_time() {
    for t in common::backends(true) {
        let db = &t.db;
        let (token, session) = db
            .create_session("alice", &groups(&["dev", "ops"]), None)
            .expect("create");
        assert_eq!(token.len(), 64, "{}", t.label);
        assert_eq!(session.token_hash, secret_hash(&token));
        let stored = dump(&t.url, "auth_sessions");
        assert!(
            !stored.contains(&token),
            "{}: the token is stored: {stored}",
            t.label
        );
        assert!(stored.contains(&secret_hash(&token)), "{}", t.label);

        let found = db.find_session(&token).expect("find").expect("present");
        assert_eq!(found.user_name, "alice");
        assert_eq!(found.groups, groups(&["dev", "ops"]));
        assert!(
            db.find_session(&secret_hash(&token))
                .expect("find")
                .is_none(),
            "{}",
            t.label
        );
        assert!(db.find_session("").expect("find").is_none());

        t.clock().advance(Duration::from_secs(100));
        let touched = db.touch_session(&session.token_hash).expect("touch");
        assert_eq!(
            db.find_session(&token).unwrap().unwrap().last_access,
            touched
        );

        let (old_token, _) = db.create_session("alice", &[], None).unwrap();
        let (bob_token, _) = db.create_session("bob", &[], None).unwrap();
        t.clock().advance(Duration::from_secs(50));
        // Only alice's idle sessions go: the second one was never touched.
        let cutoff = db.now() - chrono::Duration::seconds(30);
        assert_eq!(
            db.delete_idle_sessions(cutoff, Some("alice")).unwrap(),
            2,
            "{}",
            t.label
        );
        assert!(db.find_session(&old_token).unwrap().is_none());
        assert!(db.find_session(&token).unwrap().is_none());
        assert!(db.find_session(&bob_token).unwrap().is_some());
        assert_eq!(db.delete_idle_sessions(cutoff, None).unwrap(), 1);

        let (token, _) = db.create_session("carol", &[], Some("ci")).unwrap();
        assert!(db.delete_session(&token).unwrap());
        assert!(!db.delete_session(&token).unwrap());
        assert!(db.find_session(&token).unwrap().is_none());
    }
}

#[test]
fn access_tokens_are_named_per_user_and_found_by_secret() {
    for t in common::backends(true) {
        let db = &t.db;
        let expires = db.now() + chrono::Duration::days(3);
        let (secret, token) = db
            .create_access_token("alice", "ci", Some("for CI"), &groups(&["dev"]), expires)
            .unwrap()
            .expect("new name");
        assert_eq!(token.name, "ci");
        assert_eq!(token.expires_at, expires);
        assert!(
            db.create_access_token("alice", "ci", None, &[], expires)
                .unwrap()
                .is_none(),
            "{}: a second token named ci",
            t.label
        );
        let (other, _) = db
            .create_access_token("bob", "ci", None, &[], expires)
            .unwrap()
            .expect("names are per user");
        assert!(!dump(&t.url, "personal_access_tokens").contains(&secret));

        let found = db.find_access_token(&secret).unwrap().expect("found");
        assert_eq!(
            (found.user_name.as_str(), found.groups.clone()),
            ("alice", groups(&["dev"]))
        );
        assert!(db
            .find_access_token(&secret_hash(&secret))
            .unwrap()
            .is_none());

        t.clock().advance(Duration::from_secs(5));
        db.touch_access_token(found.id).unwrap();
        db.set_access_token_groups("alice", &groups(&["ops"]))
            .unwrap();
        let listed = db.list_access_tokens("alice").unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].last_access, db.now());
        assert_eq!(listed[0].groups, groups(&["ops"]));

        assert!(!db.remove_access_token("alice", "nope").unwrap());
        assert!(db.remove_access_token("alice", "ci").unwrap());
        assert!(db.find_access_token(&secret).unwrap().is_none());
        assert!(
            !db.remove_access_token_by_secret("alice", &other).unwrap(),
            "not alice's"
        );
        assert!(db.remove_access_token_by_secret("bob", &other).unwrap());
        assert!(db.list_access_tokens("bob").unwrap().is_empty());
    }
}

#[test]
fn permissions_match_names_case_insensitively_per_scope() {
    for t in common::backends(false) {
        let db = &t.db;
        let p1 = db
            .add_product(&ProductSpec::new("p1", "sqlite:p1.sqlite"))
            .unwrap()
            .id;
        let p2 = db
            .add_product(&ProductSpec::new("p2", "sqlite:p2.sqlite"))
            .unwrap()
            .id;

        assert!(db
            .grant_permission("SUPERUSER", None, "Root", false)
            .unwrap());
        assert!(
            !db.grant_permission("SUPERUSER", None, "root", false)
                .unwrap(),
            "{}",
            t.label
        );
        assert!(db
            .grant_permission("PERMISSION_VIEW", None, "ROOT", false)
            .unwrap());
        assert!(db
            .grant_permission("PRODUCT_ADMIN", Some(p1), "Alice", false)
            .unwrap());
        assert!(db
            .grant_permission("PRODUCT_VIEW", Some(p2), "Devs", true)
            .unwrap());
        assert!(matches!(
            db.grant_permission("PRODUCT_VIEW", Some(999_999), "x", false),
            Err(Error::NotFound {
                what: "product",
                ..
            })
        ));
        assert!(matches!(
            db.grant_permission("PRODUCT_VIEW", Some(p1), "", false),
            Err(Error::InvalidArgument(_))
        ));

        // The first spelling of a name is kept.
        let holders = db.permission_holders("PERMISSION_VIEW", None).unwrap();
        assert_eq!(holders.len(), 1);
        assert_eq!(
            (holders[0].name.as_str(), holders[0].is_group),
            ("Root", false)
        );

        let ask = |system: &[&str], product: &[&str], id: Option<i64>, user: &str, g: &[&str]| {
            let g = groups(g);
            db.holds_permission(&PermissionQuery {
                system,
                product,
                product_id: id,
                user,
                groups: &g,
            })
            .unwrap()
        };
        assert!(ask(&["SUPERUSER"], &[], None, "rOOt", &[]));
        assert!(
            !ask(&["SUPERUSER"], &[], None, "alice", &["root"]),
            "a group is not the user"
        );
        assert!(ask(&[], &["PRODUCT_ADMIN"], Some(p1), "alice", &[]));
        assert!(!ask(&[], &["PRODUCT_ADMIN"], Some(p2), "alice", &[]));
        assert!(!ask(&[], &["PRODUCT_ADMIN"], None, "alice", &[]));
        assert!(ask(
            &[],
            &["PRODUCT_VIEW", "PRODUCT_ADMIN"],
            Some(p2),
            "bob",
            &["x", "devs"]
        ));
        assert!(
            !ask(&[], &["PRODUCT_VIEW"], Some(p2), "devs", &[]),
            "a user named like a group"
        );
        assert!(ask(
            &["SUPERUSER"],
            &["PRODUCT_VIEW"],
            Some(p1),
            "root",
            &[]
        ));
        assert!(!ask(&[], &[], Some(p1), "root", &[]));

        let grants = db.list_grants().unwrap();
        assert_eq!(grants.len(), 4, "{}: {grants:?}", t.label);
        let admin = grants
            .iter()
            .find(|g| g.permission == "PRODUCT_ADMIN")
            .unwrap();
        assert_eq!(admin.product_endpoint.as_deref(), Some("p1"));
        assert_eq!(admin.product_id, Some(p1));

        assert!(db
            .revoke_permission("SUPERUSER", None, "ROOT", false)
            .unwrap());
        assert!(!db
            .revoke_permission("SUPERUSER", None, "root", false)
            .unwrap());
        assert!(!ask(&["SUPERUSER"], &[], None, "root", &[]));
        // Removing a product removes its grants.
        db.remove_product(p1).unwrap();
        assert!(db
            .permission_holders("PRODUCT_ADMIN", Some(p1))
            .unwrap()
            .is_empty());
        assert_eq!(db.list_grants().unwrap().len(), 2);
    }
}

#[test]
fn failed_logins_lock_a_subject_for_a_while() {
    let policy = ThrottlePolicy {
        max_failures: 3,
        window: Duration::from_secs(60),
        lockout: Duration::from_secs(30),
    };
    for t in common::backends(true) {
        let db = &t.db;
        let user = FailureScope::User;
        assert_eq!(db.login_locked_until(user, "alice").unwrap(), None);
        assert_eq!(
            db.record_login_failure(user, "alice", &policy).unwrap(),
            None
        );
        assert_eq!(
            db.record_login_failure(user, "alice", &policy).unwrap(),
            None
        );
        let until = db
            .record_login_failure(user, "alice", &policy)
            .unwrap()
            .expect("the third failure locks");
        assert_eq!(
            until,
            db.now() + chrono::Duration::seconds(30),
            "{}",
            t.label
        );
        assert_eq!(db.login_locked_until(user, "alice").unwrap(), Some(until));
        assert_eq!(
            db.login_locked_until(FailureScope::Address, "alice")
                .unwrap(),
            None
        );

        t.clock().advance(Duration::from_secs(31));
        assert_eq!(
            db.login_locked_until(user, "alice").unwrap(),
            None,
            "{}",
            t.label
        );
        // Counting started afresh at the lock.
        assert_eq!(
            db.record_login_failure(user, "alice", &policy).unwrap(),
            None
        );
        assert_eq!(
            db.record_login_failure(user, "alice", &policy).unwrap(),
            None
        );
        // Failures older than the window are forgotten.
        t.clock().advance(Duration::from_secs(61));
        assert_eq!(
            db.record_login_failure(user, "alice", &policy).unwrap(),
            None
        );
        assert_eq!(
            db.record_login_failure(user, "alice", &policy).unwrap(),
            None
        );
        db.clear_login_failures(user, "alice").unwrap();
        assert_eq!(
            db.record_login_failure(user, "alice", &policy).unwrap(),
            None
        );
        assert_eq!(
            db.record_login_failure(user, "alice", &policy).unwrap(),
            None
        );

        t.clock().advance(Duration::from_secs(61));
        assert_eq!(db.prune_login_failures(&policy).unwrap(), 1, "{}", t.label);
    }
}

#[test]
fn concurrent_failures_from_several_processes_are_all_counted() {
    let policy = ThrottlePolicy {
        max_failures: 1_000,
        window: Duration::from_secs(600),
        lockout: Duration::from_secs(60),
    };
    for t in common::backends(false) {
        let handles: Vec<_> = (0..4).map(|_| t.reopen(2)).collect();
        std::thread::scope(|s| {
            for db in &handles {
                s.spawn(move || {
                    for _ in 0..50 {
                        db.record_login_failure(FailureScope::Address, "10.0.0.1", &policy)
                            .expect("record");
                    }
                });
            }
        });
        // 200 counted: 800 more lock, 799 do not.
        let db = &t.db;
        for _ in 0..799 {
            assert_eq!(
                db.record_login_failure(FailureScope::Address, "10.0.0.1", &policy)
                    .unwrap(),
                None,
                "{}",
                t.label
            );
        }
        assert!(db
            .record_login_failure(FailureScope::Address, "10.0.0.1", &policy)
            .unwrap()
            .is_some());
    }
}
