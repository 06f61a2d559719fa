//! Composite types: attributes added, dropped and retyped in place while the kept ones keep
//! their order and new ones come last; otherwise rebuilt.

use serde::Deserialize;

use super::Kind;
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::*;
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};
use crate::quote;
use crate::quote::ident;

pub(crate) struct Composites;

impl Kind for Composites {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Composite(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("composites")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        load_composites(rows, schema, oids)
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Composite(q) = id else {
            return Vec::new();
        };
        schema
            .composites
            .get(q)
            .map(composite_sql)
            .unwrap_or_default()
    }

    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        4
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (name, m) in &main.composites {
            let id = ObjectId::Composite(name.clone());
            let Some(s) = standin.composites.get(name) else {
                changes.push(id, ChangeKind::Create);
                continue;
            };
            if s == m {
                continue;
            }
            // In place when the kept attributes keep their order and new ones come last.
            let kept_main: Vec<&String> = m
                .attributes
                .keys()
                .filter(|a| s.attributes.contains_key(*a))
                .collect();
            let kept_standin: Vec<&String> = s
                .attributes
                .keys()
                .filter(|a| m.attributes.contains_key(*a))
                .collect();
            let added_last = m
                .attributes
                .keys()
                .skip(kept_main.len())
                .all(|a| !s.attributes.contains_key(a))
                && m.attributes
                    .keys()
                    .take(kept_main.len())
                    .all(|a| s.attributes.contains_key(a));
            if kept_main != kept_standin || !added_last {
                changes.recreate(id);
                continue;
            }
            for a in s.attributes.keys() {
                if !m.attributes.contains_key(a) {
                    changes.push(id.clone(), ChangeKind::CompositeDropAttribute(a.clone()));
                }
            }
            for (a, ma) in &m.attributes {
                match s.attributes.get(a) {
                    None => changes.push(id.clone(), ChangeKind::CompositeAddAttribute(a.clone())),
                    Some(sa) if sa != ma => {
                        changes.push(id.clone(), ChangeKind::CompositeAlterAttribute(a.clone()))
                    }
                    Some(_) => {}
                }
            }
        }
        super::extras(
            &main.composites,
            &standin.composites,
            changes,
            ObjectId::Composite,
        );
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Composite(q) => format!("DROP TYPE {}", q.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let id = &change.id;
        let ObjectId::Composite(q) = id else { return };
        match &change.kind {
            ChangeKind::CompositeAddAttribute(a) | ChangeKind::CompositeAlterAttribute(a) => {
                let Some(attr) = ctx.main.composites.get(q).and_then(|t| t.attributes.get(a))
                else {
                    return;
                };
                let collate = attr
                    .collation
                    .as_ref()
                    .map(|c| format!(" COLLATE {c}"))
                    .unwrap_or_default();
                let sql = if matches!(change.kind, ChangeKind::CompositeAddAttribute(_)) {
                    format!(
                        "ALTER TYPE {} ADD ATTRIBUTE {} {}{collate}",
                        q.sql(),
                        ident(a),
                        attr.data_type
                    )
                } else {
                    format!(
                        "ALTER TYPE {} ALTER ATTRIBUTE {} TYPE {}{collate}",
                        q.sql(),
                        ident(a),
                        attr.data_type
                    )
                };
                ctx.build(id, 6, Action::Alter, sql);
            }
            ChangeKind::CompositeDropAttribute(a) => {
                ctx.build(
                    id,
                    6,
                    Action::Alter,
                    format!("ALTER TYPE {} DROP ATTRIBUTE {}", q.sql(), ident(a)),
                );
            }
            _ => {}
        }
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        6
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        18
    }
}

// Reading: catalog rows into the model.

#[derive(Deserialize)]
struct AttributeRow {
    name: String,
    data_type: String,
    collation_schema: Option<String>,
    collation_name: Option<String>,
}

fn load_composites(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        let id = ObjectId::Composite(name.clone());
        oids.insert_type(&r, &id)?;
        oids.insert("pg_class", r.get("class_oid")?, id);
        let attrs: Vec<AttributeRow> = r.json("attributes")?;
        let attributes = attrs
            .into_iter()
            .map(|a| {
                let collation = match (&a.collation_schema, &a.collation_name) {
                    (Some(s), Some(n)) => Some(quote::qualified(s, n)),
                    _ => None,
                };
                (
                    a.name.clone(),
                    CompositeAttribute {
                        name: a.name,
                        data_type: a.data_type,
                        collation,
                    },
                )
            })
            .collect();
        schema
            .composites
            .insert(name.clone(), CompositeType { name, attributes });
    }
    Ok(())
}

// DDL: the statements that create one object, from the model alone.

/// `CREATE TYPE … AS (…)`.
pub(crate) fn composite_sql(t: &CompositeType) -> Vec<String> {
    let attrs: Vec<String> = t
        .attributes
        .values()
        .map(|a| {
            let mut s = format!("{} {}", ident(&a.name), a.data_type);
            if let Some(c) = &a.collation {
                s.push_str(&format!(" COLLATE {c}"));
            }
            s
        })
        .collect();
    vec![format!(
        "CREATE TYPE {} AS (\n    {}\n)",
        t.name.sql(),
        attrs.join(",\n    ")
    )]
}
