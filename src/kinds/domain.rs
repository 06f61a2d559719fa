//! Domains and their CHECK constraints: default and NOT NULL altered in place, constraints
//! added, validated and rebuilt one by one; a base type or collation change rebuilds the
//! domain.

use serde::Deserialize;

use indexmap::IndexMap;

use super::{strip_not_valid, Kind};
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::*;
use crate::plan::sql::Ctx;
use crate::plan::{Action, Hazard, HazardKind, Statement};
use crate::quote::ident;

pub(crate) struct Domains;

impl Kind for Domains {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Domain(_) | ObjectId::DomainConstraint(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("domains")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        load_domains(rows, schema, oids)
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        // A domain's constraints are in its CREATE DOMAIN.
        let ObjectId::Domain(q) = id else {
            return Vec::new();
        };
        schema.domains.get(q).map(domain_sql).unwrap_or_default()
    }

    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        5
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (name, m) in &main.domains {
            let id = ObjectId::Domain(name.clone());
            let Some(s) = standin.domains.get(name) else {
                changes.push(id, ChangeKind::Create);
                continue;
            };
            if s.base_type != m.base_type || s.collation != m.collation {
                changes.recreate(id);
                continue;
            }
            if s.default != m.default {
                changes.push(id.clone(), ChangeKind::DomainSetDefault(m.default.clone()));
            }
            if s.not_null != m.not_null {
                changes.push(id.clone(), ChangeKind::DomainNotNull(m.not_null));
            }
            for (cname, mc) in &m.constraints {
                let cid = ObjectId::DomainConstraint(TableChild::new(name.clone(), cname));
                match s.constraints.get(cname) {
                    None => changes.push(cid, ChangeKind::Create),
                    Some(sc) if sc == mc => {}
                    Some(sc) => {
                        if strip_not_valid(&sc.definition) == strip_not_valid(&mc.definition)
                            && mc.validated
                            && !sc.validated
                        {
                            changes.push(cid, ChangeKind::ValidateConstraint);
                        } else {
                            changes.recreate(cid);
                        }
                    }
                }
            }
            for cname in s.constraints.keys() {
                if !m.constraints.contains_key(cname) {
                    let cid = ObjectId::DomainConstraint(TableChild::new(name.clone(), cname));
                    changes.extra(cid);
                }
            }
        }
        super::extras(&main.domains, &standin.domains, changes, ObjectId::Domain);
    }

    fn create(&self, ctx: &mut Ctx, id: &ObjectId) {
        let main = ctx.main;
        match id {
            ObjectId::Domain(q) => {
                for sql in main.domains.get(q).map(domain_sql).unwrap_or_default() {
                    ctx.build(id, 8, Action::Create, sql);
                }
            }
            ObjectId::DomainConstraint(c) => {
                let Some(dc) = main
                    .domains
                    .get(&c.parent)
                    .and_then(|d| d.constraints.get(&c.name))
                else {
                    return;
                };
                // Added to a domain that already exists (and may have values).
                let on_existing = ctx.standin.domains.contains_key(&c.parent)
                    && !ctx.created.contains(&ObjectId::Domain(c.parent.clone()));
                let sql = format!(
                    "ALTER DOMAIN {} ADD CONSTRAINT {} {}",
                    c.parent.sql(),
                    ident(&c.name),
                    dc.definition
                );
                let st = ctx.build(id, 8, Action::Create, sql);
                if on_existing && !st.sql.ends_with("NOT VALID") {
                    st.hazards.push(Hazard::new(
                        HazardKind::MayFailOnData,
                        "checks every value of the domain's columns; fails if one violates it",
                    ));
                }
            }
            _ => {}
        }
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Domain(q) => format!("DROP DOMAIN {}", q.sql()),
            ObjectId::DomainConstraint(c) => format!(
                "ALTER DOMAIN {} DROP CONSTRAINT {}",
                c.parent.sql(),
                ident(&c.name)
            ),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let id = &change.id;
        match (id, &change.kind) {
            (ObjectId::DomainConstraint(c), ChangeKind::ValidateConstraint) => {
                let sql = format!(
                    "ALTER DOMAIN {} VALIDATE CONSTRAINT {}",
                    c.parent.sql(),
                    ident(&c.name)
                );
                ctx.build(id, 8, Action::Alter, sql)
                    .hazards
                    .push(Hazard::new(
                        HazardKind::MayFailOnData,
                        "checks every existing row; fails if one violates the constraint",
                    ));
            }
            (ObjectId::Domain(q), ChangeKind::DomainSetDefault(d)) => {
                let sql = match d {
                    Some(d) => format!("ALTER DOMAIN {} SET DEFAULT {d}", q.sql()),
                    None => format!("ALTER DOMAIN {} DROP DEFAULT", q.sql()),
                };
                ctx.build(id, 8, Action::Alter, sql);
            }
            (ObjectId::Domain(q), ChangeKind::DomainNotNull(true)) => {
                ctx.build(
                    id,
                    8,
                    Action::Alter,
                    format!("ALTER DOMAIN {} SET NOT NULL", q.sql()),
                )
                .hazards
                .push(Hazard::new(
                    HazardKind::MayFailOnData,
                    "fails if a column of this domain holds NULL",
                ));
            }
            (ObjectId::Domain(q), ChangeKind::DomainNotNull(false)) => {
                ctx.build(
                    id,
                    8,
                    Action::Alter,
                    format!("ALTER DOMAIN {} DROP NOT NULL", q.sql()),
                );
            }
            _ => {}
        }
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        8
    }

    fn drop_rank(&self, _schema: &Schema, id: &ObjectId) -> u8 {
        match id {
            ObjectId::DomainConstraint(_) => 15,
            _ => 16,
        }
    }

    fn parent(&self, _schema: &Schema, id: &ObjectId) -> Option<ObjectId> {
        match id {
            ObjectId::DomainConstraint(c) => Some(ObjectId::Domain(c.parent.clone())),
            _ => None,
        }
    }
}

