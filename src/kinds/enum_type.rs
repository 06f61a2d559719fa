//! Enum types: values added in place (`ADD VALUE`, which `plan` may run before the
//! transaction); a removed or reordered value builds the type anew and converts its
//! columns through text.

use super::table::{alter_column_sql, column_of};
use super::Kind;
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::{column_uses_type, Change, ChangeKind, Changes, EnumPosition};
use crate::model::*;
use crate::plan::sql::Ctx;
use crate::plan::{Action, Hazard, HazardKind, Statement};
use crate::quote::{ident, literal, qualified};

pub(crate) struct Enums;

impl Kind for Enums {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Enum(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("enums")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        load_enums(rows, schema, oids)
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Enum(q) = id else {
            return Vec::new();
        };
        schema.enums.get(q).map(enum_sql).unwrap_or_default()
    }

    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        3
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (name, m) in &main.enums {
            let id = ObjectId::Enum(name.clone());
            let Some(s) = standin.enums.get(name) else {
                changes.push(id, ChangeKind::Create);
                continue;
            };
            if s.labels == m.labels {
                continue;
            }
            // Values can only be added in place; a removed or reordered value needs a new
            // type.
            let kept: Vec<&String> = m.labels.iter().filter(|l| s.labels.contains(l)).collect();
            let only_added =
                kept.len() == s.labels.len() && kept.iter().zip(&s.labels).all(|(a, b)| *a == b);
            if only_added {
                for (i, label) in m.labels.iter().enumerate() {
                    if s.labels.contains(label) {
                        continue;
                    }
                    let position = if i + 1 == m.labels.len() {
                        EnumPosition::End
                    } else if i > 0 {
                        EnumPosition::After(m.labels[i - 1].clone())
                    } else {
                        // The first value: before the first value the standin already has.
                        match m.labels.iter().find(|l| s.labels.contains(l)) {
                            Some(next) => EnumPosition::Before(next.clone()),
                            None => EnumPosition::End,
                        }
                    };
                    changes.push(
                        id.clone(),
                        ChangeKind::EnumAddValue {
                            label: label.clone(),
                            position,
                        },
                    );
                }
            } else {
                let columns = standin
                    .tables
                    .values()
                    .filter(|t| t.partition_of.is_none())
                    .flat_map(|t| {
                        t.columns
                            .values()
                            .filter(|c| column_uses_type(c, name))
                            .map(|c| (t.name.clone(), c.name.clone()))
                    })
                    .collect();
                changes.push(id, ChangeKind::EnumRecreate { columns });
            }
        }
        super::extras(&main.enums, &standin.enums, changes, ObjectId::Enum);
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Enum(q) => format!("DROP TYPE {}", q.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let id = &change.id;
        let ObjectId::Enum(q) = id else { return };
        match &change.kind {
            ChangeKind::EnumAddValue { label, position } => {
                let at = match position {
                    EnumPosition::End => String::new(),
                    EnumPosition::Before(x) => format!(" BEFORE {}", literal(x)),
                    EnumPosition::After(x) => format!(" AFTER {}", literal(x)),
                };
                ctx.build(
                    id,
                    6,
                    Action::Alter,
                    format!("ALTER TYPE {} ADD VALUE {}{at}", q.sql(), literal(label)),
                );
            }
            ChangeKind::EnumRecreate { columns } => recreate(ctx, id, q, columns),
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

/// An enum that lost or reordered values: rename the old type away, create main's, convert
/// every column through text, drop the old type.
fn recreate(ctx: &mut Ctx, id: &ObjectId, q: &QualifiedName, columns: &[(QualifiedName, String)]) {
    let (main, standin) = (ctx.main, ctx.standin);
    let Some(m) = main.enums.get(q) else { return };
    let old_name = format!("{}__pgsyncer_old", q.name);
    let old = qualified(&q.schema, &old_name);
    ctx.build(
        id,
        6,
        Action::Alter,
        format!("ALTER TYPE {} RENAME TO {}", q.sql(), ident(&old_name)),
    )
    .hazards
    .push(Hazard::new(
        HazardKind::RecreatesDependents,
        "values were removed or reordered: the type is built anew and its columns converted",
    ));
    for sql in enum_sql(m) {
        ctx.build(id, 6, Action::Create, sql);
    }
    for (table, column) in columns {
        let c = TableChild::new(table.clone(), column);
        // A table or column this plan drops first has nothing left to convert.
        let gone = ctx.dropped.contains(&ObjectId::Table(table.clone()))
            || ctx.dropped.contains(&ObjectId::Column(c.clone()));
        let Some(sc) = column_of(standin, &c).filter(|_| !gone) else {
            continue;
        };
        let array = sc.data_type.ends_with("[]");
        let target = if array {
            format!("{}[]", q.sql())
        } else {
            q.sql()
        };
        let via = if array { "text[]" } else { "text" };
        if sc.default.is_some() {
            ctx.build(
                id,
                6,
                Action::Alter,
                format!("{} DROP DEFAULT", alter_column_sql(&c)),
            );
        }
        ctx.build(
            id,
            6,
            Action::Alter,
            format!(
                "{} TYPE {target} USING {}::{via}::{target}",
                alter_column_sql(&c),
                ident(column)
            ),
        )
        .hazards
        .extend([
            Hazard::new(
                HazardKind::MayFailOnData,
                format!(
                    "fails if {} holds a value {} no longer has",
                    ObjectId::Column(c.clone()),
                    q
                ),
            ),
            Hazard::new(
                HazardKind::RewritesTable,
                "rewrites the table under an ACCESS EXCLUSIVE lock",
            ),
        ]);
        if let Some(d) = column_of(main, &c).and_then(|mc| mc.default.clone()) {
            ctx.build(
                id,
                6,
                Action::Alter,
                format!("{} SET DEFAULT {d}", alter_column_sql(&c)),
            );
        }
    }
    ctx.build(id, 6, Action::Drop, format!("DROP TYPE {old}"));
}

// Reading: catalog rows into the model.

fn load_enums(rows: &Rows, schema: &mut Schema, oids: &mut OidMap) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        oids.insert_type(&r, &ObjectId::Enum(name.clone()))?;
        schema.enums.insert(
            name.clone(),
            EnumType {
                name,
                labels: r.get("labels")?,
            },
        );
    }
    Ok(())
}

// DDL: the statements that create one object, from the model alone.

/// `CREATE TYPE … AS ENUM`.
pub(crate) fn enum_sql(e: &EnumType) -> Vec<String> {
    let labels: Vec<String> = e.labels.iter().map(|l| literal(l)).collect();
    vec![format!(
        "CREATE TYPE {} AS ENUM ({})",
        e.name.sql(),
        labels.join(", ")
    )]
}
