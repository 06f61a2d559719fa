//! Stable identities: how an object is named in both databases, never by OID.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::quote;

/// `schema.name` of a schema-scoped object (relation, type, sequence, index, collation).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct QualifiedName {
    /// Schema (namespace) name, unquoted.
    pub schema: String,
    /// Object name, unquoted.
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName {
            schema: schema.into(),
            name: name.into(),
        }
    }

    /// The quoted SQL form, `schema.name`.
    pub fn sql(&self) -> String {
        quote::qualified(&self.schema, &self.name)
    }
}

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql())
    }
}

/// An object that lives on a parent (a constraint, trigger or policy on a table, a column
/// of a relation or composite type, a CHECK constraint of a domain): parent + own name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TableChild {
    /// The table (relation, or domain for domain constraints) it belongs to.
    pub parent: QualifiedName,
    /// Its own name, unique within the parent.
    pub name: String,
}

impl TableChild {
    pub fn new(parent: QualifiedName, name: impl Into<String>) -> Self {
        TableChild {
            parent,
            name: name.into(),
        }
    }
}

/// The identity of any object in the model: kind + schema + name (+ parent for
/// table-scoped objects, + identity argument types for functions).
///
/// Used as the key of comments and dependencies and as the node key of the dependency
/// graph. The derived order (kind first, then names) is the tie-break of every sort.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ObjectId {
    /// A schema (namespace), by name.
    Schema(String),
    /// An extension, by name (extension names are database-wide).
    Extension(String),
    /// A collation.
    Collation(QualifiedName),
    /// An enum type.
    Enum(QualifiedName),
    /// A domain.
    Domain(QualifiedName),
    /// A CHECK constraint of a domain (parent = the domain).
    DomainConstraint(TableChild),
    /// A free-standing composite type.
    Composite(QualifiedName),
    /// A range type.
    Range(QualifiedName),
    /// A sequence (not an identity column's sequence).
    Sequence(QualifiedName),
    /// A table (ordinary, partitioned or partition).
    Table(QualifiedName),
    /// A column of a table, view, materialized view or composite type (parent = it).
    Column(TableChild),
    /// A table constraint (parent = the table).
    Constraint(TableChild),
    /// An index (in the schema of its table).
    Index(QualifiedName),
    /// A view.
    View(QualifiedName),
    /// A materialized view.
    MaterializedView(QualifiedName),
    /// A function, procedure or aggregate: schema, name and the identity argument types as
    /// `pg_get_function_identity_arguments` renders them (e.g. `a integer, b text`).
    Function {
        schema: String,
        name: String,
        args: String,
    },
    /// A trigger (parent = its table).
    Trigger(TableChild),
    /// A row-level security policy (parent = its table).
    Policy(TableChild),
    /// A foreign-data wrapper, by name (database-wide).
    ForeignDataWrapper(String),
    /// A foreign server, by name (database-wide).
    ForeignServer(String),
    /// A user mapping: its server and role (`None`: `PUBLIC`).
    UserMapping {
        server: String,
        role: Option<String>,
    },
    /// A foreign table.
    ForeignTable(QualifiedName),
    /// A publication, by name (database-wide).
    Publication(String),
    /// A text search parser.
    TsParser(QualifiedName),
    /// A text search template.
    TsTemplate(QualifiedName),
    /// A text search dictionary.
    TsDictionary(QualifiedName),
    /// A text search configuration (and its mappings).
    TsConfig(QualifiedName),
    /// A cast, by source and target type as `format_type` prints them (casts belong to
    /// no schema).
    Cast { source: String, target: String },
    /// An encoding conversion.
    Conversion(QualifiedName),
    /// An operator: schema, name (its symbols) and the argument types as `DROP OPERATOR`
    /// writes them (`integer, integer`; `NONE, integer` for a prefix operator).
    Operator {
        schema: String,
        name: String,
        args: String,
    },
    /// An extended statistics object (in its own schema, which may differ from its table's).
    Statistics(QualifiedName),
    /// A rewrite rule (parent = its table or view).
    Rule(TableChild),
    /// An event trigger, by name (event triggers are database-wide).
    EventTrigger(String),
}

impl ObjectId {
    /// Whether this is the relation (table, view, materialized view, composite type)
    /// named `q`: what a column of `q` belongs to.
    pub fn is_relation_named(&self, q: &QualifiedName) -> bool {
        matches!(
            self,
            ObjectId::Table(n) | ObjectId::View(n) | ObjectId::MaterializedView(n) | ObjectId::Composite(n)
                if n == q
        )
    }

