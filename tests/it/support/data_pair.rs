//! Two fresh databases loaded with SQL, synced through the library and compared row by row:
//! what the data tests (modules `data`, `incremental` and `safety`) share.

use std::time::Duration;

use pgsyncer::conn::{Endpoint, Side};
use pgsyncer::data::{sync_data, DataError, Options, Summary, TableSummary};

pub struct Pair {
    pub main_url: String,
    pub standin_url: String,
    pub main: tokio_postgres::Client,
    pub standin: tokio_postgres::Client,
}

/// Fresh main and standin databases, loaded with `main_sql` and `standin_sql`.
pub async fn pair(label: &str, main_sql: &str, standin_sql: &str) -> Pair {
    let main_url = super::fresh_db(&format!("{label}_m")).await;
    let standin_url = super::fresh_db(&format!("{label}_s")).await;
    let main = super::raw_client(&main_url).await;
    let standin = super::raw_client(&standin_url).await;
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
    pub async fn try_sync(&self, options: Options) -> Result<Summary, DataError> {
        let main = Endpoint::parse(Side::Main, &self.main_url, Duration::from_secs(10)).unwrap();
        let standin =
            Endpoint::parse(Side::Standin, &self.standin_url, Duration::from_secs(10)).unwrap();
        sync_data(&main, &standin, &options).await
    }

    /// Sync; every table must succeed.
    pub async fn sync_with(&self, options: Options) -> Summary {
        let summary = self.try_sync(options).await.expect("sync");
        let failed: Vec<_> = summary.failures().collect();
        assert!(
            failed.is_empty(),
            "failed tables:\n{}{}",
            summary.render(),
            summary.failure_report()
        );
        summary
    }

    /// Wait (up to 20 s) until main's statistics, read by `count_sql` (one `int8`), reach
    /// `target`; the last count read. Statistics reach other sessions a moment after a write,
    /// and before PostgreSQL 15 a session sends them only when it next goes idle, 500 ms after
    /// its last report at the earliest: the loading session is nudged meanwhile.
    pub async fn wait_for_main_count(&self, count_sql: &str, target: i64) -> i64 {
        let _ = self
            .main
            .batch_execute("SELECT pg_stat_force_next_flush()")
            .await; // 15+
        let stats = super::raw_client(&self.main_url).await;
        let mut counted = 0;
        for _ in 0..200 {
            self.main.batch_execute("SELECT 1").await.unwrap();
            counted = stats.query_one(count_sql, &[]).await.unwrap().get(0);
            if counted >= target {
                break;
            }
            stats
                .batch_execute("SELECT pg_stat_clear_snapshot()")
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        counted
    }

    /// Every listed table holds the same rows on both sides.
    pub async fn assert_same(&self, tables: &[&str]) {
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
pub async fn checksum(client: &tokio_postgres::Client, table: &str) -> (i64, String) {
    let sql = format!(
        "SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text COLLATE \"C\")), '') FROM {table} t"
    );
    let row = client.query_one(&sql, &[]).await.expect("checksum");
    (row.get(0), row.get(1))
}

/// The summary's line for `table`.
pub fn row<'a>(summary: &'a Summary, table: &str) -> &'a TableSummary {
    summary
        .tables
        .iter()
        .find(|t| t.table == table)
        .unwrap_or_else(|| panic!("{table} not in summary:\n{}", summary.render()))
}
