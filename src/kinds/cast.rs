//! Casts (belonging to no schema) and conversions: created, dropped, rebuilt when anything
//! differs (PostgreSQL alters neither but for names and owners).

use super::{diff_whole, Kind};
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::Changes;
use crate::model::{Cast, CastContext, CastMethod, Conversion, ObjectId, Schema};
use crate::plan::{Action, Statement};
use crate::quote::{self, literal};

pub(crate) struct Casts;

/// After functions and types (what a cast is made of), before tables and views (whose
/// expressions may apply it).
const RANK: u8 = 11;

impl Kind for Casts {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Cast { .. } | ObjectId::Conversion(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("casts"), catalog_query!("conversions")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [casts, conversions] = rows_of::<2>(rows)?;
        load_casts(casts, schema, oids)?;
        load_conversions(conversions, schema, oids)
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        match id {
            ObjectId::Cast { source, target } => schema
                .casts
                .get(&(source.clone(), target.clone()))
                .map(cast)
                .into_iter()
                .collect(),
            ObjectId::Conversion(q) => schema
                .conversions
                .get(q)
                .map(conversion)
                .into_iter()
                .collect(),
            _ => Vec::new(),
        }
    }

    /// With functions (what a cast or conversion is made of), before tables and views,
    /// whose expressions may apply a cast that `pg_depend` does not record (a cast
    /// `WITH INOUT` or `WITHOUT FUNCTION`).
    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        6
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        diff_whole(
            main,
            standin,
            changes,
            |s| &s.casts,
            |(source, target)| ObjectId::Cast { source, target },
        );
        diff_whole(
            main,
            standin,
            changes,
            |s| &s.conversions,
            ObjectId::Conversion,
        );
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Cast { source, target } => format!("DROP CAST ({source} AS {target})"),
            ObjectId::Conversion(q) => format!("DROP CONVERSION {}", q.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        RANK
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        RANK
    }
}

// Reading: catalog rows into the model.

fn load_casts(rows: &Rows, schema: &mut Schema, oids: &mut OidMap) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let source: String = r.get("source")?;
        let target: String = r.get("target")?;
        oids.insert(
            "pg_cast",
            r.get("oid")?,
            ObjectId::Cast {
                source: source.clone(),
                target: target.clone(),
            },
        );
        let function: Option<String> = r.get("function")?;
        let method = match (r.get::<String>("method")?.as_str(), function) {
            ("f", Some(f)) => CastMethod::Function(f),
            ("b", None) => CastMethod::Binary,
            ("i", None) => CastMethod::InOut,
            (m, f) => {
                return Err(r.bad(format!(
                    "cast ({} AS {}): method {m} with function {}",
                    quote::inert(&source),
                    quote::inert(&target),
                    quote::inert(&f.unwrap_or_default())
                )))
            }
        };
        let context = match r.get::<String>("context")?.as_str() {
            "e" => CastContext::Explicit,
            "a" => CastContext::Assignment,
            "i" => CastContext::Implicit,
            c => return Err(r.bad(format!("cast context {c}"))),
        };
        schema.casts.insert(
            (source.clone(), target.clone()),
            Cast {
                source,
                target,
                method,
                context,
            },
        );
    }
    Ok(())
}

fn load_conversions(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        oids.insert(
            "pg_conversion",
            r.get("oid")?,
            ObjectId::Conversion(name.clone()),
        );
        schema.conversions.insert(
            name.clone(),
            Conversion {
                name,
                from_encoding: r.get("from_encoding")?,
                to_encoding: r.get("to_encoding")?,
                function: r.qname("function_schema", "function_name")?,
                default: r.get("is_default")?,
            },
        );
    }
    Ok(())
}

// DDL: the statements that create one object, from the model alone.

fn cast(c: &Cast) -> String {
    let how = match &c.method {
        CastMethod::Function(f) => format!("WITH FUNCTION {f}"),
        CastMethod::Binary => "WITHOUT FUNCTION".to_string(),
        CastMethod::InOut => "WITH INOUT".to_string(),
    };
    let context = match c.context {
        CastContext::Explicit => "",
        CastContext::Assignment => " AS ASSIGNMENT",
        CastContext::Implicit => " AS IMPLICIT",
    };
    format!("CREATE CAST ({} AS {}) {how}{context}", c.source, c.target)
}

fn conversion(c: &Conversion) -> String {
    format!(
        "CREATE {}CONVERSION {} FOR {} TO {} FROM {}",
        if c.default { "DEFAULT " } else { "" },
        c.name.sql(),
        literal(&c.from_encoding),
        literal(&c.to_encoding),
        c.function.sql()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_and_context_is_written() {
        let c = |method, context| Cast {
            source: "public.span".into(),
            target: "bytea".into(),
            method,
            context,
        };
        assert_eq!(
            cast(&c(CastMethod::Binary, CastContext::Explicit)),
            "CREATE CAST (public.span AS bytea) WITHOUT FUNCTION"
        );
        assert_eq!(
            cast(&c(CastMethod::InOut, CastContext::Implicit)),
            "CREATE CAST (public.span AS bytea) WITH INOUT AS IMPLICIT"
        );
        assert_eq!(
            cast(&c(
                CastMethod::Function("public.f(public.span)".into()),
                CastContext::Assignment
            )),
            "CREATE CAST (public.span AS bytea) WITH FUNCTION public.f(public.span) AS ASSIGNMENT"
        );
    }
}
