//! Row-level security never makes pgsyncer treat part of a table as the whole (issue 12,
//! item 1). Every session runs with `row_security = off`: a role a policy applies to gets an
//! error, the table fails with a message naming the side, the table, the role and the fix,
//! nothing on the standin changes and the run reports a failure. Without that setting, main's
//! role saw 100 of 1000 rows and the sync deleted the other 900 on the standin.

use std::time::Duration;

use pgsyncer::conn::{Endpoint, Side};
use pgsyncer::data::fdw::FdwOptions;
use pgsyncer::data::incremental::IncrementalOptions;
use pgsyncer::data::{sync_data, Options, Summary};
use pgsyncer::sandbox::{SANDBOX_PASSWORD, SANDBOX_USER};

use crate::support::data_pair::{checksum, pair, Pair};

/// 1000 rows; the updated-at column lets `--use-updated-at` serve the table too.
const TABLE: &str = "CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
INSERT INTO t (id, v) SELECT g, 'row ' || g FROM generate_series(1, 1000) g;";

/// A policy that shows only 100 of the rows to everyone it applies to.
const POLICY: &str = "ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE POLICY first_hundred ON t USING (id <= 100);";

#[derive(Clone, Copy, Debug)]
enum Mode {
    Default,
    UpdatedAt,
    Fdw,
}

const MODES: [Mode; 3] = [Mode::Default, Mode::UpdatedAt, Mode::Fdw];

fn options(mode: Mode) -> Options {
    match mode {
        Mode::Default => Options::default(),
        Mode::UpdatedAt => Options {
            incremental: Some(IncrementalOptions {
                column: "updated_at".into(),
                last_sync_time: None,
                margin_seconds: 0.0,
                deletes: true,
            }),
            ..Options::default()
        },
        Mode::Fdw => Options {
            fdw: Some(FdwOptions {
                fetch_size: 1000,
                ..FdwOptions::default()
            }),
            ..Options::default()
        },
    }
}

/// A login role (cluster-wide, so named per test and process) with password `pw`.
async fn role(client: &tokio_postgres::Client, label: &str, attributes: &str) -> String {
    let name = format!("rls_{label}_{}", std::process::id());
    client
        .batch_execute(&format!(
            "DROP ROLE IF EXISTS {name}; CREATE ROLE {name} LOGIN PASSWORD 'pw' {attributes}"
        ))
        .await
        .unwrap();
    name
}

/// `url` with `role` in place of the sandbox's superuser.
fn as_role(url: &str, role: &str) -> String {
    let superuser = format!("{SANDBOX_USER}:{SANDBOX_PASSWORD}@");
    assert!(url.contains(&superuser), "{url}");
    url.replacen(&superuser, &format!("{role}:pw@"), 1)
}

async fn sync(main_url: &str, standin_url: &str, mode: Mode) -> Summary {
    let timeout = Duration::from_secs(10);
    let main = Endpoint::parse(Side::Main, main_url, timeout).unwrap();
    let standin = Endpoint::parse(Side::Standin, standin_url, timeout).unwrap();
    sync_data(&main, &standin, &options(mode))
        .await
        .unwrap_or_else(|e| panic!("{mode:?}: {}", pgsyncer::error::report(&e)))
}

/// The one failure of the run: it names the side, the table, the role and every fix.
fn assert_refused(summary: &Summary, side: &str, role: &str, mode: Mode) {
    let failed: Vec<_> = summary.failures().collect();
    assert_eq!(failed.len(), 1, "{mode:?}: {}", summary.render());
    let error = failed[0].error.as_deref().unwrap_or_default();
    for part in [
        "row-level security",
        &format!("policy on {side} applies"),
        "public.t",
        role,
        "owner",
        "BYPASSRLS",
        "--exclude 'public.t'",
    ] {
        assert!(error.contains(part), "{mode:?}: no {part:?} in: {error}");
    }
}

