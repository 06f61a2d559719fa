//! What a sync did (or, with `--dry-run` / `diff`, would do), per table: printed as a table
//! on stdout or as JSON with `--json`.

use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TableSummary {
    pub table: String,
    /// `primary key (id)`, `unique <index> (cols)` or `whole row`.
    pub key: String,
    /// How the rows were moved: `copy` (empty standin table), `compare`, or a later mode.
    pub mode: String,
    pub main_rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub deleted: u64,
    /// Key ranges (buckets) whose checksums were equal on both sides, so their rows were
    /// not read; of `chunks_total` compared.
    pub chunks_skipped: u64,
    pub chunks_total: u64,
    pub seconds: f64,
    /// Set when the table failed; its changes were rolled back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Main's statistics showed no write since the last sync and the sums over the whole
    /// table were equal on both sides: no bucket was compared.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub by_totals: bool,
    /// With `--show-keys N`: the first N keys of each kind of change.
    #[serde(skip_serializing_if = "KeySamples::is_empty")]
    pub keys: KeySamples,
}

impl TableSummary {
    pub fn changes(&self) -> u64 {
        self.inserted + self.updated + self.deleted
    }
}

/// Keys of changed rows (`--show-keys`): the first few of each kind, in the order the
/// comparison met them (key-hash order, not key order), each as its columns' text values.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct KeySamples {
    /// At most this many of each kind are kept.
    #[serde(skip)]
    pub limit: usize,
    /// The key's columns, naming each key's values.
    pub columns: Vec<String>,
    pub inserted: Vec<Vec<String>>,
    pub updated: Vec<Vec<String>>,
    pub deleted: Vec<Vec<String>>,
}