// Reading: catalog rows into the model.

#[derive(Deserialize)]
struct DomainCheckRow {
    oid: u32,
    name: String,
    definition: String,
    validated: bool,
}

fn load_domains(rows: &Rows, schema: &mut Schema, oids: &mut OidMap) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        oids.insert_type(&r, &ObjectId::Domain(name.clone()))?;
        let checks: Vec<DomainCheckRow> = r.json("constraints")?;
        let mut constraints = IndexMap::new();
        for c in checks {
            oids.insert(
                "pg_constraint",
                c.oid,
                ObjectId::DomainConstraint(TableChild::new(name.clone(), c.name.clone())),
            );
            constraints.insert(
                c.name.clone(),
                DomainConstraint {
                    name: c.name,
                    definition: c.definition,
                    validated: c.validated,
                },
            );
        }
        schema.domains.insert(
            name.clone(),
            Domain {
                name,
                base_type: r.get("base_type")?,
                collation: r.opt_qualified("collation_schema", "collation_name")?,
                default: r.get("default_expr")?,
                not_null: r.get("not_null")?,
                constraints,
            },
        );
    }
    Ok(())
}

// DDL: the statements that create one object, from the model alone.

/// `CREATE DOMAIN`, validated checks inline, `NOT VALID` ones added after.
pub(crate) fn domain_sql(d: &Domain) -> Vec<String> {
    let mut sql = format!("CREATE DOMAIN {} AS {}", d.name.sql(), d.base_type);
    if let Some(c) = &d.collation {
        sql.push_str(&format!(" COLLATE {c}"));
    }
    if let Some(def) = &d.default {
        sql.push_str(&format!(" DEFAULT {def}"));
    }
    if d.not_null {
        sql.push_str(" NOT NULL");
    }
    let mut later = Vec::new();
    for c in d.constraints.values() {
        if c.validated {
            sql.push_str(&format!(" CONSTRAINT {} {}", ident(&c.name), c.definition));
        } else {
            later.push(format!(
                "ALTER DOMAIN {} ADD CONSTRAINT {} {}",
                d.name.sql(),
                ident(&c.name),
                c.definition
            ));
        }
    }
    let mut out = vec![sql];
    out.extend(later);
    out
}
