//! Opening: URL forms, concurrent first opens (migrations), bad URLs.

use crate::common;

use std::time::{Duration, Instant};

use configdb::{BackendKind, ConfigDb, Error, Notifier};

#[test]
fn url_forms_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("config.sqlite");
    let db = ConfigDb::open(path.to_str().unwrap()).unwrap();
    assert_eq!(db.backend(), BackendKind::Sqlite);
    drop(db);
    let db = ConfigDb::open(&format!("sqlite://{}", path.display())).unwrap();
    assert!(db.list_products().unwrap().is_empty());
    assert!(dir.path().join("sub/run/notify").is_dir());

    assert!(matches!(
        ConfigDb::open("sqlite://:memory:"),
        Err(Error::BadUrl(_))
    ));
    assert!(matches!(
        ConfigDb::open("mysql://x/y"),
        Err(Error::BadUrl(_))
    ));
    let started = Instant::now();
    let unreachable = ConfigDb::open("postgres://postgres@127.0.0.1:1/none");
    assert!(
        matches!(unreachable, Err(Error::Connect(_))),
        "{unreachable:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10), "fails fast");
}

#[test]
fn concurrent_first_open_migrates_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![format!(
        "sqlite://{}",
        dir.path().join("c.sqlite").display()
    )];
    let pg = common::PgDatabase::create("opening on PostgreSQL");
    urls.extend(pg.as_ref().map(|p| p.url.clone()));
    for url in urls {
        let openers: Vec<_> = (0..6)
            .map(|_| {
                let url = url.clone();
                std::thread::spawn(move || {
                    ConfigDb::open(&url).map(|db| db.list_products().map(|p| p.len()))
                })
            })
            .collect();
        for o in openers {
            assert_eq!(o.join().unwrap().unwrap().unwrap(), 0, "{url}");
        }
    }
}

#[test]
fn handles_are_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ConfigDb>();
    assert_send_sync::<Notifier>();
}

/// The SQLite and the PostgreSQL migrations build the same schema: the same
/// tables, each with the same columns, type families and nullability.
#[test]
fn both_dialects_build_the_same_schema() {
    let sqlite = common::sqlite(false);
    let Some(postgres) = common::postgres(false) else {
        return;
    };
    let schema = |url: &str| {
        use diesel::r2d2::ManageConnection;
        let target = dbkit::Target::parse(url).unwrap();
        let mut conn = dbkit::Manager::new(target, Duration::from_secs(5))
            .connect()
            .unwrap();
        dbkit::schema::columns(&mut conn).unwrap()
    };
    let (lite, pg) = (schema(&sqlite.url), schema(&postgres.url));
    assert!(lite.contains_key("background_tasks"), "{lite:?}");
    assert_eq!(lite, pg);
}
