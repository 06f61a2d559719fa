//! Internal names never meet a user's columns (issue 12, item 9): a keyed and a keyless table
//! whose columns are named like every name pgsyncer gives things inside its statements
//! (`pgsyncer::data::alias::INTERNAL`: `pgsyncer_keyhash`, `pgsyncer_h`, `pgsyncer_t`, `s`,
//! `u`, …), with differences in both directions, synced in every mode: both sides end equal
//! and a further run finds nothing. A column named `pgsyncer_keyhash` used to make the default
//! mode's listing fail ("column reference is ambiguous"), `pgsyncer_h` the keyless fetch.

use pgsyncer::data::alias::INTERNAL;
use pgsyncer::data::fdw::FdwOptions;
use pgsyncer::data::incremental::IncrementalOptions;
use pgsyncer::data::{Options, Summary};

use crate::support::data_pair::{checksum, pair, Pair};

/// `keyed`: key `(pgsyncer_keyhash, c0)`; `odd`: every other column, text; both: `updated_at`.
fn ddl() -> String {
    let others: Vec<String> = INTERNAL
        .iter()
        .filter(|n| !["pgsyncer_keyhash", "c0"].contains(n))
        .map(|n| format!("{n} text"))
        .collect();
    format!(
        "CREATE TABLE keyed (pgsyncer_keyhash bigint, c0 int, {0}, updated_at timestamptz NOT NULL DEFAULT now(),
                             PRIMARY KEY (pgsyncer_keyhash, c0));
         CREATE TABLE odd (pgsyncer_keyhash bigint, c0 int, {0}, updated_at timestamptz NOT NULL DEFAULT now());",
        others.join(", ")
    )
}

/// Rows `from..=to` into both tables, every text column holding `tag` and the row number;
/// stamped `age` ago.
fn rows(from: i32, to: i32, tag: &str, age: &str) -> String {
    let texts: Vec<&str> = INTERNAL
        .iter()
        .copied()
        .filter(|n| !["pgsyncer_keyhash", "c0"].contains(n))
        .collect();
    let values = texts
        .iter()
        .map(|_| format!("'{tag}' || i"))
        .collect::<Vec<_>>()
        .join(", ");
    let cols = texts.join(", ");
    format!(
        "INSERT INTO keyed (pgsyncer_keyhash, c0, {cols}, updated_at)
             SELECT i, i % 3, {values}, now() - interval '{age}' FROM generate_series({from}, {to}) i;
         INSERT INTO odd (pgsyncer_keyhash, c0, {cols}, updated_at)
             SELECT i, i % 3, {values}, now() - interval '{age}' FROM generate_series({from}, {to}) i;"
    )
}

fn incremental() -> IncrementalOptions {
    IncrementalOptions {
        column: "updated_at".into(),
        last_sync_time: None,
        margin_seconds: 0.0,
        deletes: true,
    }
}

fn fdw() -> FdwOptions {
    FdwOptions {
        fetch_size: 1000,
        ..FdwOptions::default()
    }
}

async fn assert_same(p: &Pair, label: &str, summary: &Summary) {
    for t in ["keyed", "odd"] {
        let (m, s) = (checksum(&p.main, t).await, checksum(&p.standin, t).await);
        assert_eq!(m, s, "{label}: {t} differs\n{}", summary.render());
    }
}

#[tokio::test]
async fn columns_named_like_internal_names_sync_in_every_mode() {
    let modes = [
        ("default", Options::default()),
        (
            "incremental",
            Options {
                incremental: Some(incremental()),
                ..Options::default()
            },
        ),
        (
            "fdw",
            Options {
                fdw: Some(fdw()),
                ..Options::default()
            },
        ),
        (
            "fdw_incremental",
            Options {
                incremental: Some(incremental()),
                fdw: Some(fdw()),
                ..Options::default()
            },
        ),
    ];
    for (label, options) in modes {
        let ddl = ddl();
        // Main has rows 1..=40; the standin 20..=60 with other values: inserts, updates and
        // deletes at once.
        let p = pair(
            &format!("alias_{label}"),
            &format!("{ddl}{}", rows(1, 40, "m", "1 day")),
            &format!("{ddl}{}", rows(20, 60, "s", "1 day")),
        )
        .await;
        let first = p.sync_with(options.clone()).await;
        assert_same(&p, label, &first).await;
        assert!(first.total_changes() > 0, "{label}: {}", first.render());

        // Both sides change again: main inserts, updates (stamped now) and deletes; the
        // standin gains a row of its own and loses one main has.
        p.main
            .batch_execute(&format!(
                "{}
                 UPDATE keyed SET s = 'changed', u = 'changed', updated_at = now() WHERE pgsyncer_keyhash IN (2, 3);
                 UPDATE odd SET pgsyncer_h = 'changed', updated_at = now() WHERE pgsyncer_keyhash IN (2, 3);
                 DELETE FROM keyed WHERE pgsyncer_keyhash = 5;
                 DELETE FROM odd WHERE pgsyncer_keyhash = 5;",
                rows(41, 45, "new", "0 seconds")
            ))
            .await
            .unwrap();
        p.standin
            .batch_execute(&format!(
                "{}
                 DELETE FROM keyed WHERE pgsyncer_keyhash = 7;
                 DELETE FROM odd WHERE pgsyncer_keyhash = 7;",
                rows(90, 91, "standin", "1 day")
            ))
            .await
            .unwrap();
        let second = p.sync_with(options.clone()).await;
        assert_same(&p, label, &second).await;

        let third = p.sync_with(options).await;
        assert_eq!(third.total_changes(), 0, "{label}: {}", third.render());
    }
}
