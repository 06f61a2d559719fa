//! Table constraints (primary keys, unique, checks, exclusions, foreign keys): added with
//! `ALTER TABLE … ADD CONSTRAINT`, validated in place, rebuilt when the definition differs.

use super::{strip_not_valid, Kind};
use crate::ddl::create;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::{ConstraintKind, ObjectId, Schema};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Hazard, HazardKind, Statement};
use crate::quote::ident;

pub(crate) struct Constraints;

impl Kind for Constraints {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Constraint(_))
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
        for key in standin.constraints.keys() {
            if !main.constraints.contains_key(key) {
                changes.extra(ObjectId::Constraint(key.clone()));
            }
        }
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
        for sql in create::constraint(constraint) {
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

fn foreign_key(schema: &Schema, id: &ObjectId) -> bool {
    let ObjectId::Constraint(c) = id else {
        return false;
    };
    schema
        .constraints
        .get(c)
        .is_some_and(|c| c.kind == ConstraintKind::ForeignKey)
}
