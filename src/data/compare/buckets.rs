//! Hash buckets: a table's rows are split by a 64-bit hash (of the key, or of the whole row
//! for keyless tables) into `2^bits` buckets of a few rows each. Each server streams every
//! row's `(key hash, fingerprint)` as binary COPY (one scan, no sort, no text) and pgsyncer
//! sums count and fingerprints per bucket; server-side hash aggregation into so many buckets
//! costs more than the hashing. Equal buckets are skipped; only rows of differing buckets are
//! read again, selected on the server by a bitmap of bucket numbers (`get_bit`, constant time
//! per row). [`Buckets::aggregate_sql`] is the server-side form, for `--fdw-mode`.
//!
//! Small buckets are what make this pay when changes are spread evenly: with 1.6 % of rows
//! changed and 5 rows a bucket, more than nine buckets in ten are still equal. The number of
//! buckets is capped, so the sums held here stay a few MB whatever the table size.

use futures_util::{pin_mut, StreamExt};

use crate::conn::Session;
use crate::data::alias::{self, Aliases};
use crate::data::compare::int8_copy::Int8Rows;
use crate::data::error::{DataError, QueryContext};
use crate::data::run::progress::TableBar;
use crate::data::run::session::query_hash_grouped;

/// Rows per bucket aimed at: the fewer rows a differing bucket holds, the fewer are listed
/// again; more buckets cost only pgsyncer's memory.
const ROWS_PER_BUCKET: f64 = 8.0;
/// At most 2^20 buckets summed by pgsyncer: 8 MB of sums per side.
const MAX_BITS: u32 = 20;
/// At most 2^18 buckets grouped by a server ([`Buckets::aggregate_sql`]): its hash table of
/// counts and sums stays within the session's `work_mem`.
const SERVER_MAX_BITS: u32 = 18;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buckets {
    bits: u32,
}

impl Buckets {
    /// Buckets for a table of about `rows` rows, summed by pgsyncer (both sides must use
    /// the same).
    pub fn for_rows(rows: f64) -> Buckets {
        Buckets::sized(rows, MAX_BITS)
    }

    /// Buckets for a table of about `rows` rows, grouped by the servers.
    pub fn for_server_rows(rows: f64) -> Buckets {
        Buckets::sized(rows, SERVER_MAX_BITS)
    }

    fn sized(rows: f64, max_bits: u32) -> Buckets {
        let wanted = (rows / ROWS_PER_BUCKET).max(1.0);
        let bits = (wanted.log2().ceil() as u32).min(max_bits);
        Buckets { bits }
    }

    pub fn count(&self) -> usize {
        1 << self.bits
    }

    /// The bucket (`int4`, `0..count`) of the `int8` expression `hash`: its top bits.
    pub fn of(&self, hash: &str) -> String {
        if self.bits == 0 {
            "0".to_string()
        } else {
            format!(
                "(({hash} >> {}) & {})::int4",
                64 - self.bits,
                self.count() - 1
            )
        }
    }

    /// The bucket of `hash`, as [`Buckets::of`] computes it on the server.
    pub fn index(&self, hash: i64) -> usize {
        if self.bits == 0 {
            0
        } else {
            ((hash as u64) >> (64 - self.bits)) as usize
        }
    }

    /// A condition true for rows whose `hash` falls in one of `buckets`.
    pub fn filter(&self, hash: &str, buckets: &[usize]) -> String {
        let mut bitmap = vec![0u8; self.count().div_ceil(8)];
        for &b in buckets {
            bitmap[b / 8] |= 1 << (b % 8);
        }
        let hex: String = bitmap.iter().map(|b| format!("{b:02x}")).collect();
        format!("get_bit(decode('{hex}', 'hex'), {}) = 1", self.of(hash))
    }

    /// Every row's `key` (and `value`), as a binary COPY for [`Checksums::stream`]: the
    /// server only scans and hashes; the buckets are summed by pgsyncer. Server-side hash
    /// aggregation into tens of thousands of buckets costs more than the hashing itself.
    pub fn stream_sql(relation: &str, key: &str, value: Option<&str>) -> String {
        let value = value.map(|v| format!(", {v}")).unwrap_or_default();
        format!("COPY (SELECT {key}{value} FROM {relation}) TO STDOUT (FORMAT binary)")
    }

