//! Differences read off invertible sums, for tables whose key is made of integer and uuid
//! columns only (the common `bigint` / `integer` / `uuid` primary keys and composites of
//! them), so that the keys of differing buckets need not be listed by a second scan of both
//! tables ([`crate::data::compare::keydiff`]).
//!
//! The bucket stream then also carries the key columns (integers as `int8`, a uuid as its 16
//! bytes, read as two `int8`s). Besides the bucket sums,
//! pgsyncer adds each streamed row (an element) into two cells, one in each of two small
//! tables, picked by a hash of the element: main's with count +1, the standin's with -1. A
//! cell then holds the count, the wrapping sum of each column and the sum of a check hash of
//! only the elements one side has; equal rows cancel out. A cell whose count is ±1 and whose
//! check matches the element its sums spell holds exactly one element, which is read off and
//! removed from its other cell, which may then hold exactly one; and so on ("peeling", as in
//! invertible Bloom lookup tables).
//!
//! When every cell ends empty, every difference has been read off. The cells are few (they
//! stay in the CPU's cache while both servers stream), so peeling gets stuck when more than
//! about a third as many rows differ as there are cells; then the bucket sums, summed from
//! the same stream, say which buckets to list, as without this.

use std::cell::RefCell;
use std::collections::BTreeMap;

use crate::conn::{Session, Side};
use crate::data::compare::buckets::{Buckets, Checksums, Comparison};
use crate::data::compare::fingerprint::{base_type, key_hash, row_hash};
use crate::data::compare::keydiff::{Found, KeyWriter, Values};
use crate::data::error::DataError;
use crate::data::run::summary::{Change, KeySamples};
use crate::data::sql::TableSql;
use crate::data::table_ctx::TableCtx;
use crate::data::tables::TablePair;
use crate::quote::ident;

/// Columns an element may have: the key fingerprint, the row fingerprint, and the key's
/// columns (an integer takes one, a uuid two).
const MAX_WIDTH: usize = 6;
/// Rows per cell for small tables; larger ones get [`MAX_BITS`].
const ROWS_PER_CELL: f64 = 8.0;
/// Cells per table: 2^6 to 2^13, at most 2 × 512 KB for the widest element: small enough to
/// stay in cache, and enough for about 2,500 differing rows.
const MIN_BITS: u32 = 6;
const MAX_BITS: u32 = 13;

/// How a key column travels in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyColumn {
    /// Any integer type, cast to `int8`: one slot.
    Integer,
    /// A uuid as it is, 16 bytes: two slots.
    Uuid,
}

impl KeyColumn {
    fn of(ty: &str) -> Option<KeyColumn> {
        match base_type(ty).as_str() {
            "smallint" | "integer" | "bigint" => Some(KeyColumn::Integer),
            "uuid" => Some(KeyColumn::Uuid),
            _ => None,
        }
    }

    fn slots(self) -> usize {
        match self {
            KeyColumn::Integer => 1,
            KeyColumn::Uuid => 2,
        }
    }

    /// The column's text from its slots.
    fn text(self, slots: &[i64]) -> String {
        match (self, slots) {
            (KeyColumn::Uuid, [high, low]) => {
                let hex = format!("{:016x}{:016x}", *high as u64, *low as u64);
                format!(
                    "{}-{}-{}-{}-{}",
                    &hex[..8],
                    &hex[8..12],
                    &hex[12..16],
                    &hex[16..20],
                    &hex[20..]
                )
            }
            _ => slots.iter().map(i64::to_string).collect(),
        }
    }
}

/// The kinds of `table`'s key columns, when each is an integer or a uuid on both sides (alike).
fn key_columns(table: &TablePair) -> Option<Vec<KeyColumn>> {
    table
        .key_columns()
        .iter()
        .map(|c| {
            let kind = KeyColumn::of(&c.main_type)?;
            (KeyColumn::of(&c.standin_type) == Some(kind)).then_some(kind)
        })
        .collect()
}

/// Columns of an element comparing `values`, for a key of `columns`.
fn width(values: Values, columns: &[KeyColumn]) -> usize {
    1 + usize::from(values == Values::Rows) + columns.iter().map(|c| c.slots()).sum::<usize>()
}

/// The key is made of integer and uuid columns (alike on both sides) that fit an element; and
/// the differences are likely few enough to read off the cells. Key sets (deletes) mostly
/// differ by a few keys. Comparing rows, main's write count since the last sync says how
/// many may differ (an updated row is two elements); without it the cells are not tried, as
/// the wider stream would cost more than it saves whenever many rows changed.
pub fn applies(table: &TablePair, values: Values, rows: f64, main_writes: Option<u64>) -> bool {
    let few = match values {
        Values::Keys => true,
        Values::Rows => main_writes.is_some_and(|w| w.saturating_mul(2) <= capacity(rows)),
    };
    few && key_columns(table).is_some_and(|c| !c.is_empty() && width(values, &c) <= MAX_WIDTH)
}

