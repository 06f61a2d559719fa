//! Statements prepared once per table for each shape of key range, so chunk queries are
//! planned once, not once per chunk. A range may lack a lower bound (the first chunk), an
//! upper bound (the last) or both (a table that fits in one chunk).

use tokio_postgres::types::ToSql;
use tokio_postgres::Statement;

use super::error::{DataError, QueryContext};
use super::sql::Bound;
use crate::conn::Session;

/// One prepared statement per range shape: no bounds, upper only, lower only, both.
pub(super) struct RangeStatements([Statement; 4]);

impl RangeStatements {
    /// Prepare `render(lower, upper)` for every shape. `width` is the number of key columns:
    /// the upper bound's parameters follow the lower bound's.
    pub(super) async fn prepare(
        session: &Session,
        width: usize,
        render: impl Fn(Option<Bound<'static>>, Option<Bound<'static>>) -> String,
    ) -> Result<RangeStatements, DataError> {
        let mut statements = Vec::with_capacity(4);
        for shape in 0..4 {
            let (lo, hi) = (shape >= 2, shape % 2 == 1);
            let lo_b = lo.then_some(Bound::Params(1));
            let hi_b = hi.then_some(Bound::Params(if lo { 1 + width } else { 1 }));
            let sql = render(lo_b, hi_b);
            statements.push(
                session
                    .prepare(&sql)
                    .await
                    .ctx(session.side, || sql.clone())?,
            );
        }
        statements
            .try_into()
            .map(RangeStatements)
            .map_err(|_| DataError::Worker("prepared statement count".into()))
    }

    /// The statement for a range with these bounds.
    pub(super) fn get(&self, lo: Option<&Vec<String>>, hi: Option<&Vec<String>>) -> &Statement {
        &self.0[(lo.is_some() as usize) * 2 + hi.is_some() as usize]
    }
}

/// The bind parameters of a range: the lower bound's key values, then the upper bound's.
pub(super) fn params<'a>(
    lo: Option<&'a Vec<String>>,
    hi: Option<&'a Vec<String>>,
) -> Vec<&'a (dyn ToSql + Sync)> {
    lo.into_iter()
        .chain(hi)
        .flat_map(|v| v.iter().map(|s| s as &(dyn ToSql + Sync)))
        .collect()
}