    /// `(count, sum of value)` over the whole of `relation`: one aggregate, one row.
    pub fn total_sql(relation: &str, value: &str) -> String {
        format!("SELECT count(*)::int8, sum({value})::text FROM {relation}")
    }

    /// Per bucket: `(bucket, count, sum of value)` over `relation`. `key` picks the bucket
    /// and `value` is summed (both `int8` expressions); no `value`: the key is summed.
    /// `names`: the table's internal names ([`crate::data::alias`]).
    pub fn aggregate_sql(
        &self,
        names: &Aliases,
        relation: &str,
        key: &str,
        value: Option<&str>,
    ) -> String {
        let [b, k, v, s] = [
            alias::BUCKET,
            alias::BUCKET_KEY,
            alias::BUCKET_VALUE,
            alias::ROWS,
        ]
        .map(|a| names.get(a));
        let (value, sum) = match value {
            Some(value) => (format!(", {value} AS {v}"), format!("{s}.{v}")),
            None => (String::new(), format!("{s}.{k}")),
        };
        format!(
            "SELECT {} AS {b}, count(*)::int8, sum({sum})::text FROM (SELECT {key} AS {k}{value} FROM {relation}) AS {s} GROUP BY 1",
            self.of(&format!("{s}.{k}"))
        )
    }
}

/// Added to every row's value in its bucket's sum, so the sum also counts the rows: two
/// buckets with different row counts differ unless their fingerprints happen to make up
/// exactly the difference (odd, so any count difference changes the sum).
const ROW_WEIGHT: u64 = 0x9E37_79B9_7F4A_7C15;

/// One side's sums: per bucket, `sum(value + ROW_WEIGHT)` modulo 2^64.
#[derive(Debug, Clone, PartialEq)]
pub struct Checksums {
    sums: Vec<u64>,
    rows: u64,
}

/// Rows parsed but not yet added, so the additions run as one tight loop.
const PENDING: usize = 256;

/// Summing is a random access into the sums per streamed row, mostly a cache miss. Added in
/// batches, the misses of a batch overlap instead of stalling the parser one row at a time.
struct Summer<'a> {
    sums: &'a mut Checksums,
    buckets: Buckets,
    pending: Vec<(usize, u64)>,
}

impl Summer<'_> {
    fn add(&mut self, key: i64, value: i64) {
        self.pending.push((self.buckets.index(key), value as u64));
        if self.pending.len() == PENDING {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let sums = &mut self.sums.sums;
        for &(bucket, value) in &self.pending {
            sums[bucket] = sums[bucket].wrapping_add(value.wrapping_add(ROW_WEIGHT));
        }
        self.sums.rows += self.pending.len() as u64;
        self.pending.clear();
    }
}

impl Checksums {
    fn new(buckets: Buckets) -> Checksums {
        Checksums {
            sums: vec![0; buckets.count()],
            rows: 0,
        }
    }

