//! Server-wide settings (the notification banner) on both backends.

use crate::common;

use configdb::{Error, NOTIFICATION_BANNER_KEY};

#[test]
fn banner_round_trip() {
    for t in common::backends(false) {
        let db = &t.db;
        assert_eq!(db.notification_banner().unwrap(), "", "{}", t.label);
        assert_eq!(db.setting(NOTIFICATION_BANNER_KEY).unwrap(), None);

        db.set_notification_banner("Maintenance at 18:00").unwrap();
        assert_eq!(db.notification_banner().unwrap(), "Maintenance at 18:00");

        // Replacing keeps one row; non-ASCII text comes back as it went in.
        let text = "Árvíztűrő tükörfúrógép — 検査 🚧\nsecond line";
        db.set_notification_banner(text).unwrap();
        assert_eq!(db.notification_banner().unwrap(), text, "{}", t.label);

        // Another handle (another process) sees it.
        assert_eq!(t.reopen(1).notification_banner().unwrap(), text);

        // Empty hides the banner, and is stored as such.
        db.set_notification_banner("").unwrap();
        assert_eq!(db.notification_banner().unwrap(), "");
        assert_eq!(
            db.setting(NOTIFICATION_BANNER_KEY).unwrap().as_deref(),
            Some("")
        );
    }
}

#[test]
fn settings_are_independent_and_refuse_nul() {
    for t in common::backends(false) {
        let db = &t.db;
        db.set_setting("a", "1").unwrap();
        db.set_setting("b", "2").unwrap();
        db.set_setting("a", "3").unwrap();
        assert_eq!(
            db.setting("a").unwrap().as_deref(),
            Some("3"),
            "{}",
            t.label
        );
        assert_eq!(db.setting("b").unwrap().as_deref(), Some("2"));
        assert_eq!(db.notification_banner().unwrap(), "");

        assert!(matches!(
            db.set_notification_banner("a\0b"),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            db.set_setting("k\0", "v"),
            Err(Error::InvalidArgument(_))
        ));
        assert_eq!(db.notification_banner().unwrap(), "", "{}", t.label);
    }
}

#[test]
fn concurrent_writers_of_a_new_key_all_succeed() {
    for t in common::backends(false) {
        let handles: Vec<_> = (0..4).map(|_| t.reopen(2)).collect();
        std::thread::scope(|scope| {
            for (i, db) in handles.iter().enumerate() {
                scope.spawn(move || {
                    for round in 0..10 {
                        db.set_setting("race", &format!("{i}-{round}"))
                            .unwrap_or_else(|e| panic!("writer {i}: {e}"));
                    }
                });
            }
        });
        let last = t.db.setting("race").unwrap().unwrap_or_default();
        assert!(last.ends_with("-9"), "{}: {last}", t.label);
    }
}
