//! Pieces of DDL more than one kind writes (sequence options, storage parameters, a
//! routine's signature) and `COMMENT ON` for any object, from the model alone (no I/O).
//! Each kind's own `CREATE` is in its file, `src/kinds/<kind>.rs`.

use crate::model::*;
use crate::quote::{ident, literal, qualified};

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

/// Storage parameters (`name=value` as in `reloptions`) as SQL: `name=value, …`, the
/// value quoted unless it is a plain word or number.
pub fn option_list(options: &[String]) -> String {
    let opts: Vec<String> = options
        .iter()
        .map(|o| match o.split_once('=') {
            Some((k, v)) if v.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') => {
                format!("{}={v}", option_name(k))
            }
            Some((k, v)) => format!("{}={}", option_name(k), literal(v)),
            None => option_name(o),
        })
        .collect();
    opts.join(", ")
}

/// A storage parameter's name as SQL: a table's TOAST parameters are `toast.name`, a
/// namespace and a name, each an identifier.
pub fn option_name(name: &str) -> String {
    match name.split_once('.') {
        Some((namespace, name)) => format!("{}.{}", ident(namespace), ident(name)),
        None => ident(name),
    }
}

pub(crate) fn with_options(options: &[String]) -> String {
    if options.is_empty() {
        return String::new();
    }
    format!(" WITH ({})", option_list(options))
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
    format!(
        "COMMENT ON {} IS {}",
        comment_target(schema, id),
        literal(text)
    )
}

/// How `COMMENT ON` (and `ALTER … OWNER TO`) names `id`: `TABLE s.t`, `COLUMN s.t.c`,
/// `TRIGGER t ON s.t`, `FUNCTION s.f(int)`, …
pub fn comment_target(schema: &Schema, id: &ObjectId) -> String {
    match id {
        ObjectId::Schema(n) => format!("SCHEMA {}", ident(n)),
        ObjectId::Extension(n) => format!("EXTENSION {}", ident(n)),
        ObjectId::ForeignDataWrapper(n) | ObjectId::ForeignServer(n) | ObjectId::Publication(n) => {
            format!("{} {}", id.kind_sql(), ident(n))
        }
        // PostgreSQL has no COMMENT ON USER MAPPING: the catalog never reads one.
        ObjectId::UserMapping { server, role } => format!(
            "USER MAPPING FOR {} SERVER {}",
            role.as_deref().map_or_else(|| "PUBLIC".to_string(), ident),
            ident(server)
        ),
        ObjectId::DomainConstraint(c) => {
            format!("CONSTRAINT {} ON DOMAIN {}", ident(&c.name), c.parent.sql())
        }
        ObjectId::Column(c) => format!("COLUMN {}.{}", c.parent.sql(), ident(&c.name)),
        ObjectId::EventTrigger(n) => format!("EVENT TRIGGER {}", ident(n)),
        ObjectId::Constraint(c)
        | ObjectId::Trigger(c)
        | ObjectId::Policy(c)
        | ObjectId::Rule(c) => {
            format!("{} {} ON {}", id.kind_sql(), ident(&c.name), c.parent.sql())
        }
        ObjectId::Function { .. } => routine(schema, id).unwrap_or_default(),
        ObjectId::Cast { source, target } => format!("CAST ({source} AS {target})"),
        ObjectId::Operator { schema, name, args } => {
            format!("OPERATOR {}.{name} ({args})", ident(schema))
        }
        ObjectId::Collation(q)
        | ObjectId::Enum(q)
        | ObjectId::Domain(q)
        | ObjectId::Composite(q)
        | ObjectId::Range(q)
        | ObjectId::Sequence(q)
        | ObjectId::Table(q)
        | ObjectId::Index(q)
        | ObjectId::View(q)
        | ObjectId::MaterializedView(q)
        | ObjectId::ForeignTable(q) => format!("{} {}", id.kind_sql(), q.sql()),
        ObjectId::TsParser(q)
        | ObjectId::TsTemplate(q)
        | ObjectId::TsDictionary(q)
        | ObjectId::TsConfig(q)
        | ObjectId::Conversion(q) => format!("{} {}", id.kind_sql(), q.sql()),
        ObjectId::Statistics(q) => format!("{} {}", id.kind_sql(), q.sql()),
    }
}