    fn summer(&mut self, buckets: Buckets) -> Summer<'_> {
        Summer {
            sums: self,
            buckets,
            pending: Vec::with_capacity(PENDING),
        }
    }

    /// Run [`Buckets::aggregate_sql`] on `session`.
    pub async fn read(
        session: &Session,
        buckets: Buckets,
        sql: &str,
    ) -> Result<Checksums, DataError> {
        let rows = query_hash_grouped(session, sql, &[]).await?;
        let mut sums = Checksums::new(buckets);
        for row in rows {
            let bucket: i32 = row.get(0);
            let count: i64 = row.get(1);
            let sum: String = row.get(2);
            let sum: i128 = sum.parse().map_err(|_| DataError::Metadata {
                side: session.side,
                message: format!("bucket sum {sum:?} is not an integer"),
            })?;
            let slot = usize::try_from(bucket)
                .ok()
                .and_then(|b| sums.sums.get_mut(b))
                .ok_or_else(|| DataError::Metadata {
                    side: session.side,
                    message: format!("bucket {bucket} out of range"),
                })?;
            // The server's exact sum, reduced modulo 2^64 as the streamed sums are.
            *slot = (sum as u64).wrapping_add((count as u64).wrapping_mul(ROW_WEIGHT));
            sums.rows += count.max(0) as u64;
        }
        Ok(sums)
    }

    /// Sum the buckets of the rows [`Buckets::stream_sql`] lists on `session` (`with_value`:
    /// it lists a value after the key; otherwise the key is summed).
    pub async fn stream(
        session: &Session,
        buckets: Buckets,
        sql: &str,
        with_value: bool,
    ) -> Result<Checksums, DataError> {
        if with_value {
            Checksums::stream_rows::<2>(session, (buckets, true), sql, |_| {}).await
        } else {
            Checksums::stream_rows::<1>(session, (buckets, false), sql, |_| {}).await
        }
    }

    /// [`Checksums::stream`] for rows of `N` columns, the key (and the value) first; `each`
    /// also gets the rows, a batch at a time.
    pub(crate) async fn stream_rows<const N: usize>(
        session: &Session,
        (buckets, with_value): (Buckets, bool),
        sql: &str,
        mut each: impl FnMut(&[[i64; N]]),
    ) -> Result<Checksums, DataError> {
        let mut sums = Checksums::new(buckets);
        let mut summer = sums.summer(buckets);
        let stream = session
            .copy_out(sql)
            .await
            .ctx(session.side, || sql.to_string())?;
        pin_mut!(stream);
        let bad = |source| DataError::Fingerprints {
            side: session.side,
            source,
        };
        let (mut parser, mut batch) = (Int8Rows::<N>::default(), Vec::new());
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.ctx(session.side, || sql.to_string())?;
            batch.clear();
            parser.feed(&chunk, |row| batch.push(row)).map_err(bad)?;
            for row in &batch {
                if let Some(&key) = row.first() {
                    let value = if with_value {
                        row.get(1).copied()
                    } else {
                        None
                    };
                    summer.add(key, value.unwrap_or(key));
                }
            }
            each(&batch);
        }
        parser.finish().map_err(bad)?;
        summer.flush();
        Ok(sums)
    }

    /// Rows counted in every bucket.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Buckets whose sums differ from `other`'s.
    pub fn differing(&self, other: &Checksums) -> Vec<usize> {
        self.sums
            .iter()
            .zip(&other.sums)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, _)| i)
            .collect()
    }
}

/// Both sides' bucket sums compared.
#[derive(Debug)]
pub struct Comparison {
    /// Rows main has, from its counts.
    pub main_rows: u64,
    pub buckets: u64,
    /// Buckets whose count or sum differ, in bucket order.
    pub differing: Vec<usize>,
    /// Settled by the sums over the whole table ([`Buckets::total_sql`]), no bucket read.
    pub by_totals: bool,
}

impl Comparison {
    pub fn equal(&self) -> u64 {
        self.buckets - self.differing.len() as u64
    }

    /// Main's sums against the standin's; the equal buckets count as done on `bar`.
    pub(crate) fn of(main: &Checksums, standin: &Checksums, bar: &TableBar) -> Comparison {
        let comparison = Comparison {
            main_rows: main.rows(),
            buckets: main.sums.len() as u64,
            differing: main.differing(standin),
            by_totals: false,
        };
        bar.set_chunks(comparison.buckets);
        bar.chunks_done(comparison.equal());
        comparison
    }
}

/// Both sides' sums over the whole table ([`Buckets::total_sql`] on each), run at once; when
/// they are equal, the comparison is settled: every bucket counts as equal and done on `bar`.
pub async fn settled_by_totals(
    (main, main_sql): (&Session, &str),
    (standin, standin_sql): (&Session, &str),
    buckets: Buckets,
    bar: &TableBar,
) -> Result<Option<Comparison>, DataError> {
    let (m, s) = tokio::try_join!(total(main, main_sql), total(standin, standin_sql))?;
    if m != s {
        return Ok(None);
    }
    bar.set_chunks(buckets.count() as u64);
    bar.chunks_done(buckets.count() as u64);
    Ok(Some(Comparison {
        main_rows: m.0.max(0) as u64,
        buckets: buckets.count() as u64,
        differing: Vec::new(),
        by_totals: true,
    }))
}

