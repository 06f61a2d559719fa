//! Issue 12, item 6: values a type or collation calls equal but whose text differs (citext
//! `'ABC'`/`'abc'`, a nondeterministic ICU collation, numeric `1.0`/`1.00`, float8 `-0`/`0`)
//! converge to main's text, in keys (single and composite with an int, primary or deferrable
//! unique, with and without other columns, referenced by foreign keys) and in other columns,
//! in every mode: the standin ends byte-equal to main and a second run changes nothing.
//! Main's `'ABC'`, written over the standin's `'abc'`, is not deleted with it.

use pgsyncer::data::fdw::FdwOptions;
use pgsyncer::data::incremental::IncrementalOptions;
use pgsyncer::data::{Options, Summary};

use crate::support::data_pair::{pair, Pair};

/// One type of the class: its SQL, the two spellings of one value (main's, the standin's),
/// the same for a non-key value, and four other keys.
struct Kind {
    name: &'static str,
    ty: &'static str,
    key: (&'static str, &'static str),
    value: (&'static str, &'static str),
    others: [&'static str; 4],
}

const KINDS: [Kind; 4] = [
    Kind {
        name: "citext",
        ty: "citext",
        key: ("ABC", "abc"),
        value: ("NOTE", "note"),
        others: ["Keep", "Upd", "MainOnly", "StandinOnly"],
    },
    Kind {
        name: "ci",
        ty: "text COLLATE ci",
        key: ("ABC", "abc"),
        value: ("NOTE", "note"),
        others: ["Keep", "Upd", "MainOnly", "StandinOnly"],
    },
    Kind {
        name: "numeric",
        ty: "numeric",
        key: ("1.0", "1.00"),
        value: ("2.5", "2.50"),
        others: ["10", "20", "30", "40"],
    },
    Kind {
        name: "float",
        ty: "float8",
        key: ("-0", "0"),
        value: ("-0", "0"),
        others: ["10", "20", "30", "40"],
    },
];

/// The `updated_at` of rows main did not change since the last sync, alike on both sides.
const OLD: &str = "'2001-01-01 00:00:00+00'";

const PRELUDE: &str = "CREATE EXTENSION citext;
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
";

fn lit(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}

/// Tables of one kind: `s_` single key, `c_` composite key (kind, int), `d_` deferrable
/// unique key (no ON CONFLICT arbiter), `o_` key only.
fn ddl(k: &Kind) -> String {
    let (n, ty) = (k.name, k.ty);
    format!(
        "CREATE TABLE s_{n} (k {ty} PRIMARY KEY, v {ty}, note text, updated_at timestamptz NOT NULL);
CREATE TABLE c_{n} (k {ty}, i int, v {ty}, note text, updated_at timestamptz NOT NULL, PRIMARY KEY (k, i));
CREATE TABLE d_{n} (k {ty} NOT NULL, v {ty}, note text, updated_at timestamptz NOT NULL,
                    CONSTRAINT d_{n}_k UNIQUE (k) DEFERRABLE);
CREATE TABLE o_{n} (k {ty} PRIMARY KEY);
"
    )
}

/// Rows of one side. `new`: the `updated_at` of rows main changed since the last sync.
/// Main's old rows are found by `--use-updated-at`'s key pass, its new ones by its merge.
fn rows(k: &Kind, main: bool) -> String {
    let n = k.name;
    let pick = |(m, s): (&str, &str)| lit(if main { m } else { s });
    let (key, value) = (pick(k.key), pick(k.value));
    let [keep, upd, main_only, standin_only] = k.others.map(lit);
    let (old, new) = (OLD, "now()");
    let vm = lit(k.value.0);
    let mut out = String::new();
    for (table, cols) in [("s", "k"), ("d", "k"), ("c", "k, i")] {
        let i = if cols == "k" { "" } else { ", 1" };
        let mut insert = |row: String| {
            out.push_str(&format!(
                "INSERT INTO {table}_{n} ({cols}, v, note, updated_at) VALUES ({row});\n"
            ))
        };
        // Only the key's text differs: an old row on main (key pass) …
        insert(format!("{key}{i}, {vm}, 'same key', {old}"));
        if table == "c" {
            // … and a new one (merge).
            insert(format!("{key}, 2, {vm}, 'same key 2', {new}"));
        }
        // Only a non-key value's text differs.
        insert(format!("{keep}{i}, {value}, 'keep', {new}"));
        if main {
            insert(format!("{upd}{i}, {vm}, 'updated', {new}"));
            insert(format!("{main_only}{i}, {vm}, 'main only', {new}"));
        } else {
            insert(format!("{upd}{i}, {vm}, 'outdated', {old}"));
            insert(format!("{standin_only}{i}, {vm}, 'standin only', {old}"));
        }
    }
    out.push_str(&format!("INSERT INTO o_{n} VALUES ({key}), ({keep});\n"));
    if main {
        out.push_str(&format!("INSERT INTO o_{n} VALUES ({main_only});\n"));
    } else {
        out.push_str(&format!("INSERT INTO o_{n} VALUES ({standin_only});\n"));
    }
    out
}

/// Children of `s_citext`'s key: `'abc'` on the standin becomes `'ABC'` under them (NO
/// ACTION: main's `'ABC'` still provides the old value; CASCADE: the children follow, and
/// one that main spells `'abc'` gets that back).
const CHILDREN: &str = "
CREATE TABLE child (id int PRIMARY KEY, parent citext NOT NULL REFERENCES s_citext, updated_at timestamptz NOT NULL);
CREATE TABLE cascade_child (id int PRIMARY KEY, parent citext NOT NULL REFERENCES s_citext ON UPDATE CASCADE,
                            updated_at timestamptz NOT NULL);
";

fn child_rows(main: bool) -> String {
    if main {
        "INSERT INTO child VALUES (1, 'ABC', now()), (2, 'abc', '2001-01-01 00:00:00+00');
INSERT INTO cascade_child VALUES (1, 'ABC', '2001-01-01 00:00:00+00'), (2, 'abc', now());
"
    } else {
        "INSERT INTO child VALUES (1, 'abc', '2001-01-01 00:00:00+00'), (2, 'abc', '2001-01-01 00:00:00+00');
INSERT INTO cascade_child VALUES (1, 'abc', '2001-01-01 00:00:00+00'), (2, 'abc', '2001-01-01 00:00:00+00');
"
    }
    .to_string()
}

fn tables() -> Vec<String> {
    let mut out: Vec<String> = KINDS
        .iter()
        .flat_map(|k| ["s", "c", "d", "o"].map(|t| format!("{t}_{}", k.name)))
        .collect();
    out.extend(["child".to_string(), "cascade_child".to_string()]);
    out
}

async fn byte_pair(label: &str) -> Pair {
    let mut schema = PRELUDE.to_string();
    let (mut main, mut standin) = (String::new(), String::new());
    for k in &KINDS {
        schema.push_str(&ddl(k));
        main.push_str(&rows(k, true));
        standin.push_str(&rows(k, false));
    }
    schema.push_str(CHILDREN);
    main.push_str(&child_rows(true));
    standin.push_str(&child_rows(false));
    pair(
        label,
        &format!("{schema}{main} ANALYZE;"),
        &format!("{schema}{standin} ANALYZE;"),
    )
    .await
}

/// Sync twice with `options`: the standin must then hold main's text, and the second run
/// must find nothing to change.
/// `options` gets a `--last-sync-time` an hour before main's clock.
async fn converges(label: &str, options: impl Fn(&str) -> Options) -> Summary {
    let p = byte_pair(label).await;
    let names = tables();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let hour_ago: String = p
        .main
        .query_one(
            "SELECT to_char((now() - interval '1 hour') AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let options = || options(&hour_ago);
    let first = p.sync_with(options()).await;
    assert!(first.total_changes() > 0, "{}", first.render());
    p.assert_same(&names).await;
    let again = p.sync_with(options()).await;
    assert_eq!(
        again.total_changes(),
        0,
        "{label}: the second run changed rows again:\n{}",
        again.render()
    );
    p.assert_same(&names).await;
    // Main's 'ABC', written over the standin's 'abc', was not deleted with it.
    let kept: i64 = p
        .standin
        .query_one(
            "SELECT count(*) FROM s_citext WHERE k::text = 'ABC' AND note = 'same key'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(kept, 1, "{label}");
    first
}

#[tokio::test]
async fn default_mode_converges_to_mains_text() {
    converges("bytes_default", |_| Options::default()).await;
}

/// Rows stamped `now()` are changed since `last_sync_time`; those a day old are not.
fn incremental(last_sync_time: &str) -> IncrementalOptions {
    IncrementalOptions {
        column: "updated_at".into(),
        last_sync_time: Some(last_sync_time.to_string()),
        margin_seconds: 0.0,
        deletes: true,
    }
}

#[tokio::test]
async fn incremental_mode_converges_to_mains_text() {
    let first = converges("bytes_incr", |t| Options {
        incremental: Some(incremental(t)),
        ..Options::default()
    })
    .await;
    let modes: Vec<&str> = first.tables.iter().map(|t| t.mode.as_str()).collect();
    assert!(modes.contains(&"incremental"), "{}", first.render());
}

fn fdw() -> FdwOptions {
    FdwOptions {
        fetch_size: 1000,
        ..FdwOptions::default()
    }
}

#[tokio::test]
async fn fdw_mode_converges_to_mains_text() {
    converges("bytes_fdw", |_| Options {
        fdw: Some(fdw()),
        ..Options::default()
    })
    .await;
}

#[tokio::test]
async fn fdw_incremental_mode_converges_to_mains_text() {
    let first = converges("bytes_fdw_incr", |t| Options {
        fdw: Some(fdw()),
        incremental: Some(incremental(t)),
        ..Options::default()
    })
    .await;
    let modes: Vec<&str> = first.tables.iter().map(|t| t.mode.as_str()).collect();
    assert!(modes.contains(&"fdw-incremental"), "{}", first.render());
}

/// A child `ON UPDATE RESTRICT` refuses main's text over the standin's key: the group fails
/// with the server's error and nothing of it changes (no `'abc'` deleted, no row lost).
#[tokio::test]
async fn restrict_children_fail_the_group_and_lose_nothing() {
    let schema = "CREATE EXTENSION citext;
CREATE TABLE parent (k citext PRIMARY KEY);
CREATE TABLE strict_child (id int PRIMARY KEY, parent citext NOT NULL REFERENCES parent ON UPDATE RESTRICT);
";
    let p = pair(
        "bytes_restrict",
        &format!("{schema} INSERT INTO parent VALUES ('ABC'); INSERT INTO strict_child VALUES (1, 'ABC');"),
        &format!("{schema} INSERT INTO parent VALUES ('abc'); INSERT INTO strict_child VALUES (1, 'abc');"),
    )
    .await;
    let summary = p.try_sync(Options::default()).await.expect("sync runs");
    let failed: Vec<String> = summary.failures().map(|t| t.table.clone()).collect();
    assert_eq!(
        failed,
        ["public.parent", "public.strict_child"],
        "{}",
        summary.render()
    );
    // The server's error names the constraint.
    assert!(
        summary.failures().any(|t| t
            .error
            .as_deref()
            .is_some_and(|e| e.contains("strict_child_parent_fkey"))),
        "{}",
        summary.render()
    );
    for (table, want) in [("parent", "(abc)"), ("strict_child", "(1,abc)")] {
        let got: Vec<String> = p
            .standin
            .query(&format!("SELECT t::text FROM {table} t"), &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(got, [want], "{table}");
    }
}
