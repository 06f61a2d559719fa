//! Views (`CREATE OR REPLACE` while the existing columns stay, otherwise rebuilt) and
//! materialized views (rebuilt when anything differs). Definitions are compared after a
//! `pg_query` parse → deparse ([`crate::diff::same_sql`]).

use super::Kind;
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::ddl::create;
use crate::diff::{same_sql, Change, ChangeKind, Changes};
use crate::model::*;
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};
use crate::quote::ident;

pub(crate) struct Views;

impl Kind for Views {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::View(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("views")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        load_views(rows, schema, oids)
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::View(q) = id else {
            return Vec::new();
        };
        schema.views.get(q).map(view_sql).unwrap_or_default()
    }

    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        9
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (name, m) in &main.views {
            let id = ObjectId::View(name.clone());
            let Some(s) = standin.views.get(name) else {
                changes.push(id, ChangeKind::Create);
                continue;
            };
            if same_sql(&s.definition, &m.definition) && s.options == m.options {
                if s.defaults != m.defaults {
                    changes.push(id, ChangeKind::ViewDefaults);
                }
                continue;
            }
            // CREATE OR REPLACE VIEW keeps the existing columns (names, types, collations)
            // and may only add new ones last; their defaults stay.
            let keeps_columns =
                m.columns.starts_with(&s.columns) && m.column_types.starts_with(&s.column_types);
            if keeps_columns {
                changes.push(id.clone(), ChangeKind::Replace);
                if s.defaults != m.defaults {
                    changes.push(id, ChangeKind::ViewDefaults);
                }
            } else {
                changes.recreate(id);
            }
        }
        super::extras(&main.views, &standin.views, changes, ObjectId::View);
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::View(q) => format!("DROP VIEW {}", q.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let id = &change.id;
        if let (ObjectId::View(q), ChangeKind::ViewDefaults) = (id, &change.kind) {
            let (Some(m), Some(s)) = (ctx.main.views.get(q), ctx.standin.views.get(q)) else {
                return;
            };
            for (column, _) in &s.defaults {
                if !m.defaults.iter().any(|(c, _)| c == column) {
                    let sql = format!(
                        "ALTER VIEW {} ALTER COLUMN {} DROP DEFAULT",
                        q.sql(),
                        ident(column)
                    );
                    ctx.build(id, 23, Action::Alter, sql);
                }
            }
            for default in &m.defaults {
                if !s.defaults.contains(default) {
                    ctx.build(id, 23, Action::Alter, view_default_sql(q, default));
                }
            }
            return;
        }
        let (ObjectId::View(q), ChangeKind::Replace) = (id, &change.kind) else {
            return;
        };
        let sql = ctx.main.views.get(q).and_then(|v| {
            view_sql(v)
                .into_iter()
                .next()
                .map(|s| s.replacen("CREATE VIEW", "CREATE OR REPLACE VIEW", 1))
        });
        if let Some(sql) = sql {
            ctx.build(id, 22, Action::Replace, sql);
        }
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        22
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        2
    }
}

pub(crate) struct MaterializedViews;

impl Kind for MaterializedViews {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::MaterializedView(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("matviews")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        load_matviews(rows, schema, oids)
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::MaterializedView(q) = id else {
            return Vec::new();
        };
        schema
            .materialized_views
            .get(q)
            .map(matview_sql)
            .unwrap_or_default()
    }

    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        10
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (name, m) in &main.materialized_views {
            let id = ObjectId::MaterializedView(name.clone());
            let Some(s) = standin.materialized_views.get(name) else {
                changes.push(id, ChangeKind::Create);
                continue;
            };
            let same = same_sql(&s.definition, &m.definition)
                && s.access_method == m.access_method
                && s.populated == m.populated
                && s.columns == m.columns;
            if !same {
                changes.recreate(id);
            } else if s.options != m.options {
                // Storage parameters change in place.
                let (set, reset) = super::table::option_changes(&s.options, &m.options);
                changes.push(id, ChangeKind::SetOptions { set, reset });
            }
        }
        super::extras(
            &main.materialized_views,
            &standin.materialized_views,
            changes,
            ObjectId::MaterializedView,
        );
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::MaterializedView(q) => format!("DROP MATERIALIZED VIEW {}", q.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let (ObjectId::MaterializedView(q), ChangeKind::SetOptions { set, reset }) =
            (&change.id, &change.kind)
        else {
            return;
        };
        let alter = format!("ALTER MATERIALIZED VIEW {}", q.sql());
        if !reset.is_empty() {
            let names: Vec<String> = reset.iter().map(|r| create::option_name(r)).collect();
            let sql = format!("{alter} RESET ({})", names.join(", "));
            ctx.build(&change.id, 24, Action::Alter, sql);
        }
        if !set.is_empty() {
            let sql = format!("{alter} SET ({})", create::option_list(set));
            ctx.build(&change.id, 24, Action::Alter, sql);
        }
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        24
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        2
    }
}

// Reading: catalog rows into the model.

fn load_views(rows: &Rows, schema: &mut Schema, oids: &mut OidMap) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        oids.insert_relation(&r, ObjectId::View(name.clone()))?;
        let options: Vec<String> = r.get("options")?;
        schema.views.insert(
            name.clone(),
            View {
                name,
                definition: r.get("definition")?,
                options,
                columns: r.get("columns")?,
                column_types: r.get("column_types")?,
                defaults: {
                    let columns: Vec<String> = r.get("default_columns")?;
                    let exprs: Vec<String> = r.get("default_exprs")?;
                    columns.into_iter().zip(exprs).collect()
                },
            },
        );
    }
    Ok(())
}

fn load_matviews(rows: &Rows, schema: &mut Schema, oids: &mut OidMap) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        oids.insert_relation(&r, ObjectId::MaterializedView(name.clone()))?;
        let options: Vec<String> = r.get("options")?;
        schema.materialized_views.insert(
            name.clone(),
            MaterializedView {
                name,
                definition: r.get("definition")?,
                options,
                access_method: r.get("access_method")?,
                populated: r.get("populated")?,
                columns: r.get("columns")?,
            },
        );
    }
    Ok(())
}

// DDL: the statements that create one object, from the model alone.

fn view_query(definition: &str) -> &str {
    definition.trim().trim_end_matches(';').trim_end()
}

/// `CREATE VIEW`, then its column defaults.
pub(crate) fn view_sql(v: &View) -> Vec<String> {
    let mut out = vec![format!(
        "CREATE VIEW {}{} AS\n{}",
        v.name.sql(),
        create::with_options(&v.options),
        view_query(&v.definition)
    )];
    out.extend(v.defaults.iter().map(|d| view_default_sql(&v.name, d)));
    out
}

/// `ALTER VIEW … ALTER COLUMN … SET DEFAULT`.
fn view_default_sql(view: &QualifiedName, (column, expr): &(String, String)) -> String {
    format!(
        "ALTER VIEW {} ALTER COLUMN {} SET DEFAULT {expr}",
        view.sql(),
        ident(column)
    )
}

/// `CREATE MATERIALIZED VIEW … WITH [NO] DATA`.
pub(crate) fn matview_sql(m: &MaterializedView) -> Vec<String> {
    let using = m
        .access_method
        .as_ref()
        .map(|am| format!(" USING {}", ident(am)))
        .unwrap_or_default();
    vec![format!(
        "CREATE MATERIALIZED VIEW {}{using}{} AS\n{}\nWITH {}DATA",
        m.name.sql(),
        create::with_options(&m.options),
        view_query(&m.definition),
        if m.populated { "" } else { "NO " }
    )]
}