/// Differing elements the cells for about `rows` rows read off reliably: a quarter of a
/// table's cells (peeling two tables gets stuck from about a third).
fn capacity(rows: f64) -> u64 {
    1 << (cell_bits(rows) - 2)
}

fn cell_bits(rows: f64) -> u32 {
    let wanted = (rows / ROWS_PER_CELL).max(1.0);
    (wanted.log2().ceil() as u32).clamp(MIN_BITS, MAX_BITS)
}

/// Every row's key fingerprint, row fingerprint (comparing rows), then key columns (integers
/// as `int8`); in no order.
fn stream_sql(table: &TablePair, side: Side, values: Values) -> String {
    let mut outputs = vec![key_hash(table, side)];
    if values == Values::Rows {
        outputs.push(row_hash(table, side));
    }
    outputs.extend(
        table
            .key_columns()
            .iter()
            .map(|c| match KeyColumn::of(c.type_on(side)) {
                Some(KeyColumn::Uuid) => ident(&c.name),
                _ => format!("{}::int8", ident(&c.name)),
            }),
    );
    format!(
        "COPY (SELECT {} FROM {}) TO STDOUT (FORMAT binary)",
        outputs.join(", "),
        TableSql::new(table, side).relation()
    )
}

/// SplitMix64's finalizer: every input bit reaches every output bit.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// An element's hash: picks its cells, and (mixed again) is its check.
fn element_hash<const N: usize>(element: &[i64; N]) -> u64 {
    element
        .iter()
        .fold(0x243F_6A88_85A3_08D3, |h, &v| mix(h ^ v as u64))
}

fn check_of(hash: u64) -> u64 {
    mix(hash ^ 0x1319_8A2E_0370_7344)
}

#[derive(Clone, Copy)]
struct Cell<const N: usize> {
    count: i64,
    check: u64,
    sums: [u64; N],
}

impl<const N: usize> Cell<N> {
    const EMPTY: Cell<N> = Cell {
        count: 0,
        check: 0,
        sums: [0; N],
    };

    fn add(&mut self, element: &[i64; N], check: u64, sign: i64) {
        self.count += sign;
        self.check = self
            .check
            .wrapping_add((check as i64).wrapping_mul(sign) as u64);
        for (sum, &v) in self.sums.iter_mut().zip(element) {
            *sum = sum.wrapping_add(v.wrapping_mul(sign) as u64);
        }
    }

    fn is_empty(&self) -> bool {
        self.count == 0 && self.check == 0 && self.sums.iter().all(|&s| s == 0)
    }

    /// The one element this cell holds, and its sign, if it holds exactly one.
    fn pure(&self) -> Option<([i64; N], i64)> {
        let sign = self.count;
        if sign != 1 && sign != -1 {
            return None;
        }
        let element = self.sums.map(|s| (s as i64).wrapping_mul(sign));
        let check = (check_of(element_hash(&element)) as i64).wrapping_mul(sign) as u64;
        (check == self.check).then_some((element, sign))
    }
}

/// Two tables of cells; main adds (+1), the standin subtracts (-1).
struct Cells<const N: usize> {
    bits: u32,
    tables: [Vec<Cell<N>>; 2],
}

impl<const N: usize> Cells<N> {
    fn for_rows(rows: f64) -> Cells<N> {
        let bits = cell_bits(rows);
        Cells {
            bits,
            tables: [vec![Cell::EMPTY; 1 << bits], vec![Cell::EMPTY; 1 << bits]],
        }
    }

    fn count(&self) -> usize {
        1 << self.bits
    }

    /// The element's cell in each table: two independent bit ranges of its hash.
    fn slots(&self, hash: u64) -> [usize; 2] {
        let mask = (1u64 << self.bits) - 1;
        [(hash & mask) as usize, ((hash >> 32) & mask) as usize]
    }

    /// Add `elements` with `sign` into their two cells each: the hashes first, then the cells,
    /// so the cells' cache misses overlap instead of each waiting behind the next hashing.
    fn add_all(
        &mut self,
        elements: &[[i64; N]],
        sign: i64,
        scratch: &mut Vec<(usize, usize, u64)>,
    ) {
        scratch.clear();
        scratch.extend(elements.iter().map(|e| {
            let hash = element_hash(e);
            let [a, b] = self.slots(hash);
            (a, b, check_of(hash))
        }));
        let [first, second] = &mut self.tables;
        for (element, &(a, b, check)) in elements.iter().zip(scratch.iter()) {
            first[a].add(element, check, sign);
            second[b].add(element, check, sign);
        }
    }

