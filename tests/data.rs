//! Data sync against real servers: every common column type, keys of every kind, keyless
//! duplicates, generated and identity columns, foreign-key chains and cycles, dry runs,
//! filters, sequences, and an interrupted sync. Each test: two fresh databases on the shared
//! cluster, load, sync, then compare a checksum of every row on both sides and check that a
//! second sync finds nothing to do.

mod support;

use std::time::Duration;

use pgsyncer::conn::{Endpoint, Side};
use pgsyncer::data::{sync_data, Options, Summary, TableFilter};

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

impl Pair {
    async fn sync_with(&self, options: Options) -> Summary {
        let main = Endpoint::parse(Side::Main, &self.main_url, Duration::from_secs(10)).unwrap();
        let standin =
            Endpoint::parse(Side::Standin, &self.standin_url, Duration::from_secs(10)).unwrap();
        let summary = sync_data(&main, &standin, &options).await.expect("sync");
        let failed: Vec<_> = summary.failures().collect();
        assert!(failed.is_empty(), "failed tables: {failed:?}");
        summary
    }

    async fn sync(&self) -> Summary {
        self.sync_with(Options {
            chunk_size: 7,
            ..Options::default()
        })
        .await
    }

    /// Sync, check every table matches, sync again and check nothing changed.
    async fn converge(&self, tables: &[&str]) -> Summary {
        let first = self.sync().await;
        self.assert_same(tables).await;
        let second = self.sync().await;
        assert_eq!(
            second.total_changes(),
            0,
            "second sync changed rows:\n{}",
            second.render()
        );
        first
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

const SIMPLE: &str = "
CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2), at timestamptz);
CREATE TABLE empty_here (id int PRIMARY KEY, v text);
";

#[tokio::test]
async fn keyed_tables_copy_and_compare() {
    let p = pair(
        "simple",
        &format!("{SIMPLE}
         INSERT INTO items SELECT i, 'item ' || i, i * 1.5, '2024-01-01'::timestamptz + i * interval '1 hour' FROM generate_series(1, 100) i;
         INSERT INTO empty_here SELECT i, md5(i::text) FROM generate_series(1, 50) i;"),
        &format!("{SIMPLE}
         INSERT INTO items SELECT i, 'item ' || i, i * 1.5, '2024-01-01'::timestamptz + i * interval '1 hour' FROM generate_series(5, 120) i;
         UPDATE items SET name = 'changed' WHERE id % 10 = 0;"),
    )
    .await;
    let s = p.converge(&["items", "empty_here"]).await;
    let items = row(&s, "public.items");
    assert_eq!(items.key, "primary key (id)");
    assert_eq!(items.mode, "compare");
    assert_eq!(
        (items.inserted, items.updated, items.deleted),
        (4, 10, 20),
        "{}",
        s.render()
    );
    assert_eq!(items.main_rows, 100);
    let empty = row(&s, "public.empty_here");
    assert_eq!((empty.mode.as_str(), empty.inserted), ("copy", 50));
}