    /// The SQL keyword phrase for the kind, as in `COMMENT ON <kind> …`.
    pub fn kind_sql(&self) -> &'static str {
        match self {
            ObjectId::Schema(_) => "SCHEMA",
            ObjectId::Extension(_) => "EXTENSION",
            ObjectId::Collation(_) => "COLLATION",
            ObjectId::Enum(_) | ObjectId::Composite(_) | ObjectId::Range(_) => "TYPE",
            ObjectId::Domain(_) => "DOMAIN",
            ObjectId::DomainConstraint(_) => "CONSTRAINT",
            ObjectId::Sequence(_) => "SEQUENCE",
            ObjectId::Table(_) => "TABLE",
            ObjectId::Column(_) => "COLUMN",
            ObjectId::Constraint(_) => "CONSTRAINT",
            ObjectId::Index(_) => "INDEX",
            ObjectId::View(_) => "VIEW",
            ObjectId::MaterializedView(_) => "MATERIALIZED VIEW",
            ObjectId::Function { .. } => "FUNCTION",
            ObjectId::Trigger(_) => "TRIGGER",
            ObjectId::Policy(_) => "POLICY",
            ObjectId::ForeignDataWrapper(_) => "FOREIGN DATA WRAPPER",
            ObjectId::ForeignServer(_) => "SERVER",
            ObjectId::UserMapping { .. } => "USER MAPPING",
            ObjectId::ForeignTable(_) => "FOREIGN TABLE",
            ObjectId::Publication(_) => "PUBLICATION",
            ObjectId::TsParser(_) => "TEXT SEARCH PARSER",
            ObjectId::TsTemplate(_) => "TEXT SEARCH TEMPLATE",
            ObjectId::TsDictionary(_) => "TEXT SEARCH DICTIONARY",
            ObjectId::TsConfig(_) => "TEXT SEARCH CONFIGURATION",
            ObjectId::Cast { .. } => "CAST",
            ObjectId::Conversion(_) => "CONVERSION",
            ObjectId::Operator { .. } => "OPERATOR",
            ObjectId::Statistics(_) => "STATISTICS",
            ObjectId::Rule(_) => "RULE",
            ObjectId::EventTrigger(_) => "EVENT TRIGGER",
        }
    }

    /// The schema the object lives in (`None` for schemas, extensions and the
    /// database-wide objects: SQL/MED objects, publications, casts, event triggers).
    pub fn schema(&self) -> Option<&str> {
        match self {
            ObjectId::Schema(_)
            | ObjectId::Extension(_)
            | ObjectId::ForeignDataWrapper(_)
            | ObjectId::ForeignServer(_)
            | ObjectId::UserMapping { .. }
            | ObjectId::Publication(_)
            | ObjectId::Cast { .. }
            | ObjectId::EventTrigger(_) => None,
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
            | ObjectId::ForeignTable(q) => Some(&q.schema),
            ObjectId::TsParser(q)
            | ObjectId::TsTemplate(q)
            | ObjectId::TsDictionary(q)
            | ObjectId::TsConfig(q)
            | ObjectId::Conversion(q) => Some(&q.schema),
            ObjectId::Statistics(q) => Some(&q.schema),
            ObjectId::DomainConstraint(c)
            | ObjectId::Column(c)
            | ObjectId::Constraint(c)
            | ObjectId::Trigger(c)
            | ObjectId::Policy(c)
            | ObjectId::Rule(c) => Some(&c.parent.schema),
            ObjectId::Function { schema, .. } | ObjectId::Operator { schema, .. } => Some(schema),
        }
    }
}

impl fmt::Display for ObjectId {
    /// A human-readable name for messages: `table public."Order"`, `function f(integer)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectId::Schema(n) => write!(f, "schema {}", quote::ident(n)),
            ObjectId::Extension(n) => write!(f, "extension {}", quote::ident(n)),
            ObjectId::Collation(q) => write!(f, "collation {q}"),
            ObjectId::Enum(q) => write!(f, "enum type {q}"),
            ObjectId::Domain(q) => write!(f, "domain {q}"),
            ObjectId::DomainConstraint(c) => {
                write!(
                    f,
                    "constraint {} on domain {}",
                    quote::ident(&c.name),
                    c.parent
                )
            }
            ObjectId::Composite(q) => write!(f, "composite type {q}"),
            ObjectId::Range(q) => write!(f, "range type {q}"),
            ObjectId::Sequence(q) => write!(f, "sequence {q}"),
            ObjectId::Table(q) => write!(f, "table {q}"),
            ObjectId::Column(c) => write!(f, "column {}.{}", c.parent, quote::ident(&c.name)),
            ObjectId::Constraint(c) => {
                write!(f, "constraint {} on {}", quote::ident(&c.name), c.parent)
            }
            ObjectId::Index(q) => write!(f, "index {q}"),
            ObjectId::View(q) => write!(f, "view {q}"),
            ObjectId::MaterializedView(q) => write!(f, "materialized view {q}"),
            ObjectId::Function { schema, name, args } => {
                write!(f, "function {}({args})", quote::qualified(schema, name))
            }
            ObjectId::Trigger(c) => write!(f, "trigger {} on {}", quote::ident(&c.name), c.parent),
            ObjectId::Policy(c) => write!(f, "policy {} on {}", quote::ident(&c.name), c.parent),
            ObjectId::ForeignDataWrapper(n) => {
                write!(f, "foreign-data wrapper {}", quote::ident(n))
            }
            ObjectId::ForeignServer(n) => write!(f, "server {}", quote::ident(n)),
            ObjectId::UserMapping { server, role } => write!(
                f,
                "user mapping for {} on server {}",
                role.as_deref()
                    .map_or_else(|| "PUBLIC".to_string(), quote::ident),
                quote::ident(server)
            ),
            ObjectId::ForeignTable(q) => write!(f, "foreign table {q}"),
            ObjectId::Publication(n) => write!(f, "publication {}", quote::ident(n)),
            ObjectId::TsParser(q) => write!(f, "text search parser {q}"),
            ObjectId::TsTemplate(q) => write!(f, "text search template {q}"),
            ObjectId::TsDictionary(q) => write!(f, "text search dictionary {q}"),
            ObjectId::TsConfig(q) => write!(f, "text search configuration {q}"),
            ObjectId::Cast { source, target } => write!(f, "cast ({source} AS {target})"),
            ObjectId::Conversion(q) => write!(f, "conversion {q}"),
            ObjectId::Operator { schema, name, args } => {
                write!(f, "operator {}.{name}({args})", quote::ident(schema))
            }
            ObjectId::Statistics(q) => write!(f, "statistics {q}"),
            ObjectId::Rule(c) => write!(f, "rule {} on {}", quote::ident(&c.name), c.parent),
            ObjectId::EventTrigger(n) => write!(f, "event trigger {}", quote::ident(n)),
        }
    }
}
