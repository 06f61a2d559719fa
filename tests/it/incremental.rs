//! `--use-updated-at` and `--fdw-mode` against real servers: an initial sync, a workload on
//! main (updates, inserts, deletes, and a transaction that stamps `updated_at` before the
//! sync's snapshot and commits after it), incremental syncs that must leave every table equal
//! to main; `--no-deletes`; FDW mode on the data tests' fixtures giving the default mode's
//! result, its cleanup, `--fdw-keep`, and its errors.

use crate::support;

use std::time::Duration;

use pgsyncer::conn::{Endpoint, Side};
use pgsyncer::data::fdw::{FdwError, FdwOptions};
use pgsyncer::data::incremental::IncrementalOptions;
use pgsyncer::data::{DataError, Options, Summary};
use support::data_fixtures::{
    FK_DDL, FK_MAIN_ROWS, FK_STANDIN_ROWS, GEN_DDL, SIMPLE, TYPES, TYPE_ROWS, TYPE_STANDIN_CHANGES,
};
use support::data_pair::{pair, row, Pair};

fn incremental(deletes: bool) -> IncrementalOptions {
    IncrementalOptions {
        column: "updated_at".into(),
        last_sync_time: None,
        margin_seconds: 0.0,
        deletes,
    }
}

/// Options of a `--use-updated-at` run that also finds deletes.
fn incremental_run() -> Options {
    Options {
        incremental: Some(incremental(true)),
        ..Options::default()
    }
}

fn fdw(keep: bool) -> FdwOptions {
    FdwOptions {
        keep,
        fetch_size: 1000,
        ..FdwOptions::default()
    }
}

fn modes(summary: &Summary) -> Vec<(String, String)> {
    summary
        .tables
        .iter()
        .map(|t| (t.table.clone(), t.mode.clone()))
        .collect()
}

const SHOP: &str = "
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL REFERENCES customers, total numeric(10,2),
                     updated_at timestamptz DEFAULT now());
CREATE TABLE lines (order_id bigint REFERENCES orders, line int, qty int, updated_at timestamp NOT NULL DEFAULT localtimestamp,
                    PRIMARY KEY (order_id, line));
CREATE TABLE notes (id int PRIMARY KEY, body text);
CREATE TABLE log (msg text, updated_at timestamptz);
";

const SHOP_TABLES: [&str; 5] = ["customers", "orders", "lines", "notes", "log"];

const SHOP_ROWS: &str = "
INSERT INTO customers SELECT i, 'c' || i, now() - interval '1 day' FROM generate_series(1, 50) i;
INSERT INTO orders SELECT i, 1 + i % 50, i * 1.25, now() - interval '1 day' FROM generate_series(1, 200) i;
UPDATE orders SET updated_at = NULL WHERE id = 7;
INSERT INTO lines SELECT o, l, l, localtimestamp - interval '1 day' FROM generate_series(1, 200) o, generate_series(1, 2) l;
INSERT INTO notes SELECT i, 'n' || i FROM generate_series(1, 30) i;
INSERT INTO log SELECT 'm' || (i % 7), now() - interval '1 day' FROM generate_series(1, 40) i;
";

