//! DDL from the model: a whole schema's statements ([`schema_statements`], [`dump`]) in
//! the order it is created in ([`dump_order`], on [`crate::graph`]: each object's kind
//! gives its statements, section and needs, `crate::kinds`), the pieces of DDL several
//! kinds share ([`create`]), and the check that every statement parses ([`validate`])
//! before anyone sees it.

pub mod access;
pub mod create;

use std::collections::BTreeSet;

use crate::graph::{CycleError, Graph};
use crate::kinds::table;
use crate::model::*;

/// Rendering went wrong: always a bug in pgsyncer, never the user's.
#[derive(Debug, thiserror::Error)]
pub enum DdlError {
    /// A rendered statement does not parse.
    #[error(
        "internal error: the statement rendered for {object} does not parse ({reason}):\n{sql}"
    )]
    Invalid {
        object: String,
        sql: String,
        reason: String,
    },
    /// The objects' dependencies form a cycle.
    #[error("cannot order the schema: {0}")]
    Cycle(#[from] CycleError),
}

/// One SQL statement (no trailing `;`) and the object it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The object the statement creates or alters.
    pub object: ObjectId,
    /// The SQL text.
    pub sql: String,
}

/// Parse `sql` with PostgreSQL's own grammar (pg_query): a statement pgsyncer rendered
/// that does not parse is an internal error naming the object.
pub fn validate(object: &ObjectId, sql: &str) -> Result<(), DdlError> {
    match pg_query::parse(sql, pg_query::ParserOptions::DEFAULT) {
        Ok(parsed) if parsed.protobuf.stmts.len() == 1 => Ok(()),
        Ok(parsed) => Err(DdlError::Invalid {
            object: object.to_string(),
            sql: sql.to_string(),
            reason: format!("{} statements instead of one", parsed.protobuf.stmts.len()),
        }),
        Err(e) => Err(DdlError::Invalid {
            object: object.to_string(),
            sql: sql.to_string(),
            reason: e.to_string(),
        }),
    }
}

/// Sort priority of an object when several could come next: its kind's dump section.
fn priority(schema: &Schema, id: &ObjectId) -> i64 {
    crate::kinds::of(id).map_or(0, |k| k.section(schema, id))
}

/// The graph node an identity is created with: columns with their relation, domain
/// constraints with their domain.
fn node_of(schema: &Schema, id: &ObjectId) -> Option<ObjectId> {
    match id {
        ObjectId::Column(c) => {
            let p = c.parent.clone();
            if schema.tables.contains_key(&p) {
                Some(ObjectId::Table(p))
            } else if schema.views.contains_key(&p) {
                Some(ObjectId::View(p))
            } else if schema.materialized_views.contains_key(&p) {
                Some(ObjectId::MaterializedView(p))
            } else if schema.composites.contains_key(&p) {
                Some(ObjectId::Composite(p))
            } else if schema.foreign_tables.contains_key(&p) {
                Some(ObjectId::ForeignTable(p))
            } else {
                None
            }
        }
        ObjectId::DomainConstraint(c) => Some(ObjectId::Domain(c.parent.clone())),
        other => Some(other.clone()),
    }
}

/// The creation order of every object in `schema`: referenced objects first (from
/// `pg_depend` and the model's own references), tables before foreign keys, ties broken
/// by section and name so the order is deterministic.
///
/// When that order has a cycle, it is broken the way pg_dump does: column defaults that
/// call a function become their own step ([`ObjectId::Column`] in the order: `ALTER TABLE
/// … SET DEFAULT` once the function exists), and the order is computed again; a cycle
/// that remains is an error naming its objects.
pub fn dump_order(schema: &Schema) -> Result<Vec<ObjectId>, DdlError> {
    match order_with(schema, &BTreeSet::new()) {
        Ok(order) => Ok(order),
        Err(_) => {
            let split: BTreeSet<TableChild> = schema
                .dependencies
                .iter()
                .filter_map(|(dependent, referenced)| match (dependent, referenced) {
                    (ObjectId::Column(c), ObjectId::Function { .. })
                        if schema
                            .tables
                            .get(&c.parent)
                            .and_then(|t| t.columns.get(&c.name))
                            .is_some_and(|col| col.default.is_some()) =>
                    {
                        Some(c.clone())
                    }
                    _ => None,
                })
                .collect();
            order_with(schema, &split)
        }
    }
}