impl KeySamples {
    pub fn new(limit: usize, columns: Vec<String>) -> KeySamples {
        KeySamples {
            limit,
            columns,
            ..KeySamples::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.inserted.is_empty() && self.updated.is_empty() && self.deleted.is_empty()
    }

    /// Keep `key` as an example of `kind` unless enough are kept.
    pub fn note(&mut self, kind: Change, key: &[String]) {
        let list = match kind {
            Change::Inserted => &mut self.inserted,
            Change::Updated => &mut self.updated,
            Change::Deleted => &mut self.deleted,
        };
        if list.len() < self.limit {
            list.push(key.to_vec());
        }
    }

    /// Add `other`'s keys (another pass over the same table) to these, up to the limit.
    pub fn absorb(&mut self, other: KeySamples) {
        if self.columns.is_empty() {
            self.columns = other.columns;
        }
        self.limit = self.limit.max(other.limit);
        for (kind, keys) in [
            (Change::Inserted, other.inserted),
            (Change::Updated, other.updated),
            (Change::Deleted, other.deleted),
        ] {
            for key in keys {
                self.note(kind, &key);
            }
        }
    }

    /// `(id): inserted (9): 1, 4, …; deleted (1): 7`, given the table's counts.
    fn render(&self, counts: [u64; 3]) -> String {
        let kinds = [
            ("inserted", &self.inserted),
            ("updated", &self.updated),
            ("deleted", &self.deleted),
        ];
        let lists = kinds
            .iter()
            .zip(counts)
            .filter(|((_, keys), _)| !keys.is_empty())
            .map(|((name, keys), count)| {
                let more = if count > keys.len() as u64 {
                    ", …"
                } else {
                    ""
                };
                let shown: Vec<String> = keys.iter().map(|k| key_text(k)).collect();
                format!("{name} ({count}): {}{more}", shown.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ");
        format!("({}): {lists}", self.columns.join(", "))
    }
}

/// The mode of a table a stopped run never reached.
pub const NOT_STARTED: &str = "not started";

/// `differing/compared` key ranges (buckets whose checksums differ, of those compared).
fn ranges_text(equal: u64, total: u64) -> String {
    if total == 0 {
        return "-".to_string();
    }
    format!("{}/{total}", total.saturating_sub(equal))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Inserted,
    Updated,
    Deleted,
}

/// `10`, or `(1, 3)` for a key of several columns; a value that is not a plain word or
/// number is quoted as an SQL literal, so spaces, commas and quotes in it stay readable.
fn key_text(key: &[String]) -> String {
    let value = |v: &String| {
        let plain = !v.is_empty()
            && v.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '+'));
        if plain {
            v.clone()
        } else {
            crate::quote::literal(v)
        }
    };
    match key {
        [single] => value(single),
        _ => format!("({})", key.iter().map(value).collect::<Vec<_>>().join(", ")),
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub dry_run: bool,
    pub tables: Vec<TableSummary>,
    /// Tables main has that the standin lacks (not synced).
    pub missing_in_standin: Vec<String>,
    /// Standin-only tables dropped by `--clean-extra` (or that would be, in a dry run).
    pub dropped: Vec<String>,
    /// Sequences set (or that differ, in a dry run).
    pub sequences_set: u64,
    pub seconds: f64,
    /// Lines a mode adds below the table (e.g. the watermark recorded by `--use-updated-at`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Summary {
    /// Inserted + updated + deleted rows over every table.
    pub fn total_changes(&self) -> u64 {
        self.tables.iter().map(TableSummary::changes).sum()
    }

    pub fn failures(&self) -> impl Iterator<Item = &TableSummary> {
        self.tables.iter().filter(|t| t.error.is_some())
    }

    /// Tables a stopped run never reached (mode [`NOT_STARTED`]).
    pub fn not_started(&self) -> impl Iterator<Item = &TableSummary> {
        self.tables.iter().filter(|t| t.mode == NOT_STARTED)
    }

    /// Each failed table with its error, one after the other, indented: what the run's
    /// error says, the one place a table's error is shown in text.
    pub fn failure_report(&self) -> String {
        self.failures()
            .map(|t| {
                let error = t.error.as_deref().unwrap_or_default();
                let text = if error.starts_with("table ") {
                    error.to_string()
                } else {
                    format!("table {}: {error}", t.table)
                };
                format!("  {}", text.replace('\n', "\n  "))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// `3 of 5 tables synced, 1 failed (public.t), 1 not started`, for a stopped run.
    pub fn progress(&self) -> String {
        let failed: Vec<&str> = self.failures().map(|t| t.table.as_str()).collect();
        let not_started = self.not_started().count();
        let done = self.tables.len() - failed.len() - not_started;
        let verb = if self.dry_run { "compared" } else { "synced" };
        let mut text = format!("{done} of {} tables {verb}", self.tables.len());
        if !failed.is_empty() {
            text.push_str(&format!(
                ", {} failed ({})",
                failed.len(),
                failed.join(", ")
            ));
        }
        if not_started > 0 {
            text.push_str(&format!(", {not_started} not started"));
        }
        text
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_string())
    }

    /// A plain-text table for a terminal or a log.
    pub fn render(&self) -> String {
        let header = [
            "table",
            "key",
            "mode",
            "main rows",
            "inserted",
            "updated",
            "deleted",
            "key ranges differing/compared",
            "seconds",
        ];
        let mut rows: Vec<Vec<String>> = self
            .tables
            .iter()
            .map(|t| {
                vec![
                    t.table.clone(),
                    t.key.clone(),
                    if t.error.is_some() {
                        "FAILED".to_string()
                    } else {
                        t.mode.clone()
                    },
                    t.main_rows.to_string(),
                    t.inserted.to_string(),
                    t.updated.to_string(),
                    t.deleted.to_string(),
                    if t.by_totals {
                        "table sums equal".to_string()
                    } else if t.chunks_total == 0 {
                        "-".to_string()
                    } else {
                        ranges_text(t.chunks_skipped, t.chunks_total)
                    },
                    format!("{:.2}", t.seconds),
                ]
            })
            .collect();
        rows.push(vec![
            "total".to_string(),
            String::new(),
            String::new(),
            self.tables
                .iter()
                .map(|t| t.main_rows)
                .sum::<u64>()
                .to_string(),
            self.tables
                .iter()
                .map(|t| t.inserted)
                .sum::<u64>()
                .to_string(),
            self.tables
                .iter()
                .map(|t| t.updated)
                .sum::<u64>()
                .to_string(),
            self.tables
                .iter()
                .map(|t| t.deleted)
                .sum::<u64>()
                .to_string(),
            {
                let (s, n) = self.tables.iter().fold((0, 0), |(s, n), t| {
                    (s + t.chunks_skipped, n + t.chunks_total)
                });
                ranges_text(s, n)
            },
            format!("{:.2}", self.seconds),
        ]);
        let widths: Vec<usize> = (0..header.len())
            .map(|i| {
                rows.iter()
                    .map(|r| r[i].chars().count())
                    .chain([header[i].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let numeric = |i: usize| i >= 3;
        let line = |cells: Vec<&str>| -> String {
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if numeric(i) {
                        format!("{c:>w$}", w = widths[i])
                    } else {
                        format!("{c:<w$}", w = widths[i])
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        };
        let mut out = String::new();
        out.push_str(&line(header.to_vec()));
        out.push('\n');
        out.push_str(&line(
            widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
                .collect(),
        ));
        out.push('\n');
        let last = rows.len() - 1;
        for (i, r) in rows.iter().enumerate() {
            if i == last {
                out.push_str(&line(
                    widths
                        .iter()
                        .map(|w| "-".repeat(*w))
                        .collect::<Vec<_>>()
                        .iter()
                        .map(String::as_str)
                        .collect(),
                ));
                out.push('\n');
            }
            out.push_str(&line(r.iter().map(String::as_str).collect()));
            out.push('\n');
        }
        if self.sequences_set > 0 {
            let verb = if self.dry_run {
                "differ"
            } else {
                "set to main's values"
            };
            out.push_str(&format!("sequences {verb}: {}\n", self.sequences_set));
        }
        for t in &self.missing_in_standin {
            out.push_str(&format!("not in the standin (skipped): {t}\n"));
        }
        for t in &self.dropped {
            let verb = if self.dry_run {
                "would drop"
            } else {
                "dropped"
            };
            out.push_str(&format!("{verb} standin-only table: {t}\n"));
        }
        // The error itself is reported once, on stderr, by the caller (`failure_report`).
        for t in self.failures() {
            out.push_str(&format!("FAILED (rolled back): {}\n", t.table));
        }
        for t in self.not_started() {
            out.push_str(&format!("not started: {}\n", t.table));
        }
        for t in self.tables.iter().filter(|t| !t.keys.is_empty()) {
            out.push_str(&format!(
                "keys in {} {}\n",
                t.table,
                t.keys.render([t.inserted, t.updated, t.deleted])
            ));
        }
        for note in &self.notes {
            out.push_str(note);
            out.push('\n');
        }
        if self.dry_run {
            out.push_str("dry run: nothing was written\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_table() {
        let s = Summary {
            dry_run: false,
            tables: vec![
                TableSummary {
                    table: "public.orders".into(),
                    key: "primary key (id)".into(),
                    mode: "compare".into(),
                    main_rows: 100000,
                    inserted: 500,
                    updated: 1000,
                    deleted: 10,
                    chunks_skipped: 2,
                    chunks_total: 10,
                    seconds: 1.234,
                    error: None,
                    by_totals: false,
                    keys: KeySamples {
                        limit: 2,
                        columns: vec!["id".into()],
                        inserted: vec![vec!["100001".into()], vec!["100007".into()]],
                        updated: Vec::new(),
                        deleted: vec![vec!["12".into()]],
                    },
                },
                TableSummary {
                    table: "public.customers".into(),
                    key: "primary key (id)".into(),
                    mode: "compare".into(),
                    main_rows: 20000,
                    chunks_skipped: 4096,
                    chunks_total: 4096,
                    seconds: 0.2,
                    by_totals: true,
                    ..Default::default()
                },
                TableSummary {
                    table: "public.audit_log".into(),
                    key: "whole row".into(),
                    mode: "copy".into(),
                    main_rows: 50,
                    inserted: 50,
                    seconds: 0.1,
                    ..Default::default()
                },
            ],
            sequences_set: 2,
            seconds: 1.5,
            ..Default::default()
        };
        insta::assert_snapshot!(s.render());
        assert_eq!(s.total_changes(), 1560);
    }

    #[test]
    fn a_stopped_run_names_each_table_once() {
        let s = Summary {
            tables: vec![
                TableSummary {
                    table: "public.a".into(),
                    mode: "compare".into(),
                    ..Default::default()
                },
                TableSummary {
                    table: "public.\"B\"".into(),
                    mode: "failed".into(),
                    error: Some(
                        "table public.\"B\": standin: COPY …: FATAL: terminating\n  detail: d"
                            .into(),
                    ),
                    ..Default::default()
                },
                TableSummary {
                    table: "public.c".into(),
                    mode: NOT_STARTED.into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        assert_eq!(
            s.progress(),
            "1 of 3 tables synced, 1 failed (public.\"B\"), 1 not started"
        );
        assert_eq!(
            s.failure_report(),
            "  table public.\"B\": standin: COPY …: FATAL: terminating\n    detail: d"
        );
        let text = s.render();
        assert_eq!(text.matches("public.\"B\"").count(), 2, "{text}");
        assert!(!text.contains("FATAL"), "{text}");
        assert!(text.contains("not started: public.c"), "{text}");
    }

    #[test]
    fn key_samples() {
        let mut k = KeySamples::new(2, vec!["id".into()]);
        for id in ["1", "2", "3"] {
            k.note(Change::Inserted, &[id.to_string()]);
        }
        assert_eq!(k.inserted, [["1"], ["2"]]);
        assert_eq!(k.render([3, 0, 0]), "(id): inserted (3): 1, 2, …");
        let mut k = KeySamples::new(5, vec!["account_id".into(), "name".into()]);
        k.note(
            Change::Deleted,
            &["7".to_string(), "O'Brien, Pat".to_string()],
        );
        assert!(k.updated.is_empty() && !k.is_empty());
        assert_eq!(
            k.render([0, 0, 1]),
            "(account_id, name): deleted (1): (7, 'O''Brien, Pat')"
        );
        assert!(KeySamples::new(5, Vec::new()).is_empty());
    }
}
