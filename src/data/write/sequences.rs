//! Sequences: after the rows, each standin sequence is set to main's `last_value` /
//! `is_called`, so the next value drawn on the standin is the one main would draw.

use tokio_postgres::types::ToSql;

use crate::conn::{Session, Side};
use crate::data::error::{DataError, QueryContext};
use crate::data::run::filter::TableFilter;
use crate::data::tables::{load_sequences, SequenceMeta};
use crate::quote::qualified;

/// Set (or, in a dry run, count as differing) every sequence on both sides that is owned by
/// a synced table, or unowned and selected by the filter. Returns how many.
pub async fn sync(
    main: &Session,
    standin: &Session,
    schemas: Option<&[String]>,
    filter: &TableFilter,
    synced_tables: &[(String, String)],
    dry_run: bool,
) -> Result<u64, DataError> {
    let (on_main, on_standin) = tokio::try_join!(
        load_sequences(main, schemas),
        load_sequences(standin, schemas)
    )?;
    let selected = |s: &SequenceMeta| match &s.owner {
        Some(owner) => synced_tables.contains(owner),
        None => filter.selects(&s.schema, &s.name),
    };
    let mut count = 0;
    for seq in on_main.iter().filter(|s| selected(s)) {
        if !on_standin
            .iter()
            .any(|o| o.schema == seq.schema && o.name == seq.name)
        {
            continue;
        }
        let name = qualified(&seq.schema, &seq.name);
        let read = format!("SELECT last_value, is_called FROM {name}");
        let row = main
            .query_one(&read, &[])
            .await
            .ctx(Side::Main, || read.clone())?;
        let (value, called): (i64, bool) = (row.get(0), row.get(1));
        let current = standin
            .query_one(&read, &[])
            .await
            .ctx(Side::Standin, || read.clone())?;
        if (current.get::<_, i64>(0), current.get::<_, bool>(1)) == (value, called) {
            continue;
        }
        count += 1;
        if dry_run {
            continue;
        }
        let params: [&(dyn ToSql + Sync); 3] = [&name, &value, &called];
        standin
            .query_one("SELECT setval($1::text::regclass, $2, $3)", &params)
            .await
            .ctx(Side::Standin, || {
                format!("setval({name}, {value}, {called})")
            })?;
    }
    Ok(count)
}
