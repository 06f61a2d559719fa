//! An independent check that two databases hold the same rows: per table, the md5 of every
//! row's text (over the columns both sides have) in bytewise order, computed on each side.
//! Slower than the sync's chunked comparison and sharing none of its code paths; used by
//! `demo` and handy in tests.

use crate::conn::{Endpoint, Session, Side};
use crate::data::error::{DataError, QueryContext};
use crate::data::run::session;
use crate::data::sql::TableSql;
use crate::data::tables::{load_tables, pair};
use crate::data::TableFilter;

#[derive(Debug, Clone)]
pub struct TableCheck {
    pub table: String,
    pub main_rows: i64,
    pub standin_rows: i64,
    pub equal: bool,
}

async fn digest(session: &Session, sql: &str) -> Result<(i64, String), DataError> {
    let row = session
        .query_one(sql, &[])
        .await
        .ctx(session.side, || sql.to_string())?;
    Ok((row.get(0), row.get(1)))
}

/// Compare every table present on both sides (in `schemas`, selected by `filter`).
pub async fn verify(
    main: &Endpoint,
    standin: &Endpoint,
    schemas: Option<&[String]>,
    filter: &TableFilter,
) -> Result<Vec<TableCheck>, DataError> {
    let (m, s) = tokio::try_join!(session::open(main), session::open(standin))?;
    let (mt, st) = tokio::try_join!(load_tables(&m, schemas), load_tables(&s, schemas))?;
    let mut out = Vec::new();
    for mtab in mt.iter().filter(|t| filter.selects(&t.schema, &t.name)) {
        let Some(stab) = st
            .iter()
            .find(|t| t.schema == mtab.schema && t.name == mtab.name)
        else {
            continue;
        };
        let table = pair(mtab, stab, false);
        let sql = |side| {
            let t = TableSql::new(&table, side);
            let row = format!("ROW({})::text", t.column_list());
            format!(
                "SELECT count(*)::int8, coalesce(md5(string_agg({row}, E'\\n' ORDER BY {row} COLLATE \"C\")), '') FROM {}",
                t.relation()
            )
        };
        let (ms, ss) = (sql(Side::Main), sql(Side::Standin));
        let ((mc, md), (sc, sd)) = tokio::try_join!(digest(&m, &ms), digest(&s, &ss))?;
        out.push(TableCheck {
            table: table.qualified_name(),
            main_rows: mc,
            standin_rows: sc,
            equal: mc == sc && md == sd,
        });
    }
    Ok(out)
}
