//! The SQL of each change, as [`Step`]s keyed on the object [`super::order`] sorts them by.
//! Each object kind renders its own ([`crate::kinds`]: creates from its `create_sql` and
//! main's model, drops from the standin's, alterations from both); what is the same for
//! every kind is here: a drop's "because" hazard and its
//! phase, comments, and the [`Ctx`] steps are pushed into.

use std::collections::BTreeSet;

use super::{Action, HazardKind, Statement};
use crate::ddl::create;
use crate::diff::{Change, ChangeKind};
use crate::model::{ObjectId, QualifiedName, Schema};

/// Drops run first (dependents before what they depend on), then everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    Drop,
    Build,
}

/// A statement with what orders it.
#[derive(Debug, Clone)]
pub struct Step {
    pub statement: Statement,
    /// The object whose dependencies order this step (not always the one it names: a
    /// `REPLICA IDENTITY USING INDEX` waits for its index).
    pub key: ObjectId,
    pub phase: Phase,
    /// Tie-break among steps ready together: lower first.
    pub rank: u8,
}

/// What a kind's step renderer reads (both models, what this plan creates) and the steps
/// it pushes.
pub(crate) struct Ctx<'a> {
    pub(crate) main: &'a Schema,
    pub(crate) standin: &'a Schema,
    /// Objects created by this plan (so adding to them needs no hazard).
    pub(crate) created: BTreeSet<ObjectId>,
    /// Objects this plan drops (explicitly or along with what they belong to), so no step
    /// alters them.
    pub(crate) dropped: BTreeSet<ObjectId>,
    steps: Vec<Step>,
}

impl Ctx<'_> {
    /// A step keyed on `key` (which may differ from the object the statement names).
    pub(crate) fn push(&mut self, key: &ObjectId, phase: Phase, rank: u8, statement: Statement) {
        self.steps.push(Step {
            statement,
            key: key.clone(),
            phase,
            rank,
        });
    }

    /// A build-phase statement on `key` itself; returned so hazards can be added.
    pub(crate) fn build(
        &mut self,
        key: &ObjectId,
        rank: u8,
        action: Action,
        sql: String,
    ) -> &mut Statement {
        self.push(
            key,
            Phase::Build,
            rank,
            Statement::new(key.to_string(), action, sql),
        );
        let last = self.steps.len() - 1;
        &mut self.steps[last].statement
    }

    /// Whether the standin has `table` and this plan does not create it (so it may have
    /// rows).
    pub(crate) fn existing_table(&self, table: &QualifiedName) -> bool {
        self.standin.tables.contains_key(table)
            && !self.created.contains(&ObjectId::Table(table.clone()))
    }
}

const COMMENT_RANK: u8 = 30;
/// Owners before privileges: `OWNER TO` hands the old owner's privileges to the new one.
const OWNER_RANK: u8 = 31;
const PRIVILEGE_RANK: u8 = 32;

/// The rank of a step that follows its object's own (a comment, owner or privileges:
/// `rank`), never before them: a kind built after comments (event triggers) moves them
/// after its build rank, in the same order.
fn after_object(kind: &dyn crate::kinds::Kind, main: &Schema, id: &ObjectId, rank: u8) -> u8 {
    let own = kind.build_rank(main, id);
    if own < COMMENT_RANK {
        rank
    } else {
        own.saturating_add(rank - COMMENT_RANK)
    }
}

/// Statements for `changes`, unordered.
pub fn statements(changes: &[Change], main: &Schema, standin: &Schema) -> Vec<Step> {
    let created = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Create)
        .map(|c| c.id.clone())
        .collect();
    let dropped = changes
        .iter()
        .filter(|c| matches!(c.kind, ChangeKind::Drop { .. }))
        .map(|c| c.id.clone())
        .collect();
    let mut ctx = Ctx {
        main,
        standin,
        created,
        dropped,
        steps: Vec::new(),
    };
    for change in changes {
        step(&mut ctx, change);
    }
    ctx.steps
}

fn step(ctx: &mut Ctx, change: &Change) {
    let id = &change.id;
    let (main, standin) = (ctx.main, ctx.standin);
    let Some(kind) = crate::kinds::of(id) else {
        return;
    };
    match &change.kind {
        ChangeKind::Create => kind.create(ctx, id),
        ChangeKind::Drop { implied: true, .. } => {}
        ChangeKind::Drop { because, .. } => {
            let mut statement = kind.drop(standin, id);
            if let Some(cause) = because {
                statement = statement.hazard(
                    HazardKind::RecreatesDependents,
                    format!("dropped and created again below because {cause} changes"),
                );
            }
            let rank = kind.drop_rank(standin, id);
            ctx.push(id, Phase::Drop, rank, statement);
        }
        ChangeKind::Comment(text) => {
            let sql = match text {
                Some(t) => create::comment(main, id, t),
                None => {
                    let with_empty = create::comment(standin, id, "");
                    format!("{} NULL", with_empty.trim_end_matches("''").trim_end())
                }
            };
            let rank = after_object(kind, main, id, COMMENT_RANK);
            ctx.build(id, rank, Action::Alter, sql);
        }
        ChangeKind::Owner(role) => {
            if let Some(sql) = crate::ddl::access::owner_sql(main, id, role) {
                let rank = after_object(kind, main, id, OWNER_RANK);
                ctx.build(id, rank, Action::Alter, sql);
            }
        }
        ChangeKind::Privileges(list) => {
            let rank = after_object(kind, main, id, PRIVILEGE_RANK);
            for sql in crate::ddl::access::privilege_sql(main, id, list) {
                ctx.build(id, rank, Action::Alter, sql);
            }
        }
        _ => kind.alter(ctx, change),
    }
}