/// The standin holds all 1000 rows (one changed), or none: an empty table is filled by a
/// straight copy, in `--fdw-mode` read by the standin's server through postgres_fdw alone.
#[tokio::test]
async fn main_policy_fails_the_table_and_keeps_the_standin() {
    for mode in MODES {
        for (n, standin_change) in [
            (0u8, "UPDATE t SET v = 'old' WHERE id = 500"),
            (1, "DELETE FROM t"),
        ] {
            let label = format!("rlsm{}{n}", mode as u8);
            let p = pair(&label, &format!("{TABLE}\n{POLICY}"), TABLE).await;
            p.standin.batch_execute(standin_change).await.unwrap();
            let before = checksum(&p.standin, "t").await;
            let reader = role(&p.main, &format!("m{}{n}", mode as u8), "").await;
            p.main
                .batch_execute(&format!("GRANT SELECT ON t TO {reader}"))
                .await
                .unwrap();
            let summary = sync(&as_role(&p.main_url, &reader), &p.standin_url, mode).await;
            assert_refused(&summary, "main", &reader, mode);
            assert_eq!(checksum(&p.standin, "t").await, before, "{mode:?} {n}");
            assert_eq!(before.0, if n == 0 { 1000 } else { 0 });
        }
    }
}

#[tokio::test]
async fn standin_policy_fails_the_table_and_keeps_the_standin() {
    for mode in MODES {
        let label = format!("rlss{}", mode as u8);
        // Main holds the 100 rows the standin's policy shows: without row_security=off the
        // standin looks equal to main and its 900 other rows stay, reported as synced.
        let p = pair(
            &label,
            &format!("{TABLE}\nDELETE FROM t WHERE id > 100;"),
            &format!("{TABLE}\n{POLICY}"),
        )
        .await;
        let writer = role(&p.standin, &format!("s{}", mode as u8), "").await;
        // Its state schema (`pgsyncer`) and FDW staging schema need CREATE on the database.
        p.standin
            .batch_execute(&format!(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON t TO {writer}; GRANT CREATE ON DATABASE {} TO {writer}",
                p.standin_url.rsplit('/').next().unwrap()
            ))
            .await
            .unwrap();
        if matches!(mode, Mode::Fdw) {
            // postgres_fdw for a role that may not create it: created beforehand, usable.
            p.standin
                .batch_execute(&format!(
                    "CREATE EXTENSION IF NOT EXISTS postgres_fdw; GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO {writer}"
                ))
                .await
                .unwrap();
        }
        let before = checksum(&p.standin, "t").await;
        let summary = sync(&p.main_url, &as_role(&p.standin_url, &writer), mode).await;
        assert_refused(&summary, "standin", &writer, mode);
        assert_eq!(checksum(&p.standin, "t").await, before, "{mode:?}");
        assert_eq!(before.0, 1000);
    }
}

/// The table's owner and a BYPASSRLS role read every row: the sync runs as before.
#[tokio::test]
async fn owner_and_bypassrls_roles_sync_whole_tables() {
    for mode in MODES {
        for (n, attributes) in [(0u8, "BYPASSRLS"), (1, "")] {
            let label = format!("rlso{}{n}", mode as u8);
            let p: Pair = pair(
                &label,
                &format!("{TABLE}\n{POLICY}"),
                &format!(
                    "{TABLE}\nDELETE FROM t WHERE id > 900; UPDATE t SET v = 'old' WHERE id = 5;"
                ),
            )
            .await;
            let reader = role(&p.main, &format!("o{}{n}", mode as u8), attributes).await;
            let grant = if attributes.is_empty() {
                format!("ALTER TABLE t OWNER TO {reader}")
            } else {
                format!("GRANT SELECT ON t TO {reader}")
            };
            p.main.batch_execute(&grant).await.unwrap();
            let summary = sync(&as_role(&p.main_url, &reader), &p.standin_url, mode).await;
            assert!(
                summary.failures().next().is_none(),
                "{mode:?} {attributes:?}: {}",
                summary.render()
            );
            p.assert_same(&["t"]).await;
        }
    }
}
