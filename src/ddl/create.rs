//! `CREATE` DDL for each object kind, from the model alone (no I/O). Each function returns
//! the statements (without trailing `;`) that create one object with all its attributes;
//! the plan reuses them for created objects.

use crate::model::*;
use crate::quote::{ident, literal, qualified};

/// `CREATE SCHEMA`; `public` (present in every new database) gets `IF NOT EXISTS`.
pub fn schema(ns: &Namespace) -> Vec<String> {
    if ns.name == "public" {
        vec!["CREATE SCHEMA IF NOT EXISTS public".to_string()]
    } else {
        vec![format!("CREATE SCHEMA {}", ident(&ns.name))]
    }
}

/// `CREATE EXTENSION … WITH SCHEMA … VERSION …`.
pub fn extension(e: &Extension) -> Vec<String> {
    vec![format!(
        "CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {} VERSION {}",
        ident(&e.name),
        ident(&e.schema),
        literal(&e.version)
    )]
}

/// `CREATE COLLATION`.
pub fn collation(c: &Collation) -> Vec<String> {
    let mut opts = Vec::new();
    let provider = match c.provider.as_str() {
        "i" => "icu",
        "b" => "builtin",
        _ => "libc",
    };
    opts.push(format!("provider = {provider}"));
    if provider == "libc" {
        if let Some(v) = &c.collate {
            opts.push(format!("lc_collate = {}", literal(v)));
        }
        if let Some(v) = &c.ctype {
            opts.push(format!("lc_ctype = {}", literal(v)));
        }
    } else if let Some(v) = &c.collate {
        opts.push(format!("locale = {}", literal(v)));
    }
    if !c.deterministic {
        opts.push("deterministic = false".to_string());
    }
    if let Some(r) = &c.rules {
        opts.push(format!("rules = {}", literal(r)));
    }
    vec![format!(
        "CREATE COLLATION {} ({})",
        c.name.sql(),
        opts.join(", ")
    )]
}

/// `CREATE TYPE … AS ENUM`.
pub fn enum_type(e: &EnumType) -> Vec<String> {
    let labels: Vec<String> = e.labels.iter().map(|l| literal(l)).collect();
    vec![format!(
        "CREATE TYPE {} AS ENUM ({})",
        e.name.sql(),
        labels.join(", ")
    )]
}

/// `CREATE DOMAIN`, validated checks inline, `NOT VALID` ones added after.
pub fn domain(d: &Domain) -> Vec<String> {
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

/// `CREATE TYPE … AS (…)`.
pub fn composite(t: &CompositeType) -> Vec<String> {
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

/// `CREATE TYPE … AS RANGE`.
pub fn range(r: &RangeType) -> Vec<String> {
    let mut opts = vec![format!("SUBTYPE = {}", r.subtype)];
    if let Some(v) = &r.subtype_opclass {
        opts.push(format!("SUBTYPE_OPCLASS = {v}"));
    }
    if let Some(v) = &r.collation {
        opts.push(format!("COLLATION = {v}"));
    }
    if let Some(v) = &r.canonical {
        opts.push(format!("CANONICAL = {v}"));
    }
    if let Some(v) = &r.subtype_diff {
        opts.push(format!("SUBTYPE_DIFF = {v}"));
    }
    if let Some(v) = &r.multirange {
        opts.push(format!("MULTIRANGE_TYPE_NAME = {v}"));
    }
    vec![format!(
        "CREATE TYPE {} AS RANGE ({})",
        r.name.sql(),
        opts.join(", ")
    )]
}

/// `[AS type] START WITH … INCREMENT BY … MINVALUE … MAXVALUE … CACHE … [NO] CYCLE`.
pub fn sequence_options(o: &SequenceOptions, with_type: bool) -> String {
    let mut s = String::new();
    if with_type {
        s.push_str(&format!("AS {} ", o.data_type));
    }
    s.push_str(&format!(
        "START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {} {}",
        o.start,
        o.increment,
        o.min,
        o.max,
        o.cache,
        if o.cycle { "CYCLE" } else { "NO CYCLE" }
    ));
    s
}

/// `CREATE SEQUENCE` (OWNED BY comes later, once the table exists: [`sequence_owned_by`]).
pub fn sequence(s: &Sequence) -> Vec<String> {
    vec![format!(
        "CREATE {}SEQUENCE {} {}",
        if s.unlogged { "UNLOGGED " } else { "" },
        s.name.sql(),
        sequence_options(&s.options, true)
    )]
}

/// `ALTER SEQUENCE … OWNED BY table.column`, if owned.
pub fn sequence_owned_by(s: &Sequence) -> Option<String> {
    s.owned_by.as_ref().map(|(table, column)| {
        format!(
            "ALTER SEQUENCE {} OWNED BY {}.{}",
            s.name.sql(),
            table.sql(),
            ident(column)
        )
    })
}

/// `ALWAYS` or `BY DEFAULT`.
pub fn identity_kind(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::Always => "ALWAYS",
        IdentityKind::ByDefault => "BY DEFAULT",
    }
}

/// The `SET STORAGE` keyword of an `attstorage` letter.
pub fn storage_keyword(letter: &str) -> &'static str {
    match letter {
        "p" => "PLAIN",
        "e" => "EXTERNAL",
        "m" => "MAIN",
        _ => "EXTENDED",
    }
}

