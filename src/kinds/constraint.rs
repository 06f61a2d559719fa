//! Table constraints (primary keys, unique, checks, exclusions, foreign keys): added with
//! `ALTER TABLE … ADD CONSTRAINT`, validated in place, rebuilt when the definition differs.

use super::{strip_not_valid, Kind};
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::*;
use crate::plan::sql::Ctx;
use crate::plan::{Action, Hazard, HazardKind, Statement};
use crate::quote::ident;

pub(crate) struct Constraints;

impl Kind for Constraints {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Constraint(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("constraints")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        load_constraints(rows, schema, oids)
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Constraint(c) = id else {
            return Vec::new();
        };
        schema
            .constraints
            .get(c)
            .map(constraint_sql)
            .unwrap_or_default()
    }

    fn after_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Constraint(c) = id else {
            return Vec::new();
        };
        schema
            .constraints
            .get(c)
            .and_then(cluster_sql)
            .into_iter()
            .collect()
    }

    fn section(&self, schema: &Schema, id: &ObjectId) -> i64 {
        match foreign_key(schema, id) {
            true => 13,
            false => 11,
        }
    }

    fn needs(&self, schema: &Schema, id: &ObjectId) -> Vec<ObjectId> {
        let ObjectId::Constraint(key) = id else {
            return Vec::new();
        };
        let Some(c) = schema.constraints.get(key) else {
            return Vec::new();
        };
        let mut out = vec![ObjectId::Table(c.table.clone())];
        if let Some(r) = &c.referenced_table {
            // The referenced table and whatever on it can back the key.
            out.push(ObjectId::Table(r.clone()));
            out.extend(keys_of(schema, r));
        }
        out
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (key, m) in &main.constraints {
            let id = ObjectId::Constraint(key.clone());
            let Some(s) = standin.constraints.get(key) else {
                changes.push(id, ChangeKind::Create);
                continue;
            };
            if s.definition == m.definition && s.validated == m.validated {
                continue;
            }
            if strip_not_valid(&s.definition) == strip_not_valid(&m.definition)
                && m.validated
                && !s.validated
            {
                changes.push(id, ChangeKind::ValidateConstraint);
            } else {
                changes.recreate(id);
            }
        }
        super::extras(
            &main.constraints,
            &standin.constraints,
            changes,
            ObjectId::Constraint,
        );
    }

    fn create(&self, ctx: &mut Ctx, id: &ObjectId) {
        let main = ctx.main;
        let ObjectId::Constraint(c) = id else { return };
        let Some(constraint) = main.constraints.get(c) else {
            return;
        };
        let rank = self.build_rank(main, id);
        // Added to a table that already has rows.
        let on_existing = ctx.existing_table(&c.parent);
        for sql in constraint_sql(constraint) {
            let st = ctx.build(id, rank, Action::Create, sql);
            if !on_existing {
                continue;
            }
            if !st.sql.ends_with("NOT VALID") {
                st.hazards.push(Hazard::new(
                    HazardKind::MayFailOnData,
                    match constraint.kind {
                        ConstraintKind::PrimaryKey | ConstraintKind::Unique => {
                            "fails if existing rows hold duplicates (or NULLs for a primary key)"
                        }
                        ConstraintKind::ForeignKey => {
                            "fails if an existing row references a missing key"
                        }
                        _ => "fails if an existing row violates it",
                    },
                ));
            }
            st.hazards.push(Hazard::new(
                HazardKind::LongLock,
                "checks every existing row while holding a lock that blocks writes",
            ));
        }
        if let Some(sql) = cluster_sql(constraint) {
            ctx.build(id, rank, Action::Alter, sql);
        }
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Constraint(c) => format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                c.parent.sql(),
                ident(&c.name)
            ),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let id = &change.id;
        let (ObjectId::Constraint(c), ChangeKind::ValidateConstraint) = (id, &change.kind) else {
            return;
        };
        let sql = format!(
            "ALTER TABLE {} VALIDATE CONSTRAINT {}",
            c.parent.sql(),
            ident(&c.name)
        );
        let rank = self.build_rank(ctx.main, id);
        ctx.build(id, rank, Action::Alter, sql)
            .hazards
            .push(Hazard::new(
                HazardKind::MayFailOnData,
                "checks every existing row; fails if one violates the constraint",
            ));
    }

    /// Foreign keys after the keys they reference (built) and before them (dropped).
    fn build_rank(&self, schema: &Schema, id: &ObjectId) -> u8 {
        match foreign_key(schema, id) {
            true => 20,
            false => 18,
        }
    }

    fn drop_rank(&self, schema: &Schema, id: &ObjectId) -> u8 {
        match foreign_key(schema, id) {
            true => 4,
            false => 6,
        }
    }

    fn parent(&self, _schema: &Schema, id: &ObjectId) -> Option<ObjectId> {
        match id {
            ObjectId::Constraint(c) => Some(ObjectId::Table(c.parent.clone())),
            _ => None,
        }
    }
}