/// [`dump_order`] with the defaults of `split` columns as steps of their own.
fn order_with(schema: &Schema, split: &BTreeSet<TableChild>) -> Result<Vec<ObjectId>, DdlError> {
    let mut g = Graph::new();
    for id in schema.object_ids() {
        let p = priority(schema, &id);
        g.add(id, p);
    }
    for c in split {
        let id = ObjectId::Column(c.clone());
        g.add(id.clone(), priority(schema, &id));
        g.before(&ObjectId::Table(c.parent.clone()), &id);
    }
    // Everything after its schema.
    for id in schema.object_ids() {
        if let Some(s) = id.schema() {
            g.before(&ObjectId::Schema(s.to_string()), &id);
        }
    }
    for (dependent, referenced) in &schema.dependencies {
        // OWNED BY is set after the table exists; it is no creation dependency.
        if matches!(
            (dependent, referenced),
            (ObjectId::Sequence(_), ObjectId::Column(_))
        ) {
            continue;
        }
        let dependent_node = match dependent {
            ObjectId::Column(c) if split.contains(c) => Some(dependent.clone()),
            _ => node_of(schema, dependent),
        };
        if let (Some(a), Some(b)) = (node_of(schema, referenced), dependent_node) {
            g.before(&a, &b);
        }
    }
    // What each kind says it needs besides (a constraint its table and referenced keys,
    // a partition its parent, a trigger its function).
    for id in schema.object_ids() {
        if let Some(kind) = crate::kinds::of(&id) {
            for needed in kind.needs(schema, &id) {
                g.before(&needed, &id);
            }
        }
    }
    Ok(g.sort()?)
}

/// The statements that create one object: its kind's [`crate::kinds::Kind::create_sql`].
pub fn create_statements(schema: &Schema, id: &ObjectId) -> Vec<String> {
    crate::kinds::of(id).map_or_else(Vec::new, |k| k.create_sql(schema, id))
}

/// Every statement that recreates `schema` in an empty database, in order, each parsed.
///
/// Creates in [`dump_order`]; then what needs everything in place: sequences' OWNED BY,
/// replica identities, CLUSTER ON, comments; event triggers last.
pub fn schema_statements(schema: &Schema) -> Result<Vec<Statement>, DdlError> {
    let mut out = Vec::new();
    let order = dump_order(schema)?;
    let split: BTreeSet<&TableChild> = order
        .iter()
        .filter_map(|id| match id {
            ObjectId::Column(c) => Some(c),
            _ => None,
        })
        .collect();
    for id in order
        .iter()
        .filter(|id| !matches!(id, ObjectId::EventTrigger(_)))
    {
        let statements = match id {
            ObjectId::Table(q) if split.iter().any(|c| &c.parent == q) => {
                // Its split defaults come later, once their functions exist.
                let mut t = schema.tables.get(q).cloned();
                if let Some(t) = t.as_mut() {
                    for (name, col) in t.columns.iter_mut() {
                        if split.contains(&TableChild::new(q.clone(), name.clone())) {
                            col.default = None;
                        }
                    }
                }
                t.map(|t| {
                    let mut out = table::table_sql(schema, &t);
                    out.extend(table::inherited_column_overrides(schema, &t));
                    out
                })
                .unwrap_or_default()
            }
            ObjectId::Column(c) => schema
                .tables
                .get(&c.parent)
                .and_then(|t| t.columns.get(&c.name))
                .and_then(|col| col.default.as_ref())
                .map(|d| {
                    vec![format!(
                        "ALTER TABLE ONLY {} ALTER COLUMN {} SET DEFAULT {d}",
                        c.parent.sql(),
                        crate::quote::ident(&c.name)
                    )]
                })
                .unwrap_or_default(),
            _ => create_statements(schema, id),
        };
        for sql in statements {
            out.push(Statement {
                object: id.clone(),
                sql,
            });
        }
    }
    // What needs every object in place (OWNED BY, replica identity, CLUSTER ON), kind by
    // kind.
    let ids = schema.object_ids();
    for kind in crate::kinds::ALL {
        for id in ids.iter().filter(|id| kind.owns(id)) {
            for sql in kind.after_sql(schema, id) {
                out.push(Statement {
                    object: id.clone(),
                    sql,
                });
            }
        }
    }
    for (id, text) in &schema.comments {
        if is_initdb_comment(id, text) || matches!(id, ObjectId::EventTrigger(_)) {
            continue;
        }
        out.push(Statement {
            object: id.clone(),
            sql: create::comment(schema, id, text),
        });
    }
    // Event triggers at the very end, as pg_dump does: one may fire on, or forbid, the
    // DDL before it (comments included).
    for id in order
        .iter()
        .filter(|id| matches!(id, ObjectId::EventTrigger(_)))
    {
        let comment = schema
            .comments
            .get(id)
            .map(|text| create::comment(schema, id, text));
        for sql in create_statements(schema, id).into_iter().chain(comment) {
            out.push(Statement {
                object: id.clone(),
                sql,
            });
        }
    }
    for s in &out {
        validate(&s.object, &s.sql)?;
    }
    Ok(out)
}