/// One column definition inside `CREATE TABLE`.
pub fn column_definition(table: &QualifiedName, c: &Column) -> String {
    let mut s = format!("{} {}", ident(&c.name), c.data_type);
    if let Some(m) = &c.compression {
        s.push_str(&format!(" COMPRESSION {}", ident(m)));
    }
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {coll}"));
    }
    if let Some(id) = &c.identity {
        s.push_str(&format!(
            " GENERATED {} AS IDENTITY (SEQUENCE NAME {} {})",
            identity_kind(id.kind),
            qualified(&table.schema, &id.sequence_name),
            sequence_options(&id.options, false)
        ));
    }
    if let Some(g) = &c.generated {
        let kind = match g.kind {
            GeneratedKind::Stored => "STORED",
            GeneratedKind::Virtual => "VIRTUAL",
        };
        s.push_str(&format!(" GENERATED ALWAYS AS ({}) {kind}", g.expression));
    }
    if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    if c.not_null {
        if let Some(n) = c.custom_not_null_name(&table.name) {
            s.push_str(&format!(" CONSTRAINT {}", ident(n)));
        }
        s.push_str(" NOT NULL");
    }
    s
}

/// The name to write for a partition column's NOT NULL constraint in `PARTITION OF …
/// (column CONSTRAINT name NOT NULL)`, when it is not the one the partition gets by
/// itself: its parent's constraint name, or the default one when the parent's column may
/// be NULL (18+; names are unknown before).
fn partition_not_null_name<'a>(t: &Table, parent: &Table, c: &'a Column) -> Option<&'a str> {
    let name = c.not_null_name.as_deref().filter(|_| c.not_null)?;
    let pc = parent.columns.get(&c.name)?;
    if pc.not_null {
        (pc.not_null_name.as_deref()? != name).then_some(name)
    } else {
        c.custom_not_null_name(&t.name.name)
    }
}

/// Storage parameters (`name=value` as in `reloptions`) as SQL: `name=value, …`, the
/// value quoted unless it is a plain word or number.
pub fn option_list(options: &[String]) -> String {
    let opts: Vec<String> = options
        .iter()
        .map(|o| match o.split_once('=') {
            Some((k, v)) if v.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') => {
                format!("{}={v}", ident(k))
            }
            Some((k, v)) => format!("{}={}", ident(k), literal(v)),
            None => ident(o),
        })
        .collect();
    opts.join(", ")
}

fn with_options(options: &[String]) -> String {
    if options.is_empty() {
        return String::new();
    }
    format!(" WITH ({})", option_list(options))
}

