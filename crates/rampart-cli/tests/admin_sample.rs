//! `rampart admin load-sample` as a user runs it: it fills a new data
//! directory with the sample organisation, prints the logins, and refuses a
//! database that already holds data.

mod common;
use common::{rampart, scratch, stderr, stdout};

#[test]
fn load_sample_fills_an_empty_database_once() {
    let dir = scratch("load_sample");
    let data_dir = dir.join("server-data");
    let data_dir = data_dir.to_string_lossy().to_string();

    let output = rampart(&["admin", "load-sample", "--data-dir", &data_dir]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    assert!(
        printed.contains(
            "created organisation `Northwind Group`: 3 business units, 6 projects, 6 models with 17 versions"
        ),
        "{printed}"
    );
    assert!(printed.contains("password for all: rampart-demo-password"), "{printed}");
    for login in ["admin", "architect", "developer", "viewer", "payments-lead"] {
        assert!(printed.lines().any(|line| line.trim_start().starts_with(login)), "login `{login}` in:\n{printed}");
    }
    assert!(printed.contains("organisation administrator"), "{printed}");
    assert!(
        std::path::Path::new(&data_dir).join("rampart.db").is_file(),
        "the SQLite database is in the data directory"
    );

    let again = rampart(&["admin", "load-sample", "--data-dir", &data_dir]);
    assert_eq!(again.status.code(), Some(2), "a second load fails: {}", stdout(&again));
    assert!(stderr(&again).contains("not empty"), "{}", stderr(&again));

    // The database is a working one: a backup of it holds the sample's models.
    let backup = dir.join("backup.jsonl");
    let output = rampart(&["admin", "backup", "--data-dir", &data_dir, "--output", &backup.to_string_lossy()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("6 models, 17 versions"), "{}", stderr(&output));
}
