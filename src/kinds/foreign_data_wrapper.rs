//! Foreign-data wrappers that no extension owns: created, dropped, and altered in place
//! (handler, validator, options). Also what every SQL/MED kind shares: the generic
//! `OPTIONS (…)` clauses ([`options_clause`], [`alter_options`]) and the secrets left out
//! ([`without_secrets`], [`report_secrets`]).

use super::Kind;
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::{
    is_secret_option, ForeignDataWrapper, GenericOptions, ObjectId, Schema, Unmodelled,
};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};
use crate::quote::{ident, literal};

pub(crate) struct ForeignDataWrappers;

impl Kind for ForeignDataWrappers {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::ForeignDataWrapper(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("foreign_data_wrappers")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        for r in rows.iter() {
            let name: String = r.get("name")?;
            let id = ObjectId::ForeignDataWrapper(name.clone());
            oids.insert("pg_foreign_data_wrapper", r.get("oid")?, id.clone());
            let secret_options: Vec<String> = r.get("secret_options")?;
            report_secrets(schema, &id, &secret_options);
            schema.foreign_data_wrappers.insert(
                name.clone(),
                ForeignDataWrapper {
                    name,
                    handler: r.get("handler")?,
                    validator: r.get("validator")?,
                    options: without_secrets(r.json("options")?),
                    secret_options,
                },
            );
        }
        Ok(())
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::ForeignDataWrapper(n) = id else {
            return Vec::new();
        };
        schema
            .foreign_data_wrappers
            .get(n)
            .map(create_sql)
            .unwrap_or_default()
    }

    /// With the functions (its handler and validator are some).
    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        6
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (name, m) in &main.foreign_data_wrappers {
            let id = ObjectId::ForeignDataWrapper(name.clone());
            match standin.foreign_data_wrappers.get(name) {
                None => changes.push(id, ChangeKind::Create),
                // Everything a wrapper has can be changed in place.
                Some(s) if alter_sql(s, m).is_some() => changes.push(id, ChangeKind::AlterInPlace),
                Some(_) => {}
            }
        }
        super::extras(
            &main.foreign_data_wrappers,
            &standin.foreign_data_wrappers,
            changes,
            ObjectId::ForeignDataWrapper,
        );
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::ForeignDataWrapper(n) => format!("DROP FOREIGN DATA WRAPPER {}", ident(n)),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let ObjectId::ForeignDataWrapper(n) = &change.id else {
            return;
        };
        let (Some(m), Some(s)) = (
            ctx.main.foreign_data_wrappers.get(n),
            ctx.standin.foreign_data_wrappers.get(n),
        ) else {
            return;
        };
        if let Some(sql) = alter_sql(s, m) {
            ctx.build(&change.id, 3, Action::Alter, sql);
        }
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        3
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        21
    }
}

/// The not-synced report's kind for a secret option left out.
const SECRET_OPTION_KIND: &str = "secret option (never copied: set it by hand)";

/// Options without any secret: the catalog queries never read one (`ILIKE '%password%'`),
/// and this keeps it so whatever a query returns.
pub(crate) fn without_secrets(options: GenericOptions) -> GenericOptions {
    options
        .into_iter()
        .filter(|(name, _)| !is_secret_option(name))
        .collect()
}

/// One not-synced row per secret option left out of `object`
/// ([`crate::model::Schema::unmodelled`]), so a plan and a dump say which were not copied,
/// and a plan marks those the standin has an option of the same name for.
pub(crate) fn report_secrets(schema: &mut Schema, object: &ObjectId, names: &[String]) {
    for name in names {
        schema.unmodelled.push(Unmodelled::new(
            SECRET_OPTION_KIND,
            format!("{} of {object}", ident(name)),
        ));
    }
}

/// `CREATE FOREIGN DATA WRAPPER` (its secret options, if any, left out).
pub(crate) fn create_sql(w: &ForeignDataWrapper) -> Vec<String> {
    let mut sql = format!("CREATE FOREIGN DATA WRAPPER {}", ident(&w.name));
    if let Some(h) = &w.handler {
        sql.push_str(&format!(" HANDLER {h}"));
    }
    if let Some(v) = &w.validator {
        sql.push_str(&format!(" VALIDATOR {v}"));
    }
    sql.push_str(&options_clause(&w.options));
    vec![sql]
}