/// `CREATE TABLE` with its local columns, then column-level settings and row security.
/// Constraints, indexes, triggers and policies are separate objects. `schema` holds a
/// partition's parent, whose NOT NULL constraint names the partition's follow.
pub fn table(schema: &Schema, t: &Table) -> Vec<String> {
    let name = t.name.sql();
    let mut sql = format!(
        "CREATE {}TABLE {name}",
        if t.unlogged { "UNLOGGED " } else { "" }
    );
    if let Some(p) = &t.partition_of {
        sql.push_str(&format!(" PARTITION OF {}", p.parent.sql()));
        let named: Vec<String> = schema
            .tables
            .get(&p.parent)
            .map(|parent| {
                t.columns
                    .values()
                    .filter_map(|c| {
                        let n = partition_not_null_name(t, parent, c)?;
                        Some(format!(
                            "{} CONSTRAINT {} NOT NULL",
                            ident(&c.name),
                            ident(n)
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !named.is_empty() {
            sql.push_str(&format!(" (\n    {}\n)", named.join(",\n    ")));
        }
        sql.push_str(&format!(" {}", p.bound));
    } else {
        let cols: Vec<String> = t
            .columns
            .values()
            .filter(|c| c.is_local)
            .map(|c| column_definition(&t.name, c))
            .collect();
        if cols.is_empty() {
            sql.push_str(" (\n)");
        } else {
            sql.push_str(&format!(" (\n    {}\n)", cols.join(",\n    ")));
        }
        if !t.inherits.is_empty() {
            let parents: Vec<String> = t.inherits.iter().map(|p| p.sql()).collect();
            sql.push_str(&format!(" INHERITS ({})", parents.join(", ")));
        }
    }
    if let Some(key) = &t.partition_by {
        sql.push_str(&format!(" PARTITION BY {key}"));
    }
    if let Some(am) = &t.access_method {
        sql.push_str(&format!(" USING {}", ident(am)));
    }
    sql.push_str(&with_options(&t.options));
    let mut out = vec![sql];
    for c in t.columns.values() {
        if let Some(st) = &c.storage {
            out.push(format!(
                "ALTER TABLE ONLY {name} ALTER COLUMN {} SET STORAGE {}",
                ident(&c.name),
                storage_keyword(st)
            ));
        }
        if let Some(n) = c.statistics {
            out.push(format!(
                "ALTER TABLE ONLY {name} ALTER COLUMN {} SET STATISTICS {n}",
                ident(&c.name)
            ));
        }
    }
    if t.rls_enabled {
        out.push(format!("ALTER TABLE {name} ENABLE ROW LEVEL SECURITY"));
    }
    if t.rls_forced {
        out.push(format!("ALTER TABLE {name} FORCE ROW LEVEL SECURITY"));
    }
    out
}

/// Column settings a partition or inheritance child has on columns it takes from its
/// parent but that differ from the parent's (`CREATE TABLE … PARTITION OF` / `INHERITS`
/// copy the parent's NOT NULL and defaults; anything else is set here).
pub fn inherited_column_overrides(schema: &Schema, t: &Table) -> Vec<String> {
    let parent = t
        .partition_of
        .as_ref()
        .map(|p| &p.parent)
        .or(t.inherits.first())
        .and_then(|p| schema.tables.get(p));
    let Some(parent) = parent else {
        return Vec::new();
    };
    let name = t.name.sql();
    let mut out = Vec::new();
    for c in t.columns.values() {
        if c.is_local && t.partition_of.is_none() {
            continue;
        }
        let Some(pc) = parent.columns.get(&c.name) else {
            continue;
        };
        if c.generated.is_some() || c.identity.is_some() {
            continue;
        }
        if c.not_null && !pc.not_null {
            match c.custom_not_null_name(&t.name.name) {
                // A partition's is written in its CREATE TABLE (partition_not_null_name).
                Some(_) if t.partition_of.is_some() => {}
                Some(n) => out.push(format!(
                    "ALTER TABLE ONLY {name} ADD CONSTRAINT {} NOT NULL {}",
                    ident(n),
                    ident(&c.name)
                )),
                None => out.push(format!(
                    "ALTER TABLE ONLY {name} ALTER COLUMN {} SET NOT NULL",
                    ident(&c.name)
                )),
            }
        }
        if c.default != pc.default {
            out.push(match &c.default {
                Some(d) => format!(
                    "ALTER TABLE ONLY {name} ALTER COLUMN {} SET DEFAULT {d}",
                    ident(&c.name)
                ),
                None => format!(
                    "ALTER TABLE ONLY {name} ALTER COLUMN {} DROP DEFAULT",
                    ident(&c.name)
                ),
            });
        }
    }
    out
}

/// `REPLICA IDENTITY`, once its index exists; `None` for the default.
pub fn replica_identity(t: &Table) -> Option<String> {
    let what = match &t.replica_identity {
        ReplicaIdentity::Default => return None,
        ReplicaIdentity::Nothing => "NOTHING".to_string(),
        ReplicaIdentity::Full => "FULL".to_string(),
        ReplicaIdentity::Index(i) => format!("USING INDEX {}", ident(i)),
    };
    Some(format!(
        "ALTER TABLE ONLY {} REPLICA IDENTITY {what}",
        t.name.sql()
    ))
}

/// `ALTER TABLE … ADD CONSTRAINT` (without ONLY, so partitions and inheritance children
/// get theirs as PostgreSQL makes them).
pub fn constraint(c: &Constraint) -> Vec<String> {
    vec![format!(
        "ALTER TABLE {} ADD CONSTRAINT {} {}",
        c.table.sql(),
        ident(&c.name),
        c.definition
    )]
}

/// `CREATE INDEX` as the server rendered it; a partition's index is then attached to its
/// parent's (`pg_get_indexdef` renders the parent's as `ON ONLY`).
pub fn index(i: &Index) -> Vec<String> {
    let mut out = vec![i.definition.clone()];
    if let Some(parent) = &i.parent_index {
        out.push(format!(
            "ALTER INDEX {} ATTACH PARTITION {}",
            parent.sql(),
            i.name.sql()
        ));
    }
    out
}

/// `ALTER TABLE … CLUSTER ON`, if the index was clustered on.
pub fn index_cluster(i: &Index) -> Option<String> {
    i.clustered.then(|| {
        format!(
            "ALTER TABLE ONLY {} CLUSTER ON {}",
            i.table.sql(),
            ident(&i.name.name)
        )
    })
}

fn view_query(definition: &str) -> &str {
    definition.trim().trim_end_matches(';').trim_end()
}

/// `CREATE VIEW`.
pub fn view(v: &View) -> Vec<String> {
    vec![format!(
        "CREATE VIEW {}{} AS\n{}",
        v.name.sql(),
        with_options(&v.options),
        view_query(&v.definition)
    )]
}

/// `CREATE MATERIALIZED VIEW … WITH [NO] DATA`.
pub fn materialized_view(m: &MaterializedView) -> Vec<String> {
    let using = m
        .access_method
        .as_ref()
        .map(|am| format!(" USING {}", ident(am)))
        .unwrap_or_default();
    vec![format!(
        "CREATE MATERIALIZED VIEW {}{using}{} AS\n{}\nWITH {}DATA",
        m.name.sql(),
        with_options(&m.options),
        view_query(&m.definition),
        if m.populated { "" } else { "NO " }
    )]
}

/// `CREATE FUNCTION/PROCEDURE` (the server's `pg_get_functiondef`) or `CREATE AGGREGATE`.
pub fn function(f: &Function) -> Vec<String> {
    if let Some(def) = &f.definition {
        return vec![def.trim_end().trim_end_matches(';').to_string()];
    }
    let Some(a) = &f.aggregate else {
        return Vec::new();
    };
    let mut opts = vec![
        format!("SFUNC = {}", a.sfunc),
        format!("STYPE = {}", a.stype),
    ];
    let mut push = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            opts.push(format!("{k} = {v}"));
        }
    };
    push("FINALFUNC", &a.finalfunc);
    push("COMBINEFUNC", &a.combinefunc);
    push("SERIALFUNC", &a.serialfunc);
    push("DESERIALFUNC", &a.deserialfunc);
    push("MSFUNC", &a.msfunc);
    push("MINVFUNC", &a.minvfunc);
    push("MSTYPE", &a.mstype);
    push("MFINALFUNC", &a.mfinalfunc);
    push("SORTOP", &a.sortop);
    if a.sspace != 0 {
        opts.push(format!("SSPACE = {}", a.sspace));
    }
    if a.msspace != 0 {
        opts.push(format!("MSSPACE = {}", a.msspace));
    }
    if let Some(v) = &a.initcond {
        opts.push(format!("INITCOND = {}", literal(v)));
    }
    if let Some(v) = &a.minitcond {
        opts.push(format!("MINITCOND = {}", literal(v)));
    }
    if a.finalfunc_extra {
        opts.push("FINALFUNC_EXTRA".to_string());
    }
    if a.mfinalfunc_extra {
        opts.push("MFINALFUNC_EXTRA".to_string());
    }
    let modify = |m: &str| match m {
        "s" => "SHAREABLE",
        "w" => "READ_WRITE",
        _ => "READ_ONLY",
    };
    // READ_ONLY is the default for normal aggregates, READ_WRITE for ordered-set ones.
    let default_modify = if a.aggkind == "n" { "r" } else { "w" };
    if a.finalfunc.is_some() && a.finalfunc_modify != default_modify {
        opts.push(format!(
            "FINALFUNC_MODIFY = {}",
            modify(&a.finalfunc_modify)
        ));
    }
    if a.mfinalfunc.is_some() && a.mfinalfunc_modify != default_modify {
        opts.push(format!(
            "MFINALFUNC_MODIFY = {}",
            modify(&a.mfinalfunc_modify)
        ));
    }
    if a.aggkind == "h" {
        opts.push("HYPOTHETICAL".to_string());
    }
    match f.parallel {
        ParallelSafety::Safe => opts.push("PARALLEL = SAFE".to_string()),
        ParallelSafety::Restricted => opts.push("PARALLEL = RESTRICTED".to_string()),
        ParallelSafety::Unsafe => {}
    }
    let args = if f.arguments.is_empty() {
        "*".to_string()
    } else {
        f.arguments.clone()
    };
    vec![format!(
        "CREATE AGGREGATE {}({args}) (\n    {}\n)",
        f.name.sql(),
        opts.join(",\n    ")
    )]
}

/// `CREATE TRIGGER` as the server rendered it, then its enabled state if not the default.
pub fn trigger(t: &Trigger) -> Vec<String> {
    let mut out = vec![t.definition.clone()];
    let state = match t.enabled {
        TriggerEnabled::Origin => None,
        TriggerEnabled::Disabled => Some("DISABLE TRIGGER"),
        TriggerEnabled::Replica => Some("ENABLE REPLICA TRIGGER"),
        TriggerEnabled::Always => Some("ENABLE ALWAYS TRIGGER"),
    };
    if let Some(state) = state {
        out.push(format!(
            "ALTER TABLE {} {state} {}",
            t.table.sql(),
            ident(&t.name)
        ));
    }
    out
}

/// `CREATE POLICY`.
pub fn policy(p: &Policy) -> Vec<String> {
    let command = match p.command {
        PolicyCommand::All => "ALL",
        PolicyCommand::Select => "SELECT",
        PolicyCommand::Insert => "INSERT",
        PolicyCommand::Update => "UPDATE",
        PolicyCommand::Delete => "DELETE",
    };
    let roles: Vec<String> = p
        .roles
        .iter()
        .map(|r| {
            if r == "public" {
                "PUBLIC".to_string()
            } else {
                ident(r)
            }
        })
        .collect();
    let mut sql = format!(
        "CREATE POLICY {} ON {} AS {} FOR {command} TO {}",
        ident(&p.name),
        p.table.sql(),
        if p.permissive {
            "PERMISSIVE"
        } else {
            "RESTRICTIVE"
        },
        roles.join(", ")
    );
    if let Some(u) = &p.using {
        sql.push_str(&format!(" USING ({u})"));
    }
    if let Some(c) = &p.with_check {
        sql.push_str(&format!(" WITH CHECK ({c})"));
    }
    vec![sql]
}

/// A function, procedure or aggregate as `COMMENT ON` and `DROP` name it:
/// `FUNCTION schema.name(args)` (`AGGREGATE schema.name(*)` without arguments). The model
/// says which kind it is; `None` for other identities.
pub fn routine(schema: &Schema, id: &ObjectId) -> Option<String> {
    let ObjectId::Function {
        schema: s,
        name,
        args,
    } = id
    else {
        return None;
    };
    let kind = match schema.functions.get(id).map(|f| f.kind) {
        Some(FunctionKind::Procedure) => "PROCEDURE",
        Some(FunctionKind::Aggregate) => "AGGREGATE",
        _ => "FUNCTION",
    };
    let args = if args.is_empty() && kind == "AGGREGATE" {
        "*"
    } else {
        args
    };
    Some(format!("{kind} {}({args})", qualified(s, name)))
}

/// `COMMENT ON … IS …` for any object identity. Functions need the model to know whether
/// they are procedures or aggregates.
pub fn comment(schema: &Schema, id: &ObjectId, text: &str) -> String {
    let target = match id {
        ObjectId::Schema(n) => format!("SCHEMA {}", ident(n)),
        ObjectId::Extension(n) => format!("EXTENSION {}", ident(n)),
        ObjectId::DomainConstraint(c) => {
            format!("CONSTRAINT {} ON DOMAIN {}", ident(&c.name), c.parent.sql())
        }
        ObjectId::Column(c) => format!("COLUMN {}.{}", c.parent.sql(), ident(&c.name)),
        ObjectId::Constraint(c) | ObjectId::Trigger(c) | ObjectId::Policy(c) => {
            format!("{} {} ON {}", id.kind_sql(), ident(&c.name), c.parent.sql())
        }
        ObjectId::Function { .. } => routine(schema, id).unwrap_or_default(),
        ObjectId::Collation(q)
        | ObjectId::Enum(q)
        | ObjectId::Domain(q)
        | ObjectId::Composite(q)
        | ObjectId::Range(q)
        | ObjectId::Sequence(q)
        | ObjectId::Table(q)
        | ObjectId::Index(q)
        | ObjectId::View(q)
        | ObjectId::MaterializedView(q) => format!("{} {}", id.kind_sql(), q.sql()),
    };
    format!("COMMENT ON {target} IS {}", literal(text))
}
