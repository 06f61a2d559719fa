//! Data sync against real servers: every common column type, keys of every kind, keyless
//! duplicates, generated and identity columns, foreign-key chains and cycles, dry runs,
//! filters, sequences, and an interrupted sync. Each test: two fresh databases on the shared
//! cluster, load, sync, then compare a checksum of every row on both sides and check that a
//! second sync finds nothing to do.

use crate::support;

use std::time::Duration;

use pgsyncer::conn::{Endpoint, Side};
use pgsyncer::data::{sync_data, Options, Summary, TableFilter};
use support::data_fixtures::{
    FK_DDL, FK_MAIN_ROWS, FK_STANDIN_ROWS, GEN_DDL, SIMPLE, TYPES, TYPE_ROWS, TYPE_STANDIN_CHANGES,
};
use support::data_pair::{checksum, pair, row, Pair};

impl Pair {
    async fn sync(&self, chunk_size: u64) -> Summary {
        self.sync_with(Options {
            chunk_size,
            ..Options::default()
        })
        .await
    }

    /// Sync (small chunks, so every path runs), check every table matches, sync again and
    /// check nothing changed.
    async fn converge(&self, tables: &[&str]) -> Summary {
        self.converge_with(tables, 7).await
    }

    async fn converge_with(&self, tables: &[&str], chunk_size: u64) -> Summary {
        let first = self.sync(chunk_size).await;
        self.assert_same(tables).await;
        let second = self.sync(chunk_size).await;
        assert_eq!(
            second.total_changes(),
            0,
            "second sync changed rows:\n{}",
            second.render()
        );
        first
    }
}

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

#[tokio::test]
async fn every_column_type_round_trips() {
    let standin_rows = TYPE_STANDIN_CHANGES;
    let p = pair(
        "types",
        &format!("{TYPES}{TYPE_ROWS}"),
        &format!("{TYPES}{TYPE_ROWS}{standin_rows}"),
    )
    .await;
    let s = p.converge(&["types_copy", "types_cmp"]).await;
    let copy = row(&s, "public.types_copy");
    assert_eq!((copy.mode.as_str(), copy.inserted), ("copy", 60));
    let cmp = row(&s, "public.types_cmp");
    assert_eq!(cmp.key, "primary key (k1, k2)");
    assert_eq!(
        (cmp.inserted, cmp.updated, cmp.deleted),
        (6, 4, 2),
        "{}",
        s.render()
    );
}

#[tokio::test]
async fn text_keys_ordered_alike_across_collations() {
    let icu: bool = {
        let url = support::fresh_db("icu_probe").await;
        let c = support::raw_client(&url).await;
        c.query_one(
            "SELECT count(*) > 0 FROM pg_collation WHERE collname = 'und-x-icu'",
            &[],
        )
        .await
        .unwrap()
        .get(0)
    };
    let other = if icu { "\"und-x-icu\"" } else { "\"POSIX\"" };
    let late = "CREATE TABLE late (w text PRIMARY KEY, n int);
        INSERT INTO late SELECT 'w' || lpad(i::text, 3, '0'), i FROM generate_series(1, 60) i;
        INSERT INTO late SELECT 'w' || c, 0 FROM unnest(ARRAY['ä', 'Ä', '_', 'Z', 'z']) AS c;";
    let keys = "INSERT INTO words SELECT w, length(w) FROM unnest(ARRAY['a','B','_','ä','Z','b','A','é','z','0','Ä','ß','aa','a a','-x']) AS w;";
    let p = pair(
        "collate",
        &format!("CREATE TABLE words (w text COLLATE \"C\" PRIMARY KEY, n int); {keys} {late}"),
        &format!(
            "CREATE TABLE words (w text COLLATE {other} PRIMARY KEY, n int); {keys} {late}
             UPDATE late SET n = -1 WHERE w IN ('wä', 'w_');
             DELETE FROM late WHERE w = 'wZ';
             INSERT INTO late VALUES ('wö', 1);
             UPDATE words SET n = -1 WHERE w IN ('ä', 'Z', '_');
             DELETE FROM words WHERE w IN ('B', 'ß');
             INSERT INTO words VALUES ('only standin', 0), ('Ö', 0);"
        ),
    )
    .await;
    let s = p
        .sync_with(Options {
            chunk_size: 2,
            ..Options::default()
        })
        .await;
    p.assert_same(&["words"]).await;
    let w = row(&s, "public.words");
    assert_eq!(
        (w.inserted, w.updated, w.deleted),
        (2, 3, 2),
        "{}",
        s.render()
    );
    let again = p
        .sync_with(Options {
            chunk_size: 2,
            ..Options::default()
        })
        .await;
    // The first chunks equal: the rest is checked in one width_bucket scan per side.
    let late = row(&s, "public.late");
    assert_eq!(
        (late.inserted, late.updated, late.deleted),
        (1, 2, 1),
        "{}",
        s.render()
    );
    assert!(
        late.chunks_skipped > late.chunks_total / 2,
        "{}",
        s.render()
    );
    p.assert_same(&["late"]).await;
    assert_eq!(again.total_changes(), 0, "{}", again.render());
    assert_eq!(
        row(&again, "public.words").chunks_skipped,
        row(&again, "public.words").chunks_total
    );
}