/// `ALTER FOREIGN DATA WRAPPER` from the standin's `s` to main's `m`: only what differs,
/// in one statement (the new validator checks the new options); `None` when they match.
fn alter_sql(s: &ForeignDataWrapper, m: &ForeignDataWrapper) -> Option<String> {
    let mut parts = Vec::new();
    if s.handler != m.handler {
        parts.push(match &m.handler {
            Some(h) => format!("HANDLER {h}"),
            None => "NO HANDLER".to_string(),
        });
    }
    if s.validator != m.validator {
        parts.push(match &m.validator {
            Some(v) => format!("VALIDATOR {v}"),
            None => "NO VALIDATOR".to_string(),
        });
    }
    if let Some(options) = alter_options(&s.options, &m.options) {
        parts.push(options);
    }
    (!parts.is_empty()).then(|| {
        format!(
            "ALTER FOREIGN DATA WRAPPER {} {}",
            ident(&m.name),
            parts.join(" ")
        )
    })
}

/// ` OPTIONS (name 'value', …)` for a `CREATE`, or nothing when there are none.
pub(crate) fn options_clause(options: &GenericOptions) -> String {
    if options.is_empty() {
        return String::new();
    }
    let items: Vec<String> = options
        .iter()
        .map(|(k, v)| format!("{} {}", ident(k), literal(v)))
        .collect();
    format!(" OPTIONS ({})", items.join(", "))
}

/// `OPTIONS (SET a 'x', ADD b 'y', DROP c)`: what turns the standin's options into main's,
/// or `None` when they are the same. Both lists hold no secret (the catalog never reads
/// them), so a standin's password is never dropped here.
pub(crate) fn alter_options(standin: &GenericOptions, main: &GenericOptions) -> Option<String> {
    let mut items = Vec::new();
    for (k, v) in main {
        match standin.iter().find(|(sk, _)| sk == k) {
            None => items.push(format!("ADD {} {}", ident(k), literal(v))),
            Some((_, sv)) if sv != v => items.push(format!("SET {} {}", ident(k), literal(v))),
            Some(_) => {}
        }
    }
    for (k, _) in standin {
        if !main.iter().any(|(mk, _)| mk == k) {
            items.push(format!("DROP {}", ident(k)));
        }
    }
    (!items.is_empty()).then(|| format!("OPTIONS ({})", items.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, &str)]) -> GenericOptions {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn options_are_set_added_and_dropped_by_name() {
        let s = opts(&[("host", "a"), ("port", "5432"), ("old", "x")]);
        let m = opts(&[("dbname", "it's"), ("host", "b"), ("port", "5432")]);
        assert_eq!(
            alter_options(&s, &m).as_deref(),
            Some("OPTIONS (ADD dbname 'it''s', SET host 'b', DROP old)")
        );
        assert_eq!(alter_options(&m, &m), None);
        assert_eq!(options_clause(&opts(&[])), "");
        assert_eq!(
            options_clause(&opts(&[("User", "u")])),
            " OPTIONS (\"User\" 'u')"
        );
    }

    #[test]
    fn a_wrapper_is_altered_in_one_statement() {
        let s = ForeignDataWrapper {
            name: "w".into(),
            handler: None,
            validator: Some("pg_catalog.postgresql_fdw_validator".into()),
            options: opts(&[]),
            secret_options: vec![],
        };
        let m = ForeignDataWrapper {
            validator: None,
            options: opts(&[("a", "1")]),
            ..s.clone()
        };
        assert_eq!(
            alter_sql(&s, &m).as_deref(),
            Some("ALTER FOREIGN DATA WRAPPER w NO VALIDATOR OPTIONS (ADD a '1')")
        );
        assert_eq!(alter_sql(&m, &m), None);
        assert_eq!(
            create_sql(&s),
            vec!["CREATE FOREIGN DATA WRAPPER w VALIDATOR pg_catalog.postgresql_fdw_validator"]
        );
    }
}