/// With `--owners` / `--privileges`: the statements that give every object main's owner
/// and privileges once the dump created it, each parsed.
pub fn access_statements(
    schema: &Schema,
    options: &crate::diff::AccessOptions,
) -> Result<Vec<Statement>, DdlError> {
    let mut out = Vec::new();
    for (id, access) in &schema.access {
        let (owner, privileges) = crate::diff::access_from_defaults(access, options);
        let owner_sql = owner.and_then(|role| access::owner_sql(schema, id, &role));
        for sql in owner_sql
            .into_iter()
            .chain(access::privilege_sql(schema, id, &privileges))
        {
            validate(id, &sql)?;
            out.push(Statement {
                object: id.clone(),
                sql,
            });
        }
    }
    // Default privileges, from none. A statement's object only groups the dump's lines and
    // names a statement that fails to parse: theirs is their schema (database-wide ones: an
    // unnamed one).
    for d in crate::diff::default_privileges(schema, &Schema::default(), options) {
        let object = ObjectId::Schema(d.schema.clone().unwrap_or_default());
        for sql in access::default_privilege_sql(&d) {
            validate(&object, &sql)?;
            out.push(Statement {
                object: object.clone(),
                sql,
            });
        }
    }
    Ok(out)
}

/// The comment initdb gives schema `public`: every database a dump is loaded into has it
/// already (pg_dump leaves it out too).
fn is_initdb_comment(id: &ObjectId, text: &str) -> bool {
    matches!(id, ObjectId::Schema(n) if n == "public") && text == "standard public schema"
}

/// The settings a dump starts with: function bodies are not checked while loading (they
/// may reference objects created later), names resolve only as written (every name in
/// the dump is qualified), messages stay quiet.
pub const DUMP_HEADER: &[&str] = &[
    "SET check_function_bodies = off",
    "SET client_min_messages = warning",
    "SET search_path = ''",
    "SET standard_conforming_strings = on",
];

/// The schema's objects of kinds pgsyncer does not model ([`Schema::unmodelled`]), which
/// a dump leaves out: a heading, then one line per kind with `limit` names at most; no
/// lines when there are none.
pub fn not_dumped(schema: &Schema, limit: Option<usize>) -> Vec<String> {
    if schema.unmodelled.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![format!(
        "the database holds {} object(s) of kinds pgsyncer does not model; they are not in this dump (create them by hand):",
        schema.unmodelled.len()
    )];
    let by_kind = unmodelled::lines_by_kind(
        schema
            .unmodelled
            .iter()
            .map(|u| (u.kind.as_str(), u.name.as_str())),
        limit,
    );
    lines.extend(by_kind.into_iter().map(|line| format!("  {line}")));
    lines
}

/// The text `dump` logs as a warning, or `None` when the dump leaves nothing out.
pub fn not_dumped_warning(schema: &Schema) -> Option<String> {
    let lines = not_dumped(schema, Some(unmodelled::NAMES_SHOWN));
    // Each line inert: the database's names reach the terminal.
    (!lines.is_empty()).then(|| crate::quote::inert_lines(&lines))
}

/// The whole schema as a SQL script loadable with `psql -v ON_ERROR_STOP=1` into an
/// empty database. Deterministic: the same model gives the same bytes.
pub fn dump(schema: &Schema) -> Result<String, DdlError> {
    dump_with(schema, &crate::diff::AccessOptions::default())
}

