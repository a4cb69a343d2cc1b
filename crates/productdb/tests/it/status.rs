//! CodeChecker's database status notions for reachable, missing and
//! foreign databases.

use crate::common;

use common::*;
use diesel::{Connection, RunQueryDsl, SqliteConnection};
use productdb::{DbStatus, Error, ProductDb};

#[test]
fn sqlite_statuses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.sqlite");
    let url = format!("sqlite://{}", path.display());
    assert_eq!(ProductDb::probe(&url), DbStatus::Missing);
    assert!(!path.exists(), "probing creates nothing");

    let mut raw = SqliteConnection::establish(path.to_str().expect("utf8")).expect("create");
    assert_eq!(ProductDb::probe(&url), DbStatus::SchemaMissing);
    diesel::sql_query("CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)")
        .execute(&mut raw)
        .expect("create migrations table");
    assert_eq!(
        ProductDb::probe(&url),
        DbStatus::SchemaMismatchOk,
        "known migrations pending"
    );

    let db = ProductDb::open(&url).expect("open migrates");
    assert_eq!(db.status(), DbStatus::Ok);
    assert_eq!(ProductDb::probe(&url), DbStatus::Ok);

    diesel::sql_query("INSERT INTO __diesel_schema_migrations (version) VALUES ('29990101000000')")
        .execute(&mut raw)
        .expect("newer version");
    assert_eq!(db.status(), DbStatus::SchemaMismatchNo);

    let foreign = dir.path().join("cc.sqlite");
    let mut cc = SqliteConnection::establish(foreign.to_str().expect("utf8")).expect("create");
    diesel::sql_query("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        .execute(&mut cc)
        .expect("foreign table");
    let foreign_url = foreign.display().to_string();
    assert_eq!(ProductDb::probe(&foreign_url), DbStatus::SchemaMismatchNo);
    assert!(matches!(
        ProductDb::open(&foreign_url),
        Err(Error::SchemaMismatch(_))
    ));
    assert!(matches!(
        ProductDb::open("mysql://x"),
        Err(Error::BadUrl(_))
    ));
}

#[test]
fn postgres_statuses() {
    assert_eq!(
        ProductDb::probe("postgres://postgres@127.0.0.1:1/none"),
        DbStatus::FailedToConnect
    );
    let Some(pg) = PgDatabase::create("a missing product database") else {
        return;
    };
    assert_eq!(ProductDb::probe(&pg.url), DbStatus::SchemaMissing);
    let db = ProductDb::open(&pg.url).expect("open");
    assert_eq!(db.status(), DbStatus::Ok);
    let missing = format!("{}/productdb_no_such_database", testkit::pg::pg_base());
    assert_eq!(ProductDb::probe(&missing), DbStatus::Missing);
    assert!(ProductDb::open(&missing).is_err());
}

/// The SQLite and the PostgreSQL migrations build the same schema: the same
/// tables, each with the same columns, type families and nullability.
#[test]
fn both_dialects_build_the_same_schema() {
    let sqlite = common::sqlite(productdb::OpenOptions::default());
    let Some(postgres) = common::postgres(productdb::OpenOptions::default()) else {
        return;
    };
    let schema = |url: &str| {
        use diesel::r2d2::ManageConnection;
        let target = dbkit::Target::parse(url).unwrap();
        let mut conn = dbkit::Manager::new(target, std::time::Duration::from_secs(5))
            .connect()
            .unwrap();
        dbkit::schema::columns(&mut conn).unwrap()
    };
    let (lite, pg) = (schema(&sqlite.url), schema(&postgres.url));
    assert!(lite.contains_key("reports"), "{lite:?}");
    assert_eq!(lite, pg);
}
