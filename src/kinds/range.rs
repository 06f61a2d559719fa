//! Range types: created, dropped, rebuilt when anything differs.

use super::{diff_whole, Kind};
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::Changes;
use crate::model::*;
use crate::plan::{Action, Statement};

pub(crate) struct Ranges;

impl Kind for Ranges {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Range(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("ranges")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        load_ranges(rows, schema, oids)
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Range(q) = id else {
            return Vec::new();
        };
        schema.ranges.get(q).map(range_sql).unwrap_or_default()
    }

    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        4
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        diff_whole(main, standin, changes, |s| &s.ranges, ObjectId::Range);
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Range(q) => format!("DROP TYPE {}", q.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        6
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        18
    }
}

// Reading: catalog rows into the model.

fn load_ranges(rows: &Rows, schema: &mut Schema, oids: &mut OidMap) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        let id = ObjectId::Range(name.clone());
        oids.insert_type(&r, &id)?;
        let multirange_oid: Option<u32> = r.get("multirange_oid")?;
        if let Some(m) = multirange_oid {
            oids.insert("pg_type", m, id);
        }
        schema.ranges.insert(
            name.clone(),
            RangeType {
                name,
                subtype: r.get("subtype")?,
                subtype_opclass: r.opt_qualified("opclass_schema", "opclass_name")?,
                collation: r.opt_qualified("collation_schema", "collation_name")?,
                canonical: r.get("canonical")?,
                subtype_diff: r.get("subtype_diff")?,
                multirange: r.opt_qualified("multirange_schema", "multirange_name")?,
            },
        );
    }
    Ok(())
}

// DDL: the statements that create one object, from the model alone.

/// `CREATE TYPE … AS RANGE`.
pub(crate) fn range_sql(r: &RangeType) -> Vec<String> {
    let mut opts = vec![format!("SUBTYPE = {}", r.subtype)];
    if let Some(v) = &r.subtype_opclass {
        opts.push(format!("SUBTYPE_OPCLASS = {v}"));
    }
    if let Some(v) = &r.collation {
        opts.push(format!("COLLATION = {v}"));
    }
    if let Some(v) = &r.canonical {
        opts.push(format!("CANONICAL = {v}"));
    }
    if let Some(v) = &r.subtype_diff {
        opts.push(format!("SUBTYPE_DIFF = {v}"));
    }
    if let Some(v) = &r.multirange {
        opts.push(format!("MULTIRANGE_TYPE_NAME = {v}"));
    }
    vec![format!(
        "CREATE TYPE {} AS RANGE ({})",
        r.name.sql(),
        opts.join(", ")
    )]
}
