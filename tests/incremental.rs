//! `--use-updated-at` and `--fdw-mode` against real servers: an initial sync, a workload on
//! main (updates, inserts, deletes, and a transaction that stamps `updated_at` before the
//! sync's snapshot and commits after it), incremental syncs that must leave every table equal
//! to main; `--no-deletes`; FDW mode on the data tests' fixtures giving the default mode's
//! result, its cleanup, `--fdw-keep`, and its errors.

mod support;

use std::time::Duration;

use pgsyncer::conn::{Endpoint, Side};
use pgsyncer::data::incremental::IncrementalOptions;
use pgsyncer::data::{sync_data, Options, Summary};

struct Pair {
    main_url: String,
    standin_url: String,
    main: tokio_postgres::Client,
    standin: tokio_postgres::Client,
}

async fn pair(label: &str, main_sql: &str, standin_sql: &str) -> Pair {
    let main_url = support::fresh_db(&format!("{label}_m")).await;
    let standin_url = support::fresh_db(&format!("{label}_s")).await;
    let main = support::raw_client(&main_url).await;
    let standin = support::raw_client(&standin_url).await;
    main.batch_execute(main_sql).await.expect("load main");
    standin
        .batch_execute(standin_sql)
        .await
        .expect("load standin");
    Pair {
        main_url,
        standin_url,
        main,
        standin,
    }
}

fn incremental(deletes: bool) -> IncrementalOptions {
    IncrementalOptions {
        column: "updated_at".into(),
        last_sync_time: None,
        margin_seconds: 0.0,
        deletes,
    }
}

impl Pair {
    async fn try_sync(&self, options: Options) -> Result<Summary, pgsyncer::data::DataError> {
        let main = Endpoint::parse(Side::Main, &self.main_url, Duration::from_secs(10)).unwrap();
        let standin =
            Endpoint::parse(Side::Standin, &self.standin_url, Duration::from_secs(10)).unwrap();
        sync_data(&main, &standin, &options).await
    }

    async fn sync(&self, options: Options) -> Summary {
        let summary = self.try_sync(options).await.expect("sync");
        let failed: Vec<_> = summary.failures().collect();
        assert!(failed.is_empty(), "failed tables:\n{}", summary.render());
        summary
    }

    async fn assert_same(&self, tables: &[&str]) {
        for t in tables {
            let (m, s) = (
                checksum(&self.main, t).await,
                checksum(&self.standin, t).await,
            );
            assert_eq!(m, s, "table {t} differs after sync");
        }
    }
}

/// Every row's text, sorted bytewise, hashed: equal iff the tables hold the same multiset.
async fn checksum(client: &tokio_postgres::Client, table: &str) -> (i64, String) {
    let sql = format!(
        "SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text COLLATE \"C\")), '') FROM {table} t"
    );
    let row = client.query_one(&sql, &[]).await.expect("checksum");
    (row.get(0), row.get(1))
}

fn row<'a>(summary: &'a Summary, table: &str) -> &'a pgsyncer::data::TableSummary {
    summary
        .tables
        .iter()
        .find(|t| t.table == table)
        .unwrap_or_else(|| panic!("{table} not in summary:\n{}", summary.render()))
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
    let first = p.sync(opts()).await;
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

    let second = p.sync(opts()).await;
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
    let third = p.sync(opts()).await;
    p.assert_same(&SHOP_TABLES).await;
    assert_eq!(
        row(&third, "public.customers").updated,
        1,
        "{}",
        third.render()
    );

    // Nothing left: a run on unchanged data writes nothing.
    let fourth = p.sync(opts()).await;
    assert_eq!(fourth.total_changes(), 0, "{}", fourth.render());
}

#[tokio::test]
async fn no_deletes_leaves_rows_main_deleted() {
    let p = pair("nodel", &format!("{SHOP}{SHOP_ROWS}"), SHOP).await;
    let opts = |deletes| Options {
        incremental: Some(incremental(deletes)),
        ..Options::default()
    };
    p.sync(opts(false)).await;
    p.main
        .batch_execute(
            "DELETE FROM lines WHERE order_id = 10; DELETE FROM orders WHERE id = 10;
             UPDATE orders SET total = -1, updated_at = now() WHERE id = 11;",
        )
        .await
        .unwrap();
    let s = p.sync(opts(false)).await;
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
    let s = p.sync(opts(true)).await;
    assert_eq!(row(&s, "public.orders").deleted, 1, "{}", s.render());
    p.assert_same(&SHOP_TABLES).await;
}

#[tokio::test]
async fn last_sync_time_sets_the_watermark() {
    let p = pair("lst", &format!("{SHOP}{SHOP_ROWS}"), SHOP).await;
    p.sync(Options::default()).await;
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
    let s = p.sync(with("2999-01-01T00:00:00Z")).await;
    assert_eq!(row(&s, "public.customers").updated, 0, "{}", s.render());
    let s = p.sync(with("2000-01-01T00:00:00Z")).await;
    assert_eq!(row(&s, "public.customers").updated, 1, "{}", s.render());
    p.assert_same(&SHOP_TABLES).await;
}