    /// Read off every element and its sign (+1: main only, -1: standin only); `None` when
    /// peeling gets stuck before every cell is empty.
    fn peel(mut self) -> Option<Vec<([i64; N], i64)>> {
        let mut queue: Vec<(usize, usize)> = (0..2)
            .flat_map(|t| (0..self.count()).map(move |s| (t, s)))
            .filter(|&(t, s)| self.tables[t][s].count.abs() == 1)
            .collect();
        let mut found = Vec::new();
        // Each element is read off once; more would mean the sums are inconsistent.
        let limit = 2 * self.count();
        while let Some((table, slot)) = queue.pop() {
            let Some((element, sign)) = self.tables[table][slot].pure() else {
                continue;
            };
            if found.len() == limit {
                return None;
            }
            let hash = element_hash(&element);
            let check = check_of(hash);
            for (t, s) in self.slots(hash).into_iter().enumerate() {
                let cell = &mut self.tables[t][s];
                cell.add(&element, check, -sign);
                if cell.count.abs() == 1 {
                    queue.push((t, s));
                }
            }
            found.push((element, sign));
        }
        let clean = self.tables.iter().flatten().all(Cell::is_empty);
        clean.then_some(found)
    }
}

/// Stream `sql` on `session`: sum its rows into bucket sums (as [`Checksums::stream`]), and
/// add them as elements into `cells` with `sign`.
async fn stream<const N: usize>(
    session: &Session,
    sql: &str,
    buckets: (Buckets, bool),
    cells: &RefCell<Cells<N>>,
    sign: i64,
) -> Result<Checksums, DataError> {
    let mut scratch = Vec::new();
    // Borrowed only between two awaits: the other side's stream takes turns.
    Checksums::stream_rows::<N>(session, buckets, sql, |batch| {
        cells.borrow_mut().add_all(batch, sign, &mut scratch)
    })
    .await
}

/// Differing elements read off the cells, each as its columns and its sign (+1: main only,
/// -1: the standin only).
type Elements = Vec<(Vec<i64>, i64)>;

async fn stream_both<const N: usize>(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    values: Values,
    (buckets, rows): (Buckets, f64),
) -> Result<(Comparison, Option<Elements>), DataError> {
    let cells = RefCell::new(Cells::<N>::for_rows(rows));
    let (msql, ssql) = (
        stream_sql(table, Side::Main, values),
        stream_sql(table, Side::Standin, values),
    );
    let how = (buckets, values == Values::Rows);
    let (m, s) = tokio::try_join!(
        stream(ctx.main, &msql, how, &cells, 1),
        stream(ctx.standin, &ssql, how, &cells, -1)
    )?;
    let compared = Comparison::of(&m, &s, ctx.bar);
    let elements = cells.into_inner().peel().map(|found| {
        found
            .into_iter()
            .map(|(element, sign)| (element.to_vec(), sign))
            .collect()
    });
    Ok((compared, elements))
}

/// Stream both sides of `table` ([`applies`] must hold) into `buckets` (for about `rows`
/// rows): the buckets compared, and every differing element when they could be read off.
pub async fn stream_and_peel(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    values: Values,
    buckets: Buckets,
    rows: f64,
) -> Result<(Comparison, Option<Elements>), DataError> {
    let columns = key_columns(table).unwrap_or_default();
    let sized = (buckets, rows);
    match width(values, &columns) {
        2 => stream_both::<2>(ctx, table, values, sized).await,
        3 => stream_both::<3>(ctx, table, values, sized).await,
        4 => stream_both::<4>(ctx, table, values, sized).await,
        5 => stream_both::<5>(ctx, table, values, sized).await,
        _ => stream_both::<6>(ctx, table, values, sized).await,
    }
}