#[tokio::test]
async fn keyless_tables_compare_as_multisets() {
    let rows =
        "INSERT INTO log SELECT i % 5, 'event ' || (i % 3) FROM generate_series(1, 200) AS i;";
    let p = pair(
        "keyless",
        &format!("CREATE TABLE log (level int, msg text); {rows} INSERT INTO log VALUES (NULL, NULL), (NULL, NULL), (9, 'main only');"),
        &format!(
            "CREATE TABLE log (level int, msg text); {rows}
             DELETE FROM log WHERE ctid IN (SELECT ctid FROM log WHERE level = 1 LIMIT 3);
             INSERT INTO log VALUES (NULL, NULL), (7, 'standin only'), (7, 'standin only'), (2, 'event 2');"
        ),
    )
    .await;
    let s = p.converge(&["log"]).await;
    let log = row(&s, "public.log");
    assert_eq!(log.key, "whole row");
    // main: 2 × (NULL, NULL), 1 × main only, 3 more copies of level 1 rows;
    // standin: 1 × (NULL, NULL), 2 × standin only, one extra (2, 'event 2').
    assert_eq!((log.inserted, log.deleted), (5, 3), "{}", s.render());
    assert_eq!(log.main_rows, 203);
}

/// Tables big enough for many hash buckets, with changes spread over all of them: only the
/// differing buckets are listed, every kind of key and a keyless table converge, and columns
/// whose type differs between the sides compare by value.
#[tokio::test]
async fn spread_changes_over_many_buckets() {
    let ddl = |int: &str, text: &str| {
        format!(
            "CREATE TABLE big (id bigint PRIMARY KEY, n {int}, label {text}, amount numeric, at timestamptz, doc jsonb);
             CREATE TABLE by_uuid (id uuid PRIMARY KEY, v text);
             CREATE TABLE pairs (a int, b text, v float8, PRIMARY KEY (a, b));
             CREATE TABLE heap (x int, y text);"
        )
    };
    let rows = "
        INSERT INTO big SELECT i, i % 97, 'label ' || i, i / 8.0, '2024-01-01'::timestamptz + i * interval '1 minute', jsonb_build_object('i', i)
          FROM generate_series(1, 20000) AS i;
        INSERT INTO by_uuid SELECT md5(i::text)::uuid, 'v' || i FROM generate_series(1, 5000) AS i;
        INSERT INTO pairs SELECT i / 3, 'b' || (i % 3), i * 0.5 FROM generate_series(1, 6000) AS i;
        INSERT INTO heap SELECT i % 100, 'y' || (i % 7) FROM generate_series(1, 6000) AS i;";
    let changes = "
        UPDATE big SET label = label || '!' WHERE id % 97 = 3;
        UPDATE big SET amount = amount + 1 WHERE id % 211 = 5;
        DELETE FROM big WHERE id % 501 = 7;
        INSERT INTO big SELECT i, 0, 'standin only', 0, now(), '{}' FROM generate_series(30001, 30040) AS i;
        UPDATE by_uuid SET v = v || '?' WHERE v LIKE '%7';
        DELETE FROM pairs WHERE a % 50 = 1;
        UPDATE pairs SET v = -v WHERE a % 40 = 2;
        DELETE FROM heap WHERE ctid IN (SELECT ctid FROM heap WHERE x % 30 = 4 LIMIT 50);
        INSERT INTO heap SELECT 1000, 'standin only' FROM generate_series(1, 20);";
    let p = pair(
        "buckets",
        &format!("{} {rows} ANALYZE;", ddl("int", "text")),
        &format!("{} {rows} {changes} ANALYZE;", ddl("bigint", "varchar(40)")),
    )
    .await;
    let s = p
        .converge_with(&["big", "by_uuid", "pairs", "heap"], 1000)
        .await;
    let big = row(&s, "public.big");
    let gone = |id: u64| id % 501 == 7;
    let updated = (1..=20000u64)
        .filter(|&id| (id % 97 == 3 || id % 211 == 5) && !gone(id))
        .count() as u64;
    let missing = (1..=20000u64).filter(|&id| gone(id)).count() as u64;
    assert_eq!(
        (big.inserted, big.updated, big.deleted),
        (missing, updated, 40),
        "{}",
        s.render()
    );
    assert!(
        big.chunks_total >= 1024 && big.chunks_skipped > big.chunks_total / 2,
        "most buckets of big should be equal: {}",
        s.render()
    );
    assert!(big.chunks_skipped < big.chunks_total);
    assert_eq!(row(&s, "public.by_uuid").updated, 500);
    let pairs = row(&s, "public.pairs");
    assert_eq!(
        (pairs.inserted, pairs.updated),
        (120, 150),
        "{}",
        s.render()
    );
    let heap = row(&s, "public.heap");
    assert_eq!((heap.inserted, heap.deleted), (50, 20), "{}", s.render());
}