/// [`dump`], with owners and privileges as `access` selects ([`access_statements`]).
pub fn dump_with(schema: &Schema, access: &crate::diff::AccessOptions) -> Result<String, DdlError> {
    let mut statements = schema_statements(schema)?;
    statements.extend(access_statements(schema, access)?);
    let mut text = String::from("-- pgsyncer dump\n\n");
    // What the dump leaves out, first, so no one takes it for the whole schema.
    text.push_str(&unmodelled::comment_block(
        "not dumped",
        &not_dumped(schema, None),
    ));
    for h in DUMP_HEADER {
        text.push_str(h);
        text.push_str(";\n");
    }
    let mut last: Option<&ObjectId> = None;
    for s in &statements {
        if last != Some(&s.object) {
            text.push('\n');
        }
        text.push_str(&s.sql);
        text.push_str(";\n");
        last = Some(&s.object);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dump_names_what_it_leaves_out_and_only_then() {
        let plain = dump(&Schema::default()).expect("dump");
        assert!(!plain.contains("not dumped"), "{plain}");
        assert_eq!(not_dumped_warning(&Schema::default()), None);
        let s = Schema {
            unmodelled: (1..=6)
                .map(|i| Unmodelled::new("statistics", format!("public.s{i}")))
                .chain([Unmodelled::new("rule", "r ON public.t")])
                .collect(),
            ..Schema::default()
        };
        let text = dump(&s).expect("dump");
        assert!(
            text.starts_with(
                "-- pgsyncer dump\n\n\
                 -- not dumped: the database holds 7 object(s) of kinds pgsyncer does not model; \
                 they are not in this dump (create them by hand):\n\
                 --  statistics (6): public.s1, public.s2, public.s3, public.s4, public.s5, public.s6\n\
                 --  rule (1): r ON public.t\n\n"
            ),
            "{text}"
        );
        let warning = not_dumped_warning(&s).expect("a warning");
        assert!(
            warning.ends_with("\n  statistics (6): public.s1, public.s2, public.s3, public.s4, public.s5 and 1 more\n  rule (1): r ON public.t"),
            "{warning}"
        );
    }

    #[test]
    fn a_statement_that_does_not_parse_names_its_object() {
        let id = ObjectId::Table(QualifiedName::new("public", "t"));
        let err = validate(&id, "CREATE TABLE public.t (").expect_err("must fail");
        assert!(err.to_string().contains("table public.t"), "{err}");
        assert!(validate(&id, "CREATE TABLE public.t (a int)").is_ok());
        assert!(validate(&id, "SELECT 1; SELECT 2").is_err());
    }

    #[test]
    fn tables_come_before_foreign_keys_and_views() {
        let mut s = Schema::default();
        let p = QualifiedName::new("public", "p");
        let c = QualifiedName::new("public", "c");
        s.namespaces.insert(
            "public".into(),
            Namespace {
                name: "public".into(),
                owner: "x".into(),
            },
        );
        for t in [&p, &c] {
            s.tables.insert(
                t.clone(),
                Table {
                    name: t.clone(),
                    columns: Default::default(),
                    unlogged: false,
                    options: vec![],
                    access_method: None,
                    replica_identity: ReplicaIdentity::Default,
                    rls_enabled: false,
                    rls_forced: false,
                    inherits: vec![],
                    partition_by: None,
                    partition_of: None,
                    owner: "x".into(),
                },
            );
        }
        let fk = TableChild::new(c.clone(), "c_fk");
        s.constraints.insert(
            fk.clone(),
            Constraint {
                table: c.clone(),
                name: "c_fk".into(),
                kind: ConstraintKind::ForeignKey,
                definition: "FOREIGN KEY (id) REFERENCES public.p(id)".into(),
                columns: vec!["id".into()],
                referenced_table: Some(p.clone()),
                referenced_columns: vec!["id".into()],
                validated: true,
                deferrable: false,
                initially_deferred: false,
                no_inherit: false,
                enforced: true,
                nulls_not_distinct: false,
                index: None,
                clustered: false,
            },
        );
        let order = dump_order(&s).expect("order");
        assert_eq!(
            order,
            vec![
                ObjectId::Schema("public".into()),
                ObjectId::Table(c),
                ObjectId::Table(p),
                ObjectId::Constraint(fk),
            ]
        );
        let text = dump(&s).expect("dump");
        assert!(text.contains("SET check_function_bodies = off;"));
        assert!(text.contains("ALTER TABLE public.c ADD CONSTRAINT c_fk FOREIGN KEY"));
    }
}