/// Stream both sides' rows ([`Buckets::stream_sql`]: `main_sql` on `main`, `standin_sql` on
/// `standin`) at once, sum and compare their buckets; the equal ones count as done on `bar`.
/// With `totals` ([`Buckets::total_sql`] for main and for the standin, given when the table
/// is probably unchanged: see [`crate::data::run::activity`]), the sums over the whole table are
/// compared first, and when they are equal nothing is streamed.
pub async fn compare(
    (main, main_sql): (&Session, &str),
    (standin, standin_sql): (&Session, &str),
    buckets: Buckets,
    with_value: bool,
    totals: Option<(&str, &str)>,
    bar: &TableBar,
) -> Result<Comparison, DataError> {
    if let Some((main_total, standin_total)) = totals {
        let settled =
            settled_by_totals((main, main_total), (standin, standin_total), buckets, bar).await?;
        if let Some(settled) = settled {
            return Ok(settled);
        }
    }
    let (m, s) = tokio::try_join!(
        Checksums::stream(main, buckets, main_sql, with_value),
        Checksums::stream(standin, buckets, standin_sql, with_value)
    )?;
    Ok(Comparison::of(&m, &s, bar))
}

/// `(count, exact sum as text)` of a [`Buckets::total_sql`] query.
async fn total(session: &Session, sql: &str) -> Result<(i64, Option<String>), DataError> {
    let row = session
        .query_one(sql, &[])
        .await
        .ctx(session.side, || sql.to_string())?;
    Ok((row.get(0), row.get(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(Buckets::for_rows(0.0).count(), 1);
        assert_eq!(Buckets::for_rows(8.0).count(), 1);
        assert_eq!(Buckets::for_rows(9.0).count(), 2);
        assert_eq!(Buckets::for_rows(600_000.0).count(), 131_072);
        assert_eq!(Buckets::for_rows(1e12).count(), 1 << MAX_BITS);
        assert_eq!(Buckets::for_server_rows(1e12).count(), 1 << SERVER_MAX_BITS);
        assert_eq!(Buckets::for_server_rows(600_000.0).count(), 131_072);
    }

    #[test]
    fn sql() {
        let b = Buckets::for_rows(32.0);
        assert_eq!(b.of("h"), "((h >> 62) & 3)::int4");
        assert_eq!(
            b.filter("h", &[0, 3]),
            "get_bit(decode('09', 'hex'), ((h >> 62) & 3)::int4) = 1"
        );
        assert_eq!(Buckets::for_rows(1.0).of("h"), "0");
        assert_eq!(b.index(-1), 3);
        assert_eq!(b.index(i64::MAX), 1);
        assert_eq!(b.index(0), 0);
    }

    #[test]
    fn differing_buckets() {
        let buckets = Buckets { bits: 2 };
        let (mut a, mut b) = (Checksums::new(buckets), Checksums::new(buckets));
        let (mut sa, mut sb) = (a.summer(buckets), b.summer(buckets));
        // Bucket 0: same rows in another order. Bucket 1: one value differs. Bucket 2: an
        // extra row whose value is 0. Bucket 3: two rows against one row holding their sum.
        let top = |bucket: i64| bucket << 62;
        for (k, v) in [
            (top(0), 5),
            (top(0), 9),
            (top(1), 7),
            (top(3), 2),
            (top(3), 3),
        ] {
            sa.add(k, v);
        }
        for (k, v) in [
            (top(0), 9),
            (top(0), 5),
            (top(1), 8),
            (top(2), 0),
            (top(3), 5),
        ] {
            sb.add(k, v);
        }
        sa.flush();
        sb.flush();
        assert_eq!(a.differing(&b), vec![1, 2, 3]);
        assert_eq!((a.rows(), b.rows()), (5, 5));
    }
}