#[tokio::test]
async fn incremental_sync_follows_main_through_late_commits_and_deletes() {
    let p = pair("incr", &format!("{SHOP}{SHOP_ROWS}"), SHOP).await;
    let opts = || Options {
        chunk_size: 16,
        incremental: Some(incremental(true)),
        ..Options::default()
    };
    // First run: no watermark yet, so a full sync that records one.
    let first = p.sync_with(opts()).await;
    p.assert_same(&SHOP_TABLES).await;
    assert!(
        modes(&first).iter().all(|(_, m)| m == "copy"),
        "{}",
        first.render()
    );
    let recorded: i64 = p
        .standin
        .query_one("SELECT count(*) FROM pgsyncer.sync_state", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(recorded, 4, "customers, orders, lines, log have updated_at");

    // Workload on main, stamped after the first run's watermark.
    p.main
        .batch_execute(
            "UPDATE customers SET name = name || '!', updated_at = now() WHERE id % 10 = 0;
             INSERT INTO customers (id, name) VALUES (51, 'new'), (52, 'new');
             INSERT INTO orders (id, customer_id, total) VALUES (201, 51, 1), (202, 52, 2);
             UPDATE orders SET total = total + 1, updated_at = now() WHERE id % 25 = 0;
             UPDATE orders SET total = 0 WHERE id = 7;            -- NULL updated_at: always re-read
             DELETE FROM lines WHERE order_id IN (3, 4);
             DELETE FROM orders WHERE id IN (3, 4);
             UPDATE lines SET qty = 99, updated_at = localtimestamp WHERE order_id = 9;
             INSERT INTO lines (order_id, line, qty) VALUES (201, 1, 5);
             UPDATE notes SET body = 'changed' WHERE id = 3;
             DELETE FROM notes WHERE id = 4;
             INSERT INTO log VALUES ('late entry', now());",
        )
        .await
        .unwrap();
    // A transaction that stamps updated_at now and commits only after the next sync's snapshot.
    let late = support::raw_client(&p.main_url).await;
    late.batch_execute(
        "BEGIN; UPDATE customers SET name = 'late', updated_at = now() WHERE id = 5",
    )
    .await
    .unwrap();
    let late_start: String = late
        .query_one("SELECT now()::text", &[])
        .await
        .unwrap()
        .get(0);
    tokio::time::sleep(Duration::from_millis(50)).await;

    let second = p.sync_with(opts()).await;
    let m = |t: &str| row(&second, t).mode.clone();
    assert_eq!(
        (m("public.customers"), m("public.orders"), m("public.lines")),
        (
            "incremental".into(),
            "incremental".into(),
            "incremental".into()
        ),
        "{}",
        second.render()
    );
    assert_eq!(
        m("public.notes"),
        "compare",
        "no updated_at: full comparison"
    );
    assert_eq!(m("public.log"), "compare", "keyless: full comparison");
    let customers = row(&second, "public.customers");
    assert_eq!(
        (customers.inserted, customers.updated),
        (2, 5),
        "{}",
        second.render()
    );
    let orders = row(&second, "public.orders");
    assert_eq!(
        (orders.inserted, orders.updated, orders.deleted),
        (2, 9, 2),
        "{}",
        second.render()
    );
    assert_eq!(row(&second, "public.lines").deleted, 4);
    // The watermark recorded is no later than the open transaction's start.
    let safe: bool = p
        .standin
        .query_one(
            "SELECT bool_and(watermark <= $1::text::timestamptz) FROM pgsyncer.sync_state",
            &[&late_start],
        )
        .await
        .unwrap()
        .get(0);
    assert!(safe, "watermark is after the open transaction's start");

    late.batch_execute("COMMIT").await.unwrap();
    let third = p.sync_with(opts()).await;
    p.assert_same(&SHOP_TABLES).await;
    assert_eq!(
        row(&third, "public.customers").updated,
        1,
        "{}",
        third.render()
    );

    // Nothing left: a run on unchanged data writes nothing.
    let fourth = p.sync_with(opts()).await;
    assert_eq!(fourth.total_changes(), 0, "{}", fourth.render());
}

#[tokio::test]
async fn no_deletes_leaves_rows_main_deleted() {
    let p = pair("nodel", &format!("{SHOP}{SHOP_ROWS}"), SHOP).await;
    let opts = |deletes| Options {
        incremental: Some(incremental(deletes)),
        ..Options::default()
    };
    p.sync_with(opts(false)).await;
    p.main
        .batch_execute(
            "DELETE FROM lines WHERE order_id = 10; DELETE FROM orders WHERE id = 10;
             UPDATE orders SET total = -1, updated_at = now() WHERE id = 11;",
        )
        .await
        .unwrap();
    let s = p.sync_with(opts(false)).await;
    let orders = row(&s, "public.orders");
    assert_eq!((orders.updated, orders.deleted), (1, 0), "{}", s.render());
    let kept: i64 = p
        .standin
        .query_one("SELECT count(*) FROM orders WHERE id = 10", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(kept, 1, "--no-deletes deleted a row");
    let total: String = p
        .standin
        .query_one("SELECT total::text FROM orders WHERE id = 11", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(total, "-1.00");
    // With deletes the next run removes them.
    let s = p.sync_with(opts(true)).await;
    assert_eq!(row(&s, "public.orders").deleted, 1, "{}", s.render());
    p.assert_same(&SHOP_TABLES).await;
}

/// The key pass reads a few differing keys off sums of the streamed keys, and falls back to
/// listing the keys of differing buckets when there are too many: both must find deletes on
/// main, rows the watermark missed, and rows only the standin has, for a composite integer key.
#[tokio::test]
async fn key_pass_finds_few_and_many_differences() {
    const GRID: &str = "CREATE TABLE grid (x int, y smallint, v text, updated_at timestamptz NOT NULL DEFAULT now(),
                                           PRIMARY KEY (x, y));";
    let p = pair(
        "keypass",
        &format!("{GRID} INSERT INTO grid SELECT i / 10, (i % 10)::smallint, 'v' || i, now() - interval '1 day' FROM generate_series(0, 2999) i;"),
        GRID,
    )
    .await;
    p.sync_with(incremental_run()).await;
    // (deleted on main, missed by the watermark, only on the standin)
    for (round, (label, deletes, missed, extra)) in [("few", 7, 2, 1), ("many", 1200, 40, 30)]
        .into_iter()
        .enumerate()
    {
        let base = 100_000 * (round + 1);
        p.main
            .batch_execute(&format!(
                "DELETE FROM grid WHERE (x, y) IN (SELECT x, y FROM grid ORDER BY md5(x || '.' || y || '{label}') LIMIT {deletes});
                 INSERT INTO grid SELECT {base} + i, 1, '{label}', now() - interval '1 year' FROM generate_series(1, {missed}) i;"
            ))
            .await
            .unwrap();
        p.standin
            .batch_execute(&format!(
                "INSERT INTO grid SELECT -{base} - i, 2, 'extra', now() FROM generate_series(1, {extra}) i"
            ))
            .await
            .unwrap();
        let s = p.sync_with(incremental_run()).await;
        let grid = row(&s, "public.grid");
        assert_eq!(
            (grid.inserted, grid.deleted),
            (missed, deletes + extra),
            "{label}: {}",
            s.render()
        );
        p.assert_same(&["grid"]).await;
    }
}

/// A uuid key travels as 16 bytes and is read off the sums too: deletes and missed rows by the
/// key pass, then a few updated rows by a default run (main's write count is small).
#[tokio::test]
async fn uuid_keys_are_read_off_sums() {
    const TOKENS: &str = "CREATE TABLE tokens (id uuid PRIMARY KEY, v text, updated_at timestamptz NOT NULL DEFAULT now());";
    let p = pair(
        "uuidkeys",
        &format!("{TOKENS} INSERT INTO tokens SELECT md5('t' || i)::uuid, 'v' || i, now() - interval '1 day' FROM generate_series(1, 2000) i;"),
        TOKENS,
    )
    .await;
    p.sync_with(incremental_run()).await;
    p.main
        .batch_execute(
            "DELETE FROM tokens WHERE id IN (SELECT id FROM tokens ORDER BY id LIMIT 5);
             INSERT INTO tokens SELECT md5('late' || i)::uuid, 'late', now() - interval '1 year' FROM generate_series(1, 2) i;",
        )
        .await
        .unwrap();
    p.standin
        .batch_execute(
            "INSERT INTO tokens VALUES ('ffffffff-0000-4000-8000-000000000001', 'extra', now())",
        )
        .await
        .unwrap();
    let s = p.sync_with(incremental_run()).await;
    let tokens = row(&s, "public.tokens");
    assert_eq!((tokens.inserted, tokens.deleted), (2, 6), "{}", s.render());
    p.assert_same(&["tokens"]).await;

    p.main
        .batch_execute("UPDATE tokens SET v = v || '!' WHERE id IN (SELECT id FROM tokens ORDER BY id DESC LIMIT 3)")
        .await
        .unwrap();
    let s = p.sync_with(Options::default()).await;
    assert_eq!(row(&s, "public.tokens").updated, 3, "{}", s.render());
    p.assert_same(&["tokens"]).await;
}

/// A table main's statistics show no delete from since its last sync has its key pass
/// settled by one sum of its keys per side; rows only the standin has still make the sums
/// differ and are deleted.
#[tokio::test]
async fn key_pass_of_a_table_without_deletes_is_one_sum_per_side() {
    const FEED: &str = "CREATE TABLE feed (id bigint PRIMARY KEY, v text, updated_at timestamptz NOT NULL DEFAULT now());";
    let p = pair(
        "nodeletes",
        &format!("{FEED} INSERT INTO feed SELECT i, 'v' || i, now() - interval '1 day' FROM generate_series(1, 3000) i;"),
        FEED,
    )
    .await;
    p.sync_with(incremental_run()).await;
    p.main
        .batch_execute(
            "UPDATE feed SET v = 'changed', updated_at = now() WHERE id % 100 = 0;
             INSERT INTO feed SELECT i, 'new', now() FROM generate_series(3001, 3020) i;",
        )
        .await
        .unwrap();
    // Let main's statistics count those writes, so the table is not taken as unwritten (which
    // would compare its sums first anyway): only the missing deletes may do it.
    let counted = p
        .wait_for_main_count(
            "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'feed'",
            30,
        )
        .await;
    assert!(counted >= 30, "main's statistics never counted the updates");
    let s = p.sync_with(incremental_run()).await;
    let feed = row(&s, "public.feed");
    assert_eq!(
        (feed.inserted, feed.updated, feed.deleted),
        (20, 30, 0),
        "{}",
        s.render()
    );
    assert!(
        feed.by_totals,
        "the key pass streamed keys:\n{}",
        s.render()
    );
    p.assert_same(&["feed"]).await;

    p.standin
        .batch_execute("INSERT INTO feed VALUES (-1, 'extra', now())")
        .await
        .unwrap();
    let s = p.sync_with(incremental_run()).await;
    let feed = row(&s, "public.feed");
    assert_eq!(feed.deleted, 1, "{}", s.render());
    assert!(!feed.by_totals, "{}", s.render());
    p.assert_same(&["feed"]).await;
}

#[tokio::test]
async fn last_sync_time_sets_the_watermark() {
    let p = pair("lst", &format!("{SHOP}{SHOP_ROWS}"), SHOP).await;
    p.sync_with(Options::default()).await;
    // An old row changed on main without touching updated_at is found only by a watermark
    // older than its stamp.
    p.main
        .batch_execute("UPDATE customers SET name = 'silent' WHERE id = 1")
        .await
        .unwrap();
    let with = |t: &str| Options {
        incremental: Some(IncrementalOptions {
            last_sync_time: Some(t.to_string()),
            ..incremental(true)
        }),
        ..Options::default()
    };
    let s = p.sync_with(with("2999-01-01T00:00:00Z")).await;
    assert_eq!(row(&s, "public.customers").updated, 0, "{}", s.render());
    let s = p.sync_with(with("2000-01-01T00:00:00Z")).await;
    assert_eq!(row(&s, "public.customers").updated, 1, "{}", s.render());
    p.assert_same(&SHOP_TABLES).await;
}

/// What postgres_fdw objects of pgsyncer's the standin holds: (servers, user mappings,
/// staging schemas, postgres_fdw installed).
async fn fdw_objects(c: &tokio_postgres::Client) -> (i64, i64, i64, bool) {
    let r = c
        .query_one(
            "SELECT (SELECT count(*) FROM pg_foreign_server WHERE srvname = 'pgsyncer_main'),
                    (SELECT count(*) FROM pg_user_mappings WHERE srvname = 'pgsyncer_main'),
                    (SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pgsyncer\\_fdw\\_%'),
                    EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgres_fdw')",
            &[],
        )
        .await
        .unwrap();
    (r.get(0), r.get(1), r.get(2), r.get(3))
}

/// The data tests' fixtures: (label, main, standin, tables).
fn fixtures() -> Vec<(&'static str, String, String, Vec<&'static str>)> {
    let gen_main = "INSERT INTO gen (qty, price) SELECT i, i * 0.5 FROM generate_series(1, 30) i;
        DELETE FROM gen WHERE id = 3;
        INSERT INTO by_default (v) SELECT 'v' || i FROM generate_series(1, 20) i;
        INSERT INTO uniq SELECT 'c' || i, i, 'v' FROM generate_series(1, 20) i;";
    let gen_standin =
        "INSERT INTO gen (qty, price) SELECT i, i * 0.5 FROM generate_series(1, 25) i;
        UPDATE gen SET qty = 0 WHERE id = 10;
        INSERT INTO by_default (v) SELECT 'old' || i FROM generate_series(1, 5) i;
        INSERT INTO uniq SELECT 'c' || i, i, 'old' FROM generate_series(5, 25) i;";
    let log = "CREATE TABLE log (level int, msg text);
        INSERT INTO log SELECT i % 5, 'event ' || (i % 3) FROM generate_series(1, 200) AS i;";
    vec![
        (
            "types",
            format!("{TYPES}{TYPE_ROWS}"),
            format!("{TYPES}{TYPE_ROWS}{TYPE_STANDIN_CHANGES}"),
            vec!["types_copy", "types_cmp"],
        ),
        (
            "simple",
            format!("{SIMPLE} INSERT INTO items SELECT i, 'n' || i, i, NULL FROM generate_series(1, 30) i;
                     INSERT INTO empty_here VALUES (1, 'x');"),
            format!("{SIMPLE} INSERT INTO items SELECT i, 'o' || i, i, NULL FROM generate_series(10, 40) i;"),
            vec!["items", "empty_here"],
        ),
        (
            "gen",
            format!("{GEN_DDL}{gen_main}"),
            format!("{GEN_DDL}{gen_standin}"),
            vec!["gen", "by_default", "uniq"],
        ),
        (
            "fk",
            format!("{FK_DDL}{FK_MAIN_ROWS}"),
            format!("{FK_DDL}{FK_STANDIN_ROWS}"),
            vec!["customers", "orders", "items", "tree", "a", "b", "c", "d"],
        ),
        (
            "keyless",
            format!("{log} INSERT INTO log VALUES (NULL, NULL), (NULL, NULL), (9, 'main only');"),
            format!("{log} DELETE FROM log WHERE ctid IN (SELECT ctid FROM log WHERE level = 1 LIMIT 3);
                     INSERT INTO log VALUES (NULL, NULL), (7, 'standin only'), (7, 'standin only'), (2, 'event 2');"),
            vec!["log"],
        ),
    ]
}

fn counts(s: &Summary) -> Vec<(String, u64, u64, u64)> {
    s.tables
        .iter()
        .map(|t| (t.table.clone(), t.inserted, t.updated, t.deleted))
        .collect()
}

#[tokio::test]
async fn fdw_mode_gives_the_default_modes_result() {
    for (label, main_sql, standin_sql, tables) in fixtures() {
        let by_default = pair(&format!("{label}_d"), &main_sql, &standin_sql).await;
        let by_fdw = pair(&format!("{label}_f"), &main_sql, &standin_sql).await;
        let expected = by_default.sync_with(Options::default()).await;
        let fdw_opts = || Options {
            fdw: Some(fdw(false)),
            ..Options::default()
        };
        let got = by_fdw.sync_with(fdw_opts()).await;
        by_fdw.assert_same(&tables).await;
        assert_eq!(
            counts(&got),
            counts(&expected),
            "{label}: fdw\n{}\ndefault\n{}",
            got.render(),
            expected.render()
        );
        assert!(
            got.tables.iter().all(|t| t.mode.starts_with("fdw-")),
            "{}",
            got.render()
        );
        let again = by_fdw.sync_with(fdw_opts()).await;
        assert_eq!(again.total_changes(), 0, "{label}: {}", again.render());
        assert_eq!(
            fdw_objects(&by_fdw.standin).await,
            (0, 0, 0, false),
            "{label}: FDW objects left on the standin"
        );
    }
}

/// Enough rows for many buckets, every shippable type, changes spread everywhere.
const BIG: &str = "
CREATE TABLE big (id int PRIMARY KEY, name text, amount numeric(10,2), doc jsonb, at timestamptz, day date,
                  raw bytea, tags int[], flag bool, ratio float8, span interval);
CREATE TABLE bag (k int, v text, at timestamptz);
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE moody (id int PRIMARY KEY, m mood, n int, note text);
INSERT INTO moody SELECT i, (ARRAY['sad', 'ok', 'happy'])[1 + i % 3]::mood, i, 'x' || i
FROM generate_series(1, 5000) AS i;
INSERT INTO big SELECT i, 'n' || i, i * 0.25, jsonb_build_object('i', i, 'even', i % 2 = 0),
       '2024-01-01'::timestamptz + i * interval '1 minute', '2020-01-01'::date + i % 900, int4send(i),
       ARRAY[i, i % 7], i % 3 = 0, i / 7.0
FROM generate_series(1, 20000) AS i;
UPDATE big SET at = 'infinity' WHERE id = 5;
UPDATE big SET ratio = '-0' WHERE id = 14;
UPDATE big SET doc = '{\"c\": 1.50}' WHERE id = 15;
UPDATE big SET span = '1 day' WHERE id = 16;
UPDATE big SET name = NULL, doc = NULL, tags = NULL WHERE id % 500 = 1;
INSERT INTO bag SELECT i % 5000, 'v' || (i % 5000), '2024-01-01'::timestamptz + (i % 5000) * interval '1 hour'
FROM generate_series(1, 20000) AS i;
ANALYZE;
";

#[tokio::test]
async fn fdw_mode_compares_by_buckets_with_spread_changes() {
    let drift = "
        ALTER TABLE moody ALTER COLUMN n TYPE bigint;        -- hashed on the standin
        UPDATE moody SET m = 'happy' WHERE id % 97 = 1 AND m <> 'happy';
        UPDATE moody SET n = n + 1 WHERE id % 89 = 2;
        UPDATE big SET ratio = '0' WHERE id = 14;             -- equal, but not the same text
        UPDATE big SET doc = '{\"c\": 1.5}' WHERE id = 15;
        UPDATE big SET span = '24 hours' WHERE id = 16;
        UPDATE big SET name = name || 'x' WHERE id % 97 = 0;
        UPDATE big SET amount = amount + 1 WHERE id % 89 = 0;
        UPDATE big SET doc = doc || '{\"x\": 1}' WHERE id % 83 = 0;
        UPDATE big SET at = NULL, flag = NOT flag WHERE id % 79 = 0;
        UPDATE big SET tags = tags || 0, raw = NULL WHERE id % 73 = 0;
        DELETE FROM big WHERE id % 101 = 0;
        INSERT INTO big (id, name) SELECT 100000 + i, 'standin only' FROM generate_series(1, 60) AS i;
        DELETE FROM bag WHERE ctid IN (SELECT ctid FROM bag WHERE k % 61 = 0 LIMIT 100);
        INSERT INTO bag SELECT k, v, at FROM bag WHERE k % 67 = 0;
        INSERT INTO bag VALUES (NULL, NULL, NULL), (-1, 'standin only', now());
        ANALYZE;";
    let standin = format!("{BIG}{drift}");
    let by_default = pair("big_d", BIG, &standin).await;
    let by_fdw = pair("big_f", BIG, &standin).await;
    let expected = by_default.sync_with(Options::default()).await;
    // --fdw-keep: the foreign tables stay for the pushdown checks below.
    let got = by_fdw
        .sync_with(Options {
            fdw: Some(fdw(true)),
            ..Options::default()
        })
        .await;
    by_fdw.assert_same(&["big", "bag", "moody"]).await;
    assert_pushed_down(&by_fdw).await;
    assert_eq!(
        counts(&got),
        counts(&expected),
        "fdw\n{}\ndefault\n{}",
        got.render(),
        expected.render()
    );
    // moody: an enum column and one whose type differs between the sides are compared
    // apart from the pushed-down fingerprint; changes only there are found too.
    for table in ["public.big", "public.bag", "public.moody"] {
        let t = row(&got, table);
        assert_eq!(t.mode, "fdw-merge", "{}", got.render());
        // Compared by buckets: many of them, most equal, the rest differing.
        assert!(t.chunks_total >= 1024, "{}", got.render());
        assert!(
            t.chunks_skipped > 0 && t.chunks_skipped < t.chunks_total,
            "{}",
            got.render()
        );
    }
    assert!(row(&got, "public.big").deleted >= 60, "{}", got.render());
    // Converged: the default mode finds nothing left, and FDW mode finds every bucket equal.
    let check = by_fdw.sync_with(Options::default()).await;
    assert_eq!(check.total_changes(), 0, "{}", check.render());
    let again = by_fdw
        .sync_with(Options {
            fdw: Some(fdw(false)),
            ..Options::default()
        })
        .await;
    assert_eq!(again.total_changes(), 0, "{}", again.render());
    for t in &again.tables {
        assert_eq!(t.chunks_skipped, t.chunks_total, "{}", again.render());
    }
    assert_eq!(fdw_objects(&by_fdw.standin).await, (0, 0, 0, false));
}

/// Main computes the bucket sums and the bucket condition: postgres_fdw pushes the whole
/// aggregate down (`Aggregate on …`, `GROUP BY` in the remote SQL) and the `get_bit` filter
/// of the stage pull into the remote `WHERE`, for the statements pgsyncer generates.
async fn assert_pushed_down(p: &Pair) {
    use pgsyncer::data::buckets::Buckets;
    use pgsyncer::data::{fdw, session, tables};
    let connect = |side, url: &str| {
        let endpoint = Endpoint::parse(side, url, Duration::from_secs(10)).unwrap();
        async move { session::open(&endpoint).await.unwrap() }
    };
    let (m, s) = (
        connect(Side::Main, &p.main_url).await,
        connect(Side::Standin, &p.standin_url).await,
    );
    // The standin's postgres_fdw ships CASE (the fingerprints' NULL handling) from PostgreSQL
    // 15 on. Before that it pulls the rows and computes main's half itself: the same result
    // (checked by the caller), without the pushdown this function checks.
    if s.server_version_num < 150_000 {
        return;
    }
    let schemas = ["public".to_string()];
    let (mt, st) = (
        tables::load_tables(&m, Some(&schemas)).await.unwrap(),
        tables::load_tables(&s, Some(&schemas)).await.unwrap(),
    );
    for name in ["big", "bag"] {
        let find = |ts: &[tables::TableMeta]| ts.iter().find(|t| t.name == name).unwrap().clone();
        let table = tables::pair(&find(&mt), &find(&st), true);
        let hashes = fdw::fdw_hashes(&table).expect("every column of big and bag is shippable");
        let foreign = format!("pgsyncer_fdw_0.{name}");
        let key = hashes.key.clone().unwrap_or_else(|| hashes.row.clone());
        let value = hashes.key.as_ref().map(|_| hashes.row.as_str());
        let buckets = Buckets::for_rows(20_000.0);
        let explain = |sql: String| {
            let s = &s;
            async move {
                s.query(&format!("EXPLAIN (VERBOSE) {sql}"), &[])
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.get::<_, String>(0))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        };
        let plan = explain(buckets.aggregate_sql(
            &pgsyncer::data::alias::Aliases::of(&table),
            &foreign,
            &key,
            value,
        ))
        .await;
        assert!(plan.contains("Aggregate on"), "{name}: {plan}");
        let remote = plan
            .lines()
            .find(|l| l.contains("Remote SQL"))
            .unwrap_or_default();
        assert!(
            remote.contains("GROUP BY") && remote.contains("sum("),
            "{name}: {plan}"
        );
        let [_, fill] =
            fdw::stage_statements(&table, &foreign, "st", &buckets.filter(&key, &[1, 5]));
        s.batch_execute(&format!(
            "BEGIN; CREATE TEMP TABLE st AS SELECT * FROM {name} WITH NO DATA"
        ))
        .await
        .unwrap();
        let plan = explain(fill).await;
        s.batch_execute("ROLLBACK").await.unwrap();
        let remote = plan
            .lines()
            .find(|l| l.contains("Remote SQL"))
            .unwrap_or_default();
        assert!(
            remote.contains("WHERE") && remote.contains("get_bit"),
            "{name}: {plan}"
        );
    }
}

#[tokio::test]
async fn fdw_incremental_and_keep_then_leftovers_cleaned() {
    let p = pair("fdwincr", &format!("{SHOP}{SHOP_ROWS}"), SHOP).await;
    let opts = |keep| Options {
        fdw: Some(fdw(keep)),
        incremental: Some(incremental(true)),
        ..Options::default()
    };
    let first = p.sync_with(opts(false)).await;
    assert!(
        first.tables.iter().all(|t| t.mode == "fdw-insert"),
        "{}",
        first.render()
    );
    p.main
        .batch_execute(
            "UPDATE customers SET name = 'x', updated_at = now() WHERE id < 4;
             DELETE FROM lines WHERE order_id = 12; DELETE FROM orders WHERE id = 12;
             INSERT INTO notes VALUES (100, 'new');",
        )
        .await
        .unwrap();
    let second = p.sync_with(opts(true)).await;
    p.assert_same(&SHOP_TABLES).await;
    let c = row(&second, "public.customers");
    assert_eq!(
        (c.mode.as_str(), c.updated),
        ("fdw-incremental", 3),
        "{}",
        second.render()
    );
    assert_eq!(row(&second, "public.orders").deleted, 1);
    assert_eq!(row(&second, "public.notes").mode, "fdw-merge");
    // --fdw-keep: server, mapping, staging schema and extension stay, marked kept; a run
    // without FDW mode leaves them.
    assert_eq!(fdw_objects(&p.standin).await, (1, 1, 1, true));
    p.sync_with(Options::default()).await;
    assert_eq!(fdw_objects(&p.standin).await, (1, 1, 1, true));
    // An interrupted run's objects (marked in use) are dropped by the next run, any mode.
    p.standin
        .batch_execute(&format!(
            "COMMENT ON SERVER pgsyncer_main IS '{}'; COMMENT ON SCHEMA pgsyncer_fdw_0 IS '{}'",
            pgsyncer::data::fdw::IN_USE,
            pgsyncer::data::fdw::IN_USE
        ))
        .await
        .unwrap();
    p.sync_with(Options::default()).await;
    assert_eq!(fdw_objects(&p.standin).await, (0, 0, 0, false));
}

#[tokio::test]
async fn fdw_errors_are_clear_and_leave_nothing() {
    let p = pair("fdwerr", SIMPLE, SIMPLE).await;
    // Main unreachable from the standin's server.
    let err = p
        .try_sync(Options {
            fdw: Some(FdwOptions {
                port: Some(1),
                ..fdw(false)
            }),
            ..Options::default()
        })
        .await
        .expect_err("port 1 is closed");
    assert!(
        matches!(err, DataError::Fdw(FdwError::Unreachable { .. })),
        "{err:?}"
    );
    let text = pgsyncer::error::report(&err);
    assert!(
        text.contains("--fdw-host") && text.contains(":1/"),
        "{text}"
    );
    assert!(
        !text.contains(pgsyncer::sandbox::SANDBOX_PASSWORD),
        "{text}"
    );
    assert_eq!(fdw_objects(&p.standin).await, (0, 0, 0, false));

    // A role that may not create the extension.
    let role = format!("fdw_np_{}", std::process::id());
    p.standin
        .batch_execute(&format!(
            "CREATE ROLE {role} LOGIN PASSWORD 'np-pw'; GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}"
        ))
        .await
        .unwrap();
    let standin_url = p.standin_url.replacen(
        &format!("postgres:{}@", pgsyncer::sandbox::SANDBOX_PASSWORD),
        &format!("{role}:np-pw@"),
        1,
    );
    let np = Pair {
        main_url: p.main_url.clone(),
        standin_url,
        main: support::raw_client(&p.main_url).await,
        standin: support::raw_client(&p.standin_url).await,
    };
    let err = np
        .try_sync(Options {
            fdw: Some(fdw(false)),
            ..Options::default()
        })
        .await
        .expect_err("not a superuser");
    assert!(
        matches!(err, DataError::Fdw(FdwError::Privilege { .. })),
        "{err:?}"
    );
    let text = pgsyncer::error::report(&err);
    assert!(text.contains("postgres_fdw"), "{text}");
}

#[tokio::test]
async fn command_line_runs_both_modes() {
    let p = pair("cli", &format!("{SHOP}{SHOP_ROWS}"), SHOP).await;
    let run = |extra: &[&str]| {
        let out = std::process::Command::new(support::pgsyncer_bin())
            .args([
                "--sync-schema=false",
                "--json",
                "--maindsn",
                &p.main_url,
                "--standindsn",
                &p.standin_url,
            ])
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{stderr}");
        assert!(
            !stderr.contains(pgsyncer::sandbox::SANDBOX_PASSWORD),
            "{stderr}"
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["tables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["table"].as_str().unwrap().to_string(),
                    t["mode"].as_str().unwrap().to_string(),
                )
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let first = run(&["--use-updated-at", "--fdw-mode", "-vv"]);
    assert_eq!(first["public.customers"], "fdw-insert");
    let second = run(&[
        "--use-updated-at",
        "--no-deletes",
        "--watermark-margin",
        "5",
    ]);
    assert_eq!(second["public.customers"], "incremental");
    assert_eq!(second["public.notes"], "compare");
    let third = run(&[
        "--use-updated-at",
        "--last-sync-time",
        "2000-01-01 00:00:00",
    ]);
    assert_eq!(third["public.orders"], "incremental");
    p.assert_same(&SHOP_TABLES).await;
}

/// In FDW mode the standin's bucket sums of a group's first table are read on a second
/// session beside the transaction. A later table of the group may already hold rows the
/// transaction wrote (here a trigger on the parent writes into the child): its sums must be
/// read in the transaction, or the trigger's row would look absent and stay.
#[tokio::test]
async fn fdw_mode_sees_rows_the_group_wrote_before_comparing_a_table() {
    let ddl = "
CREATE TABLE parent (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent, note text);
";
    let rows = "
INSERT INTO parent SELECT i, 'p' || i FROM generate_series(1, 300) i;
INSERT INTO child SELECT i, 1 + i % 300, 'c' || i FROM generate_series(1, 2000) i;
ANALYZE;
";
    let trigger = "
CREATE FUNCTION parent_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO child VALUES (100000 + NEW.id, NEW.id, 'written by a trigger');
  RETURN NEW;
END $$;
CREATE TRIGGER parent_touched AFTER UPDATE ON parent FOR EACH ROW EXECUTE FUNCTION parent_touched();
UPDATE parent SET name = 'old' WHERE id % 50 = 0;
DELETE FROM child WHERE id > 100000;
";
    let p = pair(
        "fdw_group",
        &format!("{ddl}{rows}"),
        &format!("{ddl}{rows}{trigger}"),
    )
    .await;
    let summary = p
        .sync_with(Options {
            fdw: Some(fdw(false)),
            ..Options::default()
        })
        .await;
    // The parent's 6 rows were updated, which made the trigger add 6 child rows main lacks.
    assert_eq!(
        row(&summary, "public.parent").updated,
        6,
        "{}",
        summary.render()
    );
    assert_eq!(
        row(&summary, "public.child").deleted,
        6,
        "{}",
        summary.render()
    );
    p.assert_same(&["parent", "child"]).await;
}

/// `scale(NaN)` is NULL: a numeric NaN must not blank out the rest of its row's FDW
/// fingerprint, or a difference in another column of that row would go unseen.
#[tokio::test]
async fn fdw_mode_sees_changes_in_rows_holding_numeric_nan() {
    let ddl = "CREATE TABLE m (id int PRIMARY KEY, amount numeric, name text);";
    let rows =
        "INSERT INTO m SELECT i, CASE WHEN i % 10 = 0 THEN 'NaN'::numeric ELSE i END, 'n' || i FROM generate_series(1, 2000) i;";
    let p = pair(
        "fdw_nan",
        &format!("{ddl}{rows}"),
        &format!("{ddl}{rows} UPDATE m SET name = 'old' WHERE id IN (10, 20, 30);"),
    )
    .await;
    let summary = p
        .sync_with(Options {
            fdw: Some(fdw(false)),
            ..Options::default()
        })
        .await;
    assert_eq!(row(&summary, "public.m").updated, 3, "{}", summary.render());
    p.assert_same(&["m"]).await;
}
