//! Scratch PostgreSQL databases, one per test or shared server, and private
//! PostgreSQL instances for tests that stop or restart the database server.
//! When PostgreSQL is unreachable such a test is skipped (with a printed
//! line), or fails when `CI=true`.

use diesel::{Connection, PgConnection, RunQueryDsl};

/// Server URL (without database) of the test PostgreSQL: `CC_TEST_PG`, by
/// default the machine's own (`postgres://postgres@127.0.0.1:5432`).
pub fn pg_base() -> String {
    std::env::var("CC_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// A database created for one test and dropped afterwards.
pub struct PgDatabase {
    /// The database name.
    pub name: String,
    /// Its URL, for `--config-db`.
    pub url: String,
}

impl PgDatabase {
    /// Creates a fresh database, or `None` (after saying so) when PostgreSQL
    /// is unreachable and `CI` is not `true`.
    pub fn create(what: &str) -> Option<Self> {
        let admin = format!("{}/postgres", pg_base());
        let mut conn = match PgConnection::establish(&admin) {
            Ok(conn) => conn,
            Err(err) => {
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("PostgreSQL at {admin} is unreachable and CI=true: {err}");
                }
                println!("SKIPPING the PostgreSQL part of {what}: {admin} is unreachable ({err})");
                return None;
            }
        };
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "ccsrv_test_{}_{}_{nanos:x}",
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        let url = format!("{}/{name}", pg_base());
        Some(Self { name, url })
    }

    /// Keeps the database until the test process exits (for shared servers;
    /// register it before the server that uses it, so it is dropped after).
    pub fn keep_until_exit(self) -> &'static PgDatabase {
        let name = self.name.clone();
        let db: &'static PgDatabase = Box::leak(Box::new(self));
        super::at_exit(move || drop_database(&name));
        db
    }
}

fn drop_database(name: &str) {
    let admin = format!("{}/postgres", pg_base());
    if let Ok(mut conn) = PgConnection::establish(&admin) {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn);
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        drop_database(&self.name);
    }
}

/// A PostgreSQL instance of one test, so that the test may stop and restart
/// it without touching the machine's shared one: `initdb` into a temporary
/// folder owned by the `postgres` user (commands run through `runuser`, as
/// PostgreSQL refuses to run as root), on a free port of 127.0.0.1, trust
/// authentication, the superuser `postgres`. Stopped (immediately) and
/// removed when dropped.
pub struct PrivatePostgres {
    dir: tempfile::TempDir,
    bin: std::path::PathBuf,
    port: u16,
}

impl PrivatePostgres {
    /// Creates and starts an instance, or `None` (after saying so) when the
    /// PostgreSQL 15 server programs (`/usr/lib/postgresql/15/bin`, or
    /// `CC_TEST_PG_BIN`) or the `postgres` user are missing and `CI` is not
    /// `true`.
    pub fn start(what: &str) -> Option<Self> {
        let bin = std::path::PathBuf::from(
            std::env::var("CC_TEST_PG_BIN").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin".into()),
        );
        let missing = if !bin.join("initdb").exists() {
            Some(format!("no initdb in {}", bin.display()))
        } else if postgres_ids().is_none() {
            Some("no 'postgres' user".to_owned())
        } else {
            None
        };
        if let Some(why) = missing {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{what} needs a private PostgreSQL and CI=true: {why}");
            }
            println!("SKIPPING {what}: cannot start a private PostgreSQL ({why})");
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("ccsrv-pg-")
            .tempdir()
            .expect("create the PostgreSQL folder");
        let (uid, gid) = postgres_ids().expect("checked above");
        std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
            .expect("give the PostgreSQL folder to postgres");
        let pg = Self {
            dir,
            bin,
            port: super::free_port(),
        };
        let data = pg.data();
        pg.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        );
        pg.pg_ctl("start");
        Some(pg)
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of database `name` (create it with
    /// [`PrivatePostgres::create_database`]).
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates database `name`.
    pub fn create_database(&self, name: &str) {
        let mut conn = PgConnection::establish(&self.url("postgres"))
            .unwrap_or_else(|e| panic!("connect to the private PostgreSQL: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    }

    /// Stops it (fast shutdown: sessions are ended, as at a restart of the
    /// service) and waits until it is down.
    pub fn stop(&self) {
        self.pg_ctl("stop");
    }

    /// Starts it again on the same port and data, and waits until it
    /// accepts connections.
    pub fn restart(&self) {
        self.pg_ctl("restart");
    }

    /// What it logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn pg_ctl(&self, action: &str) {
        let data = self.data();
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        let mut args = vec!["-D", &data, "-l", &log, "-w", "-t", "60"];
        if action != "start" {
            args.extend(["-m", "fast"]);
        }
        if action != "stop" {
            args.extend(["-o", &options]);
        }
        args.push(action);
        self.run("pg_ctl", &args);
    }

    /// Runs a PostgreSQL program as the `postgres` user; panics on failure.
    fn run(&self, program: &str, args: &[&str]) {
        let out = std::process::Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join(program))
            .args(args)
            .current_dir(self.dir.path())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("run {program} through runuser: {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?} failed:\n{}{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let data = self.data();
        let _ = std::process::Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", &data, "-m", "immediate", "-w", "stop"])
            .current_dir(self.dir.path())
            .stdin(std::process::Stdio::null())
            .output();
    }
}

/// The uid and gid of the `postgres` user (from `/etc/passwd`).
fn postgres_ids() -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        if fields.first() != Some(&"postgres") {
            return None;
        }
        Some((fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?))
    })
}
