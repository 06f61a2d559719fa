//! Partitioned tables in every mode (issue 12, item 5): list, range, hash and two-level
//! partitioned tables, keyed and keyless, synced once, then changed on main (inserts,
//! updates with `updated_at` bumped, deletes, rows moved to another partition by a changed
//! partition key) and synced again: both sides hold the same rows, the counts are right, and
//! a further run finds nothing. The `--use-updated-at` and `--fdw-mode` merges used to count
//! inserts through `RETURNING xmax`, which PostgreSQL refuses on a partitioned table.

use pgsyncer::data::fdw::FdwOptions;
use pgsyncer::data::incremental::IncrementalOptions;
use pgsyncer::data::{Options, Summary};

use crate::support::data_pair::{pair, row, Pair};

const DDL: &str = "
CREATE TABLE plist (id int, region text, v text, updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE plist_eu PARTITION OF plist FOR VALUES IN ('eu');
CREATE TABLE plist_us PARTITION OF plist FOR VALUES IN ('us');
CREATE TABLE plist_rest PARTITION OF plist DEFAULT;
CREATE TABLE prange (id int, day date, v text, updated_at timestamptz NOT NULL DEFAULT now(),
                     PRIMARY KEY (id, day)) PARTITION BY RANGE (day);
CREATE TABLE prange_2023 PARTITION OF prange FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE prange_2024 PARTITION OF prange FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE phash (id bigint PRIMARY KEY, v text, updated_at timestamptz NOT NULL DEFAULT now())
    PARTITION BY HASH (id);
CREATE TABLE phash_0 PARTITION OF phash FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE phash_1 PARTITION OF phash FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE phash_2 PARTITION OF phash FOR VALUES WITH (MODULUS 3, REMAINDER 2);
CREATE TABLE ptwo (id int, region text, day date, v text, updated_at timestamptz NOT NULL DEFAULT now(),
                   PRIMARY KEY (id, region, day)) PARTITION BY LIST (region);
CREATE TABLE ptwo_eu PARTITION OF ptwo FOR VALUES IN ('eu') PARTITION BY RANGE (day);
CREATE TABLE ptwo_eu_2023 PARTITION OF ptwo_eu FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE ptwo_eu_2024 PARTITION OF ptwo_eu FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE ptwo_us PARTITION OF ptwo FOR VALUES IN ('us') PARTITION BY HASH (id);
CREATE TABLE ptwo_us_0 PARTITION OF ptwo_us FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE ptwo_us_1 PARTITION OF ptwo_us FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE plog (region text NOT NULL, msg text, updated_at timestamptz NOT NULL DEFAULT now())
    PARTITION BY LIST (region);
CREATE TABLE plog_eu PARTITION OF plog FOR VALUES IN ('eu');
CREATE TABLE plog_us PARTITION OF plog FOR VALUES IN ('us');
";

const TABLES: [&str; 5] = ["plist", "prange", "phash", "ptwo", "plog"];

/// Main's rows, stamped a day ago (before the first sync's watermark).
const ROWS: &str = "
INSERT INTO plist SELECT i, (ARRAY['eu', 'us', 'asia'])[1 + i % 3], 'v' || i, now() - interval '1 day'
FROM generate_series(1, 60) i;
INSERT INTO prange SELECT i, '2023-01-01'::date + i * 11, 'v' || i, now() - interval '1 day'
FROM generate_series(1, 60) i;
INSERT INTO phash SELECT i, 'v' || i, now() - interval '1 day' FROM generate_series(1, 60) i;
INSERT INTO ptwo SELECT i, (ARRAY['eu', 'us'])[1 + i % 2], '2023-01-01'::date + i * 11, 'v' || i,
       now() - interval '1 day'
FROM generate_series(1, 60) i;
INSERT INTO plog SELECT (ARRAY['eu', 'us'])[1 + i % 2], 'm' || (i % 7), now() - interval '1 day'
FROM generate_series(1, 40) i;
";

/// Per keyed table: 2 inserts, 3 updates, 2 deletes, and 1 row moved to another partition
/// (its key changes: a delete and an insert).
const CHANGES: &str = "
INSERT INTO plist (id, region, v) VALUES (100, 'eu', 'new'), (101, 'asia', 'new');
UPDATE plist SET v = v || '!', updated_at = now() WHERE id IN (1, 2, 3);
DELETE FROM plist WHERE id IN (10, 11);
UPDATE plist SET region = 'us', v = 'moved', updated_at = now() WHERE id = 21;        -- eu → us
INSERT INTO prange (id, day, v) VALUES (100, '2024-06-01', 'new'), (101, '2023-06-01', 'new');
UPDATE prange SET v = v || '!', updated_at = now() WHERE id IN (1, 2, 3);
DELETE FROM prange WHERE id IN (10, 11);
UPDATE prange SET day = '2024-12-01', updated_at = now() WHERE id = 5;                -- 2023 → 2024
INSERT INTO phash (id, v) VALUES (100, 'new'), (101, 'new');
UPDATE phash SET v = v || '!', updated_at = now() WHERE id IN (1, 2, 3);
DELETE FROM phash WHERE id IN (10, 11);
UPDATE phash SET id = 1000, updated_at = now() WHERE id = 20;                          -- rehashed
INSERT INTO ptwo (id, region, day, v) VALUES (100, 'eu', '2024-02-01', 'new'), (101, 'us', '2023-02-01', 'new');
UPDATE ptwo SET v = v || '!', updated_at = now() WHERE id IN (1, 2, 3);
DELETE FROM ptwo WHERE id IN (10, 11);
UPDATE ptwo SET region = 'us', updated_at = now() WHERE id = 4;                       -- eu/range → us/hash
INSERT INTO plog (region, msg) VALUES ('us', 'new');
UPDATE plog SET msg = 'changed', updated_at = now() WHERE msg = 'm1';
DELETE FROM plog WHERE msg = 'm2';
UPDATE plog SET region = 'us', updated_at = now() WHERE msg = 'm3' AND region = 'eu';
";

const KEYED: [&str; 4] = ["plist", "prange", "phash", "ptwo"];

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

/// The modes: default, `--use-updated-at`, `--fdw-mode`, both.
fn modes() -> Vec<(&'static str, Options)> {
    vec![
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
    ]
}

async fn assert_same(p: &Pair, label: &str, summary: &Summary) {
    for t in TABLES {
        let (m, s) = (
            crate::support::data_pair::checksum(&p.main, t).await,
            crate::support::data_pair::checksum(&p.standin, t).await,
        );
        assert_eq!(
            m,
            s,
            "{label}: {t} differs after sync\n{}",
            summary.render()
        );
    }
}

#[tokio::test]
async fn partitioned_tables_converge_in_every_mode() {
    for (label, options) in modes() {
        let p = pair(&format!("part_{label}"), &format!("{DDL}{ROWS}"), DDL).await;
        let first = p.sync_with(options.clone()).await;
        assert_same(&p, label, &first).await;

        p.main.batch_execute(CHANGES).await.unwrap();
        let second = p.sync_with(options.clone()).await;
        assert_same(&p, label, &second).await;
        for t in KEYED {
            let r = row(&second, &format!("public.{t}"));
            assert_eq!(
                (r.inserted, r.updated, r.deleted),
                (3, 3, 3),
                "{label}: {t}: inserts (2 + the moved row), updates, deletes (2 + the moved row)\n{}",
                second.render()
            );
        }

        let third = p.sync_with(options).await;
        assert_eq!(third.total_changes(), 0, "{label}: {}", third.render());
        assert_same(&p, label, &third).await;
    }
}

/// The standin's partitions differ from main's: some missing, other bounds, another
/// modulus, a partition not sub-partitioned, rows in them. The schema phase of a whole run
/// makes them main's; then every mode converges. (Rows that would not fit a partition's new
/// bound make its `ATTACH PARTITION` fail and the schema phase roll back, changing nothing:
/// the hash partitions here start empty.)
const STANDIN_PARTITIONS: &str = "
CREATE TABLE plist (id int, region text, v text, updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE plist_eu PARTITION OF plist FOR VALUES IN ('eu');
CREATE TABLE prange (id int, day date, v text, updated_at timestamptz NOT NULL DEFAULT now(),
                     PRIMARY KEY (id, day)) PARTITION BY RANGE (day);
CREATE TABLE prange_2023 PARTITION OF prange FOR VALUES FROM ('2023-01-01') TO ('2023-07-01');
CREATE TABLE phash (id bigint PRIMARY KEY, v text, updated_at timestamptz NOT NULL DEFAULT now())
    PARTITION BY HASH (id);
CREATE TABLE phash_0 PARTITION OF phash FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE phash_1 PARTITION OF phash FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE ptwo (id int, region text, day date, v text, updated_at timestamptz NOT NULL DEFAULT now(),
                   PRIMARY KEY (id, region, day)) PARTITION BY LIST (region);
CREATE TABLE ptwo_eu PARTITION OF ptwo FOR VALUES IN ('eu');
CREATE TABLE plog (region text NOT NULL, msg text, updated_at timestamptz NOT NULL DEFAULT now())
    PARTITION BY LIST (region);
CREATE TABLE plog_eu PARTITION OF plog FOR VALUES IN ('eu');
INSERT INTO plist VALUES (1, 'eu', 'old', now()), (500, 'eu', 'standin only', now());
INSERT INTO prange VALUES (1, '2023-01-12', 'old', now());
INSERT INTO ptwo VALUES (1, 'eu', '2023-01-12', 'old', now());
INSERT INTO plog VALUES ('eu', 'standin only', now());
";

#[tokio::test]
async fn schema_phase_fixes_partitions_then_every_mode_converges() {
    for (label, flags) in [
        ("default", &[][..]),
        ("incremental", &["--use-updated-at"][..]),
        ("fdw", &["--fdw-mode"][..]),
        ("fdw_incremental", &["--use-updated-at", "--fdw-mode"][..]),
    ] {
        let p = pair(
            &format!("partschema_{label}"),
            &format!("{DDL}{ROWS}"),
            STANDIN_PARTITIONS,
        )
        .await;
        let run = || {
            let out = std::process::Command::new(crate::support::pgsyncer_bin())
                .args([
                    "--json",
                    "--maindsn",
                    &p.main_url,
                    "--standindsn",
                    &p.standin_url,
                ])
                .args(flags)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).to_string();
            assert!(out.status.success(), "{label}: {stderr}");
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
        };
        run();
        p.main.batch_execute(CHANGES).await.unwrap();
        run();
        for t in TABLES {
            let (m, s) = (
                crate::support::data_pair::checksum(&p.main, t).await,
                crate::support::data_pair::checksum(&p.standin, t).await,
            );
            assert_eq!(m, s, "{label}: {t} differs after sync");
        }
        let partitions = "SELECT string_agg(c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid), ', ' ORDER BY c.relname) FROM pg_class c WHERE c.relispartition";
        let (m, s): (String, String) = (
            p.main.query_one(partitions, &[]).await.unwrap().get(0),
            p.standin.query_one(partitions, &[]).await.unwrap().get(0),
        );
        assert_eq!(m, s, "{label}: the standin's partitions are main's");
        let again = run();
        let changes: u64 = again["tables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                ["inserted", "updated", "deleted"]
                    .iter()
                    .map(|k| t[k].as_u64().unwrap_or(0))
                    .sum::<u64>()
            })
            .sum();
        assert_eq!(changes, 0, "{label}: {again}");
    }
}