#[tokio::test]
async fn generated_identity_and_unique_keys() {
    let ddl = GEN_DDL;
    let p = pair(
        "gen",
        &format!(
            "{ddl}
             INSERT INTO gen (qty, price) SELECT i, i * 0.5 FROM generate_series(1, 30) i;
             DELETE FROM gen WHERE id = 3;
             INSERT INTO by_default (v) SELECT 'v' || i FROM generate_series(1, 20) i;
             INSERT INTO uniq SELECT 'c' || i, i, 'v' FROM generate_series(1, 20) i;"
        ),
        &format!(
            "{ddl}
             INSERT INTO gen (qty, price) SELECT i, i * 0.5 FROM generate_series(1, 25) i;
             UPDATE gen SET qty = 0 WHERE id = 10;
             INSERT INTO by_default (v) SELECT 'old' || i FROM generate_series(1, 5) i;
             INSERT INTO uniq SELECT 'c' || i, i, 'old' FROM generate_series(5, 25) i;"
        ),
    )
    .await;
    let s = p.converge(&["gen", "by_default", "uniq"]).await;
    let gen = row(&s, "public.gen");
    assert_eq!(
        (gen.inserted, gen.updated, gen.deleted),
        (5, 1, 1),
        "{}",
        s.render()
    );
    assert_eq!(row(&s, "public.uniq").key, "unique uniq_code_key (code)");
    // Sequences follow main: the next identity value on the standin is main's.
    assert_eq!(next_id(&p.main, "by_default").await, 21);
    assert_eq!(next_id(&p.standin, "by_default").await, 21);
    assert_eq!(next_id(&p.standin, "gen").await, 31);
}

#[tokio::test]
async fn foreign_keys_chains_self_references_and_cycles() {
    let ddl = FK_DDL;
    let main_rows = FK_MAIN_ROWS;
    // The standin holds rows main deleted (referenced by rows also deleted), and lacks rows
    // main added (referencing rows also added), so only FK-aware ordering succeeds.
    let standin_rows = FK_STANDIN_ROWS;
    let p = pair(
        "fk",
        &format!("{ddl}{main_rows}"),
        &format!("{ddl}{standin_rows}"),
    )
    .await;
    p.converge(&["customers", "orders", "items", "tree", "a", "b", "c", "d"])
        .await;
}

