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

use super::error::{DataError, QueryContext};
use super::int8_copy::Int8Rows;
use super::progress::TableBar;
use super::session::query_hash_grouped;
use crate::conn::Session;

/// Rows per bucket aimed at: the fewer rows a differing bucket holds, the fewer are listed
/// again; more buckets cost only pgsyncer's memory.
const ROWS_PER_BUCKET: f64 = 8.0;
/// At most 2^18 buckets: 8 MB of sums per side.
const MAX_BITS: u32 = 18;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buckets {
    bits: u32,
}

impl Buckets {
    /// Buckets for a table of about `rows` rows (both sides must use the same).
    pub fn for_rows(rows: f64) -> Buckets {
        let wanted = (rows / ROWS_PER_BUCKET).max(1.0);
        let bits = (wanted.log2().ceil() as u32).min(MAX_BITS);
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

    /// Per bucket: `(bucket, count, sum of value)` over `relation`. `key` picks the bucket
    /// and `value` is summed (both `int8` expressions); no `value`: the key is summed.
    pub fn aggregate_sql(&self, relation: &str, key: &str, value: Option<&str>) -> String {
        let (value, sum) = match value {
            Some(v) => (format!(", {v} AS v"), "s.v"),
            None => (String::new(), "s.k"),
        };
        format!(
            "SELECT {} AS b, count(*)::int8, sum({sum})::text FROM (SELECT {key} AS k{value} FROM {relation}) AS s GROUP BY 1",
            self.of("s.k")
        )
    }
}

/// Row count and fingerprint sum of every bucket of one side.
#[derive(Debug, Clone, PartialEq)]
pub struct Checksums(Vec<(i64, i128)>);

impl Checksums {
    /// Run [`Buckets::aggregate_sql`] on `session`.
    pub async fn read(
        session: &Session,
        buckets: Buckets,
        sql: &str,
    ) -> Result<Checksums, DataError> {
        let rows = query_hash_grouped(session, sql, &[]).await?;
        let mut sums = vec![(0i64, 0i128); buckets.count()];
        for row in rows {
            let bucket: i32 = row.get(0);
            let sum: String = row.get(2);
            let slot = usize::try_from(bucket)
                .ok()
                .and_then(|b| sums.get_mut(b))
                .ok_or_else(|| DataError::Metadata {
                    side: session.side,
                    message: format!("bucket {bucket} out of range"),
                })?;
            *slot = (
                row.get(1),
                sum.parse().map_err(|_| DataError::Metadata {
                    side: session.side,
                    message: format!("bucket sum {sum:?} is not an integer"),
                })?,
            );
        }
        Ok(Checksums(sums))
    }

    /// Sum the buckets of the rows [`Buckets::stream_sql`] lists on `session` (`with_value`:
    /// it lists a value after the key; otherwise the key is summed).
    pub async fn stream(
        session: &Session,
        buckets: Buckets,
        sql: &str,
        with_value: bool,
    ) -> Result<Checksums, DataError> {
        let mut sums = vec![(0i64, 0i128); buckets.count()];
        let mut add = |key: i64, value: i64| {
            let slot = &mut sums[buckets.index(key)];
            slot.0 += 1;
            slot.1 += i128::from(value);
        };
        let stream = session
            .copy_out(sql)
            .await
            .ctx(session.side, || sql.to_string())?;
        pin_mut!(stream);
        let bad = |source| DataError::Fingerprints {
            side: session.side,
            source,
        };
        if with_value {
            let mut rows = Int8Rows::<2>::default();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.ctx(session.side, || sql.to_string())?;
                rows.feed(&chunk, |[k, v]| add(k, v)).map_err(bad)?;
            }
            rows.finish().map_err(bad)?;
        } else {
            let mut rows = Int8Rows::<1>::default();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.ctx(session.side, || sql.to_string())?;
                rows.feed(&chunk, |[k]| add(k, k)).map_err(bad)?;
            }
            rows.finish().map_err(bad)?;
        }
        Ok(Checksums(sums))
    }

    /// Rows counted in every bucket.
    pub fn rows(&self) -> u64 {
        self.0.iter().map(|(n, _)| (*n).max(0) as u64).sum()
    }

    /// Buckets whose count or sum differ from `other`'s.
    pub fn differing(&self, other: &Checksums) -> Vec<usize> {
        self.0
            .iter()
            .zip(&other.0)
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
}

impl Comparison {
    pub fn equal(&self) -> u64 {
        self.buckets - self.differing.len() as u64
    }
}

/// Stream both sides' rows ([`Buckets::stream_sql`]: `main_sql` on `main`, `standin_sql` on
/// `standin`) at once, sum and compare their buckets; the equal ones count as done on `bar`.
pub async fn compare(
    (main, main_sql): (&Session, &str),
    (standin, standin_sql): (&Session, &str),
    buckets: Buckets,
    with_value: bool,
    bar: &TableBar,
) -> Result<Comparison, DataError> {
    let (m, s) = tokio::try_join!(
        Checksums::stream(main, buckets, main_sql, with_value),
        Checksums::stream(standin, buckets, standin_sql, with_value)
    )?;
    let comparison = Comparison {
        main_rows: m.rows(),
        buckets: buckets.count() as u64,
        differing: m.differing(&s),
    };
    bar.set_chunks(comparison.buckets);
    bar.chunks_done(comparison.equal());
    Ok(comparison)
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
        let a = Checksums(vec![(1, 5), (2, 7), (0, 0)]);
        let b = Checksums(vec![(1, 5), (2, 8), (1, 3)]);
        assert_eq!(a.differing(&b), vec![1, 2]);
        assert_eq!(b.rows(), 4);
    }
}
