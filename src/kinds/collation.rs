//! Collations: created, dropped, rebuilt when anything differs.

use super::{diff_whole, Kind};
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::Changes;
use crate::model::*;
use crate::plan::{Action, Statement};
use crate::quote::literal;

pub(crate) struct Collations;

impl Kind for Collations {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Collation(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("collations")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        load_collations(rows, schema, oids)
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Collation(q) = id else {
            return Vec::new();
        };
        schema
            .collations
            .get(q)
            .map(collation_sql)
            .unwrap_or_default()
    }

    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        2
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        diff_whole(
            main,
            standin,
            changes,
            |s| &s.collations,
            ObjectId::Collation,
        );
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Collation(q) => format!("DROP COLLATION {}", q.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        4
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        20
    }
}

// Reading: catalog rows into the model.

fn load_collations(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        oids.insert(
            "pg_collation",
            r.get("oid")?,
            ObjectId::Collation(name.clone()),
        );
        schema.collations.insert(
            name.clone(),
            Collation {
                name,
                provider: r.get("provider")?,
                collate: r.get("collate")?,
                ctype: r.get("ctype")?,
                deterministic: r.get("deterministic")?,
                rules: r.get("rules")?,
            },
        );
    }
    Ok(())
}

// DDL: the statements that create one object, from the model alone.

/// `CREATE COLLATION`.
pub(crate) fn collation_sql(c: &Collation) -> Vec<String> {
    let mut opts = Vec::new();
    let provider = match c.provider.as_str() {
        "i" => "icu",
        "b" => "builtin",
        _ => "libc",
    };
    opts.push(format!("provider = {provider}"));
    if provider == "libc" {
        if let Some(v) = &c.collate {
            opts.push(format!("lc_collate = {}", literal(v)));
        }
        if let Some(v) = &c.ctype {
            opts.push(format!("lc_ctype = {}", literal(v)));
        }
    } else if let Some(v) = &c.collate {
        opts.push(format!("locale = {}", literal(v)));
    }
    if !c.deterministic {
        opts.push("deterministic = false".to_string());
    }
    if let Some(r) = &c.rules {
        opts.push(format!("rules = {}", literal(r)));
    }
    vec![format!(
        "CREATE COLLATION {} ({})",
        c.name.sql(),
        opts.join(", ")
    )]
}