/// `ALTER TABLE … CLUSTER ON` the constraint's index, if the table is clustered on it.
pub(crate) fn cluster_sql(c: &Constraint) -> Option<String> {
    let index = c.index.as_ref().filter(|_| c.clustered)?;
    Some(format!(
        "ALTER TABLE ONLY {} CLUSTER ON {}",
        c.table.sql(),
        ident(index)
    ))
}

/// What on table `q` can back a foreign key: its primary key and unique constraints, its
/// unique indexes.
fn keys_of(schema: &Schema, q: &QualifiedName) -> Vec<ObjectId> {
    let constraints = schema.constraints.iter().filter(|(_, c)| {
        &c.table == q && matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique)
    });
    let indexes = schema
        .indexes
        .values()
        .filter(|i| i.unique && &i.table == q);
    constraints
        .map(|(key, _)| ObjectId::Constraint(key.clone()))
        .chain(indexes.map(|i| ObjectId::Index(i.name.clone())))
        .collect()
}

fn foreign_key(schema: &Schema, id: &ObjectId) -> bool {
    let ObjectId::Constraint(c) = id else {
        return false;
    };
    schema
        .constraints
        .get(c)
        .is_some_and(|c| c.kind == ConstraintKind::ForeignKey)
}

// Reading: catalog rows into the model.

fn load_constraints(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let key = r.table_child()?;
        let (table, name) = (key.parent.clone(), key.name.clone());
        oids.insert(
            "pg_constraint",
            r.get("oid")?,
            ObjectId::Constraint(key.clone()),
        );
        let kind = match r.get::<String>("kind")?.as_str() {
            "p" => ConstraintKind::PrimaryKey,
            "u" => ConstraintKind::Unique,
            "c" => ConstraintKind::Check,
            "f" => ConstraintKind::ForeignKey,
            "x" => ConstraintKind::Exclusion,
            other => return Err(r.bad(format!("unknown constraint type {other:?}"))),
        };
        let referenced_table = r.opt_qname("ref_schema", "ref_table")?;
        let index_options: Vec<String> = r.get("index_options")?;
        let definition = with_index_options(r.get("definition")?, &index_options);
        schema.constraints.insert(
            key,
            Constraint {
                table,
                name,
                kind,
                definition,
                columns: r.get("columns")?,
                referenced_table,
                referenced_columns: r.get("ref_columns")?,
                validated: r.get("validated")?,
                deferrable: r.get("deferrable")?,
                initially_deferred: r.get("deferred")?,
                no_inherit: r.get("no_inherit")?,
                enforced: r.get("enforced")?,
                nulls_not_distinct: r.get("nulls_not_distinct")?,
                index: r.get("index_name")?,
                clustered: r.get("clustered")?,
            },
        );
    }
    Ok(())
}

/// `pg_get_constraintdef` does not print the storage parameters of a key's index; put
/// `WITH (…)` where the grammar wants it: before `WHERE` (exclusion) or `DEFERRABLE`.
fn with_index_options(definition: String, options: &[String]) -> String {
    if options.is_empty() {
        return definition;
    }
    let with = format!(" WITH ({})", options.join(", "));
    let at = [" WHERE (", " DEFERRABLE", " NOT DEFERRABLE", " INITIALLY "]
        .iter()
        .filter_map(|m| definition.find(m))
        .min();
    match at {
        Some(i) => format!("{}{with}{}", &definition[..i], &definition[i..]),
        None => format!("{definition}{with}"),
    }
}

// DDL: the statements that create one object, from the model alone.

/// `ALTER TABLE … ADD CONSTRAINT` (without ONLY, so partitions and inheritance children
/// get theirs as PostgreSQL makes them).
pub(crate) fn constraint_sql(c: &Constraint) -> Vec<String> {
    vec![format!(
        "ALTER TABLE {} ADD CONSTRAINT {} {}",
        c.table.sql(),
        ident(&c.name),
        c.definition
    )]
}

#[cfg(test)]
mod tests {
    use super::with_index_options;

    #[test]
    fn index_options_go_where_the_grammar_wants_them() {
        let opts = vec!["fillfactor=90".to_string()];
        assert_eq!(
            with_index_options("PRIMARY KEY (id)".into(), &opts),
            "PRIMARY KEY (id) WITH (fillfactor=90)"
        );
        assert_eq!(
            with_index_options("UNIQUE (a) DEFERRABLE INITIALLY DEFERRED".into(), &opts),
            "UNIQUE (a) WITH (fillfactor=90) DEFERRABLE INITIALLY DEFERRED"
        );
        assert_eq!(
            with_index_options(
                "EXCLUDE USING gist (r WITH &&) WHERE ((a > 0))".into(),
                &opts
            ),
            "EXCLUDE USING gist (r WITH &&) WITH (fillfactor=90) WHERE ((a > 0))"
        );
        assert_eq!(
            with_index_options("CHECK ((a > 0))".into(), &[]),
            "CHECK ((a > 0))"
        );
    }
}
