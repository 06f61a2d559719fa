//! Keyed tables: compare whole rows by buckets of the key ([`keydiff`]), fetch the rows that
//! differ from main into a stage table, apply it with one `INSERT … ON CONFLICT` (or update
//! then insert), and leave the deleted keys in a temporary table until every table of the
//! group is written (deletes go children first).

use crate::conn::Side;
use crate::data::compare::keydiff::{self, KeyWriter, Values};
use crate::data::error::{DataError, QueryContext};
use crate::data::sql::TableSql;
use crate::data::strategy::{Outcome, PendingDelete};
use crate::data::table_ctx::TableCtx;
use crate::data::tables::TablePair;

pub async fn sync(ctx: &TableCtx<'_>, table: &TablePair) -> Result<Outcome, DataError> {
    let mut writer = KeyWriter::new(ctx, table);
    let found = keydiff::compare(ctx, table, Values::Rows, &mut writer).await?;
    writer.finish().await?;
    let mut out = Outcome {
        main_rows: found.main_rows,
        inserted: found.missing,
        updated: found.changed,
        deleted: found.surplus,
        chunks_total: found.buckets,
        chunks_skipped: found.buckets_equal,
        pending: None,
        keys: found.keys,
        by_totals: found.by_totals,
    };
    if let Some(stage) = &writer.stage {
        ctx.bar.message("writing");
        for statement in TableSql::new(table, Side::Standin).upsert(stage) {
            ctx.standin
                .execute(&statement, &[])
                .await
                .ctx(Side::Standin, || statement.clone())?;
        }
    }
    if let Some(keys) = writer.deleted.clone() {
        out.pending = Some(PendingDelete::Keys { keys });
    }
    Ok(out)
}
