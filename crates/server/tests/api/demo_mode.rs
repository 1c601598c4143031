//! Demo mode publishes every code at `/demo/outbox.json` (the one exception to S1), so it is
//! a command-line flag only, runs on a database it created itself, and listens on loopback.

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s1_demo_mode_refuses_a_database_it_did_not_create_a_public_address_and_a_file_setting() {
    // A store's real database (created without --demo) is never opened in demo mode.
    let mut production = Server::production_seeded_fresh();
    let real = production.db.clone();
    production.terminate(10).expect("stops");
    let said = refused_to_start(&[
        "--demo",
        "--listen",
        "127.0.0.1:0",
        "--db",
        real.to_str().unwrap(),
    ]);
    assert!(
        said.contains("demo mode did not create this database"),
        "{said}"
    );
    // Nor any other SQLite file.
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.sqlite");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE customers (id TEXT); INSERT INTO customers VALUES ('c1');")
        .unwrap();
    let said = refused_to_start(&[
        "--demo",
        "--listen",
        "127.0.0.1:0",
        "--db",
        other.to_str().unwrap(),
    ]);
    assert!(
        said.contains("demo mode did not create this database"),
        "{said}"
    );

    // Loopback only.
    for addr in ["0.0.0.0:0", "[::]:0"] {
        let db = dir.path().join("public.sqlite");
        let said = refused_to_start(&["--demo", "--listen", addr, "--db", db.to_str().unwrap()]);
        assert!(said.contains("loopback address only"), "{said}");
    }

    // A flag only: a configuration file that says `demo` is refused, naming the flag.
    let config = dir.path().join("server.toml");
    std::fs::write(&config, "demo = true\nsession_ttl_secs = 600\n").unwrap();
    let said = refused_to_start(&[
        "--config",
        config.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(
        said.contains("`demo` is not a configuration file setting"),
        "{said}"
    );
    assert!(said.contains("--demo"), "{said}");

    // A demo's own file is served again in demo mode (a restart).
    let demo = Server::demo(&[]);
    let (dir, db) = (demo.dir.clone(), demo.db.clone());
    drop(demo);
    let again = Server::spawn(dir, db, &["--demo"], &[]);
    again.api("demo-till-1").sign_in("C001", "1234").await;
}