/// Hand every key of `elements` to `writer`: keys only main has, or whose rows differ, to be
/// fetched; keys only the standin has, to be deleted.
pub async fn report(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    values: Values,
    compared: &Comparison,
    elements: Elements,
    writer: &mut KeyWriter<'_>,
) -> Result<Found, DataError> {
    // The key columns come after the key fingerprint (and the row fingerprint).
    let offset = 1 + usize::from(values == Values::Rows);
    // Per key: seen on main, seen on the standin (comparing rows, a changed row is both).
    let mut keys: BTreeMap<Vec<i64>, (bool, bool)> = BTreeMap::new();
    for (element, sign) in elements {
        let seen = keys
            .entry(element.get(offset..).unwrap_or_default().to_vec())
            .or_default();
        if sign > 0 {
            seen.0 = true;
        } else {
            seen.1 = true;
        }
    }
    let mut found = Found {
        main_rows: compared.main_rows,
        buckets: compared.buckets,
        buckets_equal: compared.equal(),
        keys: KeySamples::new(
            ctx.show_keys,
            table.key_columns().iter().map(|c| c.name.clone()).collect(),
        ),
        ..Found::default()
    };
    let columns = key_columns(table).unwrap_or_default();
    for (key, seen) in keys {
        let mut slots = key.as_slice();
        let key: Vec<String> = columns
            .iter()
            .map(|column| {
                let (these, rest) = slots.split_at(column.slots().min(slots.len()));
                slots = rest;
                column.text(these)
            })
            .collect();
        match seen {
            (true, true) => {
                found.changed += 1;
                found.keys.note(Change::Updated, &key);
                writer.fetch(key).await?;
            }
            (true, false) => {
                found.missing += 1;
                found.keys.note(Change::Inserted, &key);
                writer.fetch(key).await?;
            }
            (false, true) => {
                found.surplus += 1;
                found.keys.note(Change::Deleted, &key);
                writer.delete(key).await?;
            }
            (false, false) => {}
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::write::merge::tests::table;

    fn peel_sets(
        main: &[[i64; 2]],
        standin: &[[i64; 2]],
        rows: f64,
    ) -> Option<Vec<([i64; 2], i64)>> {
        let mut cells = Cells::<2>::for_rows(rows);
        let mut scratch = Vec::new();
        cells.add_all(main, 1, &mut scratch);
        cells.add_all(standin, -1, &mut scratch);
        cells.peel().map(|mut found| {
            found.sort();
            found
        })
    }

    #[test]
    fn equal_sets_leave_nothing() {
        let rows: Vec<[i64; 2]> = (0..10_000).map(|i| [i, i * 7]).collect();
        let mut shuffled = rows.clone();
        shuffled.reverse();
        assert_eq!(peel_sets(&rows, &shuffled, 10_000.0), Some(vec![]));
    }

    #[test]
    fn every_difference_is_read_off() {
        let main: Vec<[i64; 2]> = (0..20_000)
            .filter(|i| i % 97 != 0)
            .map(|i| [i, -i])
            .collect();
        let mut standin: Vec<[i64; 2]> = (0..20_000)
            .filter(|i| i % 89 != 0)
            .map(|i| [i, -i])
            .collect();
        standin.push([i64::MIN, i64::MAX]);
        let mut expected: Vec<([i64; 2], i64)> = Vec::new();
        for i in 0..20_000i64 {
            match (i % 97 == 0, i % 89 == 0) {
                (false, true) => expected.push(([i, -i], 1)),
                (true, false) => expected.push(([i, -i], -1)),
                _ => {}
            }
        }
        expected.push(([i64::MIN, i64::MAX], -1));
        expected.sort();
        assert_eq!(peel_sets(&main, &standin, 20_000.0), Some(expected));
    }

    #[test]
    fn too_many_differences_give_up() {
        let main: Vec<[i64; 2]> = (0..2_000).map(|i| [i, 0]).collect();
        let standin: Vec<[i64; 2]> = (2_000..4_000).map(|i| [i, 0]).collect();
        // 4,000 differences in 64 cells per table cannot peel.
        assert_eq!(peel_sets(&main, &standin, 100.0), None);
    }

    #[test]
    fn integer_and_uuid_keys_only() {
        let mut t = table(true);
        assert!(applies(&t, Values::Keys, 1e9, None));
        assert!(applies(&t, Values::Rows, 1e9, Some(1000)));
        assert!(
            !applies(&t, Values::Rows, 1e9, Some(1500)),
            "too many writes"
        );
        assert!(!applies(&t, Values::Rows, 1e9, None), "writes unknown");
        assert!(
            !applies(&t, Values::Rows, 1e3, Some(100)),
            "too many for a small table"
        );
        t.columns[0].main_type = "uuid".into();
        assert!(
            !applies(&t, Values::Keys, 10.0, None),
            "uuid on main, bigint on the standin"
        );
        t.columns[0].standin_type = "uuid".into();
        assert!(applies(&t, Values::Keys, 10.0, None));
        t.columns[0].standin_type = "numeric".into();
        t.columns[0].main_type = "numeric".into();
        assert!(!applies(&t, Values::Keys, 10.0, None), "a numeric key");
    }

    #[test]
    fn uuid_text_from_its_halves() {
        let high = i64::from_be_bytes([0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8]);
        let low = i64::from_be_bytes([0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11]);
        assert_eq!(
            KeyColumn::Uuid.text(&[high, low]),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
        );
        assert_eq!(KeyColumn::Integer.text(&[-42]), "-42");
    }

    #[test]
    fn streams() {
        let t = table(true);
        let statements = [
            stream_sql(&t, Side::Main, Values::Keys),
            stream_sql(&t, Side::Standin, Values::Rows),
        ];
        for s in &statements {
            pg_query::parse(s, 0).unwrap_or_else(|e| panic!("{s}: {e}"));
        }
        insta::assert_snapshot!(statements.join("\n"));
    }
}