async fn next_id(c: &tokio_postgres::Client, table: &str) -> i64 {
    c.query_one(
        "SELECT nextval(pg_get_serial_sequence($1, 'id'))",
        &[&table],
    )
    .await
    .unwrap()
    .get(0)
}

#[tokio::test]
async fn dry_run_and_diff_change_nothing() {
    let p = pair(
        "dry",
        &format!("{SIMPLE} INSERT INTO items SELECT i, 'n' || i, i, NULL FROM generate_series(1, 30) i;
                  INSERT INTO empty_here VALUES (1, 'x');"),
        &format!("{SIMPLE} INSERT INTO items SELECT i, 'o' || i, i, NULL FROM generate_series(10, 40) i;"),
    )
    .await;
    let before = (
        checksum(&p.standin, "items").await,
        checksum(&p.standin, "empty_here").await,
    );
    let s = p
        .sync_with(Options {
            dry_run: true,
            chunk_size: 5,
            ..Options::default()
        })
        .await;
    assert!(s.dry_run);
    let items = row(&s, "public.items");
    assert_eq!(
        (items.inserted, items.updated, items.deleted),
        (9, 21, 10),
        "{}",
        s.render()
    );
    assert_eq!(row(&s, "public.empty_here").inserted, 1);
    let after = (
        checksum(&p.standin, "items").await,
        checksum(&p.standin, "empty_here").await,
    );
    assert_eq!(before, after, "a dry run wrote to the standin");

    // The CLI: `diff --json` reports the same counts and writes nothing.
    let out = std::process::Command::new(support::pgsyncer_bin())
        .args([
            "diff",
            "--json",
            "--show-keys",
            "3",
            "--chunk-size",
            "5",
            "--maindsn",
            &p.main_url,
            "--standindsn",
            &p.standin_url,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "public.items")
        .unwrap();
    assert_eq!(
        (
            items["inserted"].as_u64(),
            items["updated"].as_u64(),
            items["deleted"].as_u64()
        ),
        (Some(9), Some(21), Some(10))
    );
    // --show-keys 3: three keys of each kind, each one of that kind's.
    assert_eq!(items["keys"]["columns"], serde_json::json!(["id"]));
    for (kind, ids) in [
        ("inserted", 1..=9),
        ("updated", 10..=30),
        ("deleted", 31..=40),
    ] {
        let keys: Vec<String> = items["keys"][kind]
            .as_array()
            .unwrap_or_else(|| panic!("no {kind} keys: {items}"))
            .iter()
            .map(|k| k[0].as_str().unwrap().to_string())
            .collect();
        let expected: Vec<String> = ids.map(|i| i.to_string()).collect();
        assert_eq!(keys.len(), 3, "{kind}: {keys:?}");
        assert!(
            keys.iter().all(|k| expected.contains(k)),
            "{kind}: {keys:?}"
        );
    }
    let copied = json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "public.empty_here")
        .unwrap();
    assert!(copied.get("keys").is_none(), "{copied}");
    assert_eq!(before.0, checksum(&p.standin, "items").await);

    // `diff --check`: status 3 while rows differ, 0 once they match.
    let diff_check = || {
        std::process::Command::new(support::pgsyncer_bin())
            .args([
                "diff",
                "--check",
                "--maindsn",
                &p.main_url,
                "--standindsn",
                &p.standin_url,
            ])
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(diff_check(), Some(3));
    p.sync(5).await;
    assert_eq!(diff_check(), Some(0));
}

#[tokio::test]
async fn include_exclude_and_clean_extra() {
    let ddl = "CREATE TABLE keep_a (id int PRIMARY KEY); CREATE TABLE keep_b (id int PRIMARY KEY); CREATE TABLE skip_me (id int PRIMARY KEY);";
    let p = pair(
        "filter",
        &format!("{ddl} INSERT INTO keep_a VALUES (1); INSERT INTO keep_b VALUES (2); INSERT INTO skip_me VALUES (3);"),
        &format!("{ddl} CREATE TABLE standin_only (x int); CREATE TABLE skip_extra (x int);"),
    )
    .await;
    let s = p
        .sync_with(Options {
            filter: TableFilter::new(
                &["public.keep_*".into(), "standin_only".into()],
                &["*_b".into()],
            ),
            clean_extra: true,
            ..Options::default()
        })
        .await;
    let names: Vec<&str> = s.tables.iter().map(|t| t.table.as_str()).collect();
    assert_eq!(names, ["public.keep_a"]);
    assert_eq!(s.dropped, ["public.standin_only"]);
    assert!(!exists(&p.standin, "public.standin_only").await);
    assert!(exists(&p.standin, "public.skip_extra").await);
    assert_eq!(checksum(&p.standin, "keep_b").await.0, 0);
    assert_eq!(checksum(&p.standin, "skip_me").await.0, 0);
    assert_eq!(checksum(&p.standin, "keep_a").await.0, 1);
}

#[tokio::test]
async fn interrupted_sync_leaves_the_table_unchanged_and_a_rerun_converges() {
    let ddl = "CREATE TABLE big (id int PRIMARY KEY, v text, n numeric);";
    let p = pair(
        "interrupt",
        &format!(
            "{ddl} INSERT INTO big SELECT i, md5(i::text), i FROM generate_series(1, 60000) i;"
        ),
        &format!("{ddl} INSERT INTO big SELECT i, 'old', -i FROM generate_series(1, 60000, 2) i;"),
    )
    .await;
    let before = checksum(&p.standin, "big").await;
    let mut child = std::process::Command::new(support::pgsyncer_bin())
        .args([
            "--sync-schema=false",
            "--chunk-size",
            "500",
            "--maindsn",
            &p.main_url,
            "--standindsn",
            &p.standin_url,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until pgsyncer's standin session is writing the table itself (it holds a
    // ROW EXCLUSIVE lock on it, kept until commit), then kill that backend.
    let killer = support::raw_client(&p.standin_url).await;
    let started = std::time::Instant::now();
    let mut killed = false;
    for _ in 0..3000 {
        let rows = killer
            .query(
                "SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a
                 WHERE a.datname = current_database() AND a.application_name = 'pgsyncer'
                   AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid
                               AND l.relation = 'big'::regclass AND l.mode = 'RowExclusiveLock')",
                &[],
            )
            .await
            .unwrap();
        if !rows.is_empty() {
            killed = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let output = child.wait_with_output().unwrap();
    eprintln!("killed after {:?}", started.elapsed());
    assert!(killed, "never caught pgsyncer mid-table");
    assert!(
        !output.status.success(),
        "sync should fail when its backend is killed"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("public.big"),
        "error should name the table: {stderr}"
    );
    assert_eq!(
        checksum(&p.standin, "big").await,
        before,
        "table changed by an interrupted sync"
    );
    let s = p.converge_with(&["big"], 5000).await;
    let big = row(&s, "public.big");
    assert_eq!((big.inserted, big.updated, big.deleted), (30000, 30000, 0));
}

async fn exists(c: &tokio_postgres::Client, table: &str) -> bool {
    c.query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn empty_table_load_rebuilds_its_indexes() {
    let ddl = "
        CREATE TABLE big (id int PRIMARY KEY, code text NOT NULL, v int, CONSTRAINT big_code_key UNIQUE (code));
        CREATE INDEX big_v_idx ON big (v) WHERE v > 10;
        CREATE INDEX big_commented ON big (v, id);
        COMMENT ON INDEX big_commented IS 'kept';
        CREATE TABLE referenced (id int PRIMARY KEY, n int);
        CREATE INDEX referenced_n ON referenced (n);
        CREATE TABLE child (id int PRIMARY KEY, r int REFERENCES referenced);";
    let indexes = "SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'";
    let p = pair(
        "indexes",
        &format!(
            "{ddl}
             INSERT INTO big SELECT i, 'c' || i, i % 100 FROM generate_series(1, 60000) i;
             INSERT INTO referenced SELECT i, i FROM generate_series(1, 60000) i;
             INSERT INTO child SELECT i, i FROM generate_series(1, 100) i;
             ANALYZE;"
        ),
        ddl,
    )
    .await;
    let before: String = p.standin.query_one(indexes, &[]).await.unwrap().get(0);
    let oids = "SELECT ARRAY['big_v_idx'::regclass::oid::int8, 'big_pkey'::regclass::oid::int8, 'referenced_pkey'::regclass::oid::int8, 'big_commented'::regclass::oid::int8]";
    let oids_before: Vec<i64> = p.standin.query_one(oids, &[]).await.unwrap().get(0);
    let s = p
        .converge_with(&["big", "referenced", "child"], 10_000)
        .await;
    let oids_after: Vec<i64> = p.standin.query_one(oids, &[]).await.unwrap().get(0);
    assert_ne!(oids_before[0], oids_after[0], "big_v_idx was not rebuilt");
    assert_ne!(oids_before[1], oids_after[1], "big_pkey was not rebuilt");
    assert_eq!(
        oids_before[2], oids_after[2],
        "a referenced primary key must stay"
    );
    assert_eq!(oids_before[3], oids_after[3], "a commented index must stay");
    assert_eq!(row(&s, "public.big").mode, "copy");
    let after: String = p.standin.query_one(indexes, &[]).await.unwrap().get(0);
    assert_eq!(before, after);
    let comment: Option<String> = p
        .standin
        .query_one(
            "SELECT obj_description('big_commented'::regclass, 'pg_class')",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(comment.as_deref(), Some("kept"));
}

#[tokio::test]
async fn a_cycle_that_cannot_be_deferred_is_named() {
    let role = format!("limited_{}", std::process::id());
    let ddl = "
        CREATE TABLE a (id int PRIMARY KEY, b_id int);
        CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);
        ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;";
    let p = pair(
        "cycle",
        &format!("{ddl} INSERT INTO a VALUES (1, NULL); INSERT INTO b VALUES (1, 1); UPDATE a SET b_id = 1;"),
        &format!(
            "CREATE ROLE {role} LOGIN PASSWORD 'pw';
             GRANT CREATE, USAGE ON SCHEMA public TO {role};
             SET ROLE {role};
             {ddl}
             RESET ROLE;"
        ),
    )
    .await;
    let standin_url = p
        .standin_url
        .replacen("postgres:sandbox-pw@", &format!("{role}:pw@"), 1);
    let main = Endpoint::parse(Side::Main, &p.main_url, Duration::from_secs(10)).unwrap();
    let standin = Endpoint::parse(Side::Standin, &standin_url, Duration::from_secs(10)).unwrap();
    let s = sync_data(&main, &standin, &Options::default())
        .await
        .expect("sync runs");
    let errors: Vec<String> = s.failures().filter_map(|t| t.error.clone()).collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("public.a -> public.b -> public.a") && e.contains("DEFERRABLE")),
        "{errors:?}"
    );
    assert_eq!(checksum(&p.standin, "a").await.0, 0, "nothing written");
}

#[tokio::test]
async fn a_held_lock_stops_the_sync_after_lock_timeout_and_changes_nothing() {
    let p = pair(
        "lock",
        &format!("{SIMPLE} INSERT INTO items SELECT i, 'n' || i, i, NULL FROM generate_series(1, 30) i;"),
        &format!("{SIMPLE} INSERT INTO items SELECT i, 'o' || i, i, NULL FROM generate_series(10, 40) i;"),
    )
    .await;
    let before = checksum(&p.standin, "items").await;
    // Another session holds the table, as an ALTER TABLE queued behind a long query would.
    let holder = support::raw_client(&p.standin_url).await;
    holder
        .batch_execute("BEGIN; LOCK TABLE items IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    // Killed after 30 s: a sync that ignored --lock-timeout would wait for the holder forever.
    let sync = |lock_timeout: &str| {
        let mut child = std::process::Command::new(support::pgsyncer_bin())
            .args([
                "sync",
                "--sync-schema=false",
                "--lock-timeout",
                lock_timeout,
                "--maindsn",
                &p.main_url,
                "--standindsn",
                &p.standin_url,
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                child.kill().unwrap();
                panic!("sync still waiting for the lock after 30 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        child.wait_with_output().unwrap()
    };
    let started = std::time::Instant::now();
    let out = sync("1");
    let waited = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("public.items"), "{stderr}");
    assert!(stderr.contains("lock timeout"), "{stderr}");
    assert!(stderr.contains("--lock-timeout"), "{stderr}");
    // One second of waiting, not the holder's whole transaction.
    assert!(waited < Duration::from_secs(20), "waited {waited:?}");
    holder.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(before, checksum(&p.standin, "items").await);
    // The table nobody held was synced in its own transaction.
    p.assert_same(&["empty_here"]).await;

    // Released: the same command converges.
    let out = sync("1");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    p.assert_same(&["items", "empty_here"]).await;
}

/// A table main's statistics show unwritten since its last sync is first compared by one sum
/// over the whole table on each side. The hint never hides a difference: rows changed on the
/// standin behind pgsyncer's back, which main's statistics cannot see, are still found.
#[tokio::test]
async fn unwritten_tables_are_settled_by_table_sums_and_standin_edits_still_found() {
    let p = pair(
        "activity",
        &format!("{SIMPLE} INSERT INTO items SELECT i, 'n' || i, i, NULL FROM generate_series(1, 500) i;
                  CREATE TABLE bag (v text); INSERT INTO bag SELECT 'b' || i % 40 FROM generate_series(1, 300) i;"),
        &format!("{SIMPLE} INSERT INTO items SELECT i, 'o' || i, i, NULL FROM generate_series(100, 600) i;
                  CREATE TABLE bag (v text); INSERT INTO bag VALUES ('x');"),
    )
    .await;
    // Wait until main's loads are counted, so the first sync records the counts the later
    // ones will read.
    p.wait_for_main_count(
        "SELECT coalesce(sum(n_tup_ins), 0)::int8 FROM pg_stat_user_tables WHERE relname IN ('items', 'bag')",
        800,
    )
    .await;
    let first = p.sync(50).await;
    assert!(
        first.tables.iter().all(|t| !t.by_totals),
        "{}",
        first.render()
    );
    p.assert_same(&["items", "bag"]).await;
    let recorded: i64 = p
        .standin
        .query_one("SELECT count(*) FROM pgsyncer.main_activity WHERE table_name IN ('items', 'bag', 'empty_here')", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(recorded, 3);

    // Main untouched: settled by the table sums, keyed and keyless alike.
    let second = p.sync(50).await;
    assert_eq!(second.total_changes(), 0, "{}", second.render());
    for t in ["public.items", "public.bag"] {
        assert!(row(&second, t).by_totals, "{t}:\n{}", second.render());
    }
    assert!(second.render().contains("table sums equal"));

    // Edits on the standin only: main's statistics still say unwritten, the sums differ, and
    // the buckets find every row.
    p.standin
        .batch_execute(
            "UPDATE items SET name = 'edited' WHERE id = 7; DELETE FROM items WHERE id = 8;
             INSERT INTO items VALUES (9999, 'extra', 1, NULL); INSERT INTO bag VALUES ('b1');",
        )
        .await
        .unwrap();
    let third = p.sync(50).await;
    let items = row(&third, "public.items");
    assert!(!items.by_totals, "{}", third.render());
    assert_eq!(
        (items.inserted, items.updated, items.deleted),
        (1, 1, 1),
        "{}",
        third.render()
    );
    assert_eq!(row(&third, "public.bag").deleted, 1, "{}", third.render());
    p.assert_same(&["items", "bag"]).await;

    // Written on main: found whether or not its statistics were flushed yet.
    p.main
        .batch_execute("UPDATE items SET price = price + 1 WHERE id <= 10")
        .await
        .unwrap();
    let fourth = p.sync(50).await;
    assert_eq!(
        row(&fourth, "public.items").updated,
        10,
        "{}",
        fourth.render()
    );
    p.assert_same(&["items", "bag"]).await;
}
