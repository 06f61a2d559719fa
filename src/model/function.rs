//! Functions, procedures and aggregates.

use serde::{Deserialize, Serialize};

use super::QualifiedName;

/// A function, procedure or aggregate. Keyed in [`super::Schema::functions`] by
/// [`super::ObjectId::Function`] (schema, name, identity argument types).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    /// Schema and name.
    pub name: QualifiedName,
    /// `pg_get_function_identity_arguments`: the types that identify it (`a integer`).
    pub identity_args: String,
    /// `pg_get_function_arguments`: full argument list with modes, names, defaults,
    /// `VARIADIC`.
    pub arguments: String,
    /// `pg_get_function_result`: `integer`, `SETOF t`, `TABLE(a int, …)`; `None` for
    /// procedures.
    pub result: Option<String>,
    /// Function, procedure, aggregate or window function.
    pub kind: FunctionKind,
    /// Language name (`sql`, `plpgsql`, `c`, `internal`).
    pub language: String,
    /// `IMMUTABLE` / `STABLE` / `VOLATILE`.
    pub volatility: Volatility,
    /// `STRICT` (`RETURNS NULL ON NULL INPUT`).
    pub strict: bool,
    /// `SECURITY DEFINER`.
    pub security_definer: bool,
    /// `LEAKPROOF`.
    pub leakproof: bool,
    /// `PARALLEL SAFE / RESTRICTED / UNSAFE`.
    pub parallel: ParallelSafety,
    /// `COST` (`procost`).
    pub cost: String,
    /// `ROWS` (`prorows`), for set-returning functions.
    pub rows: String,
    /// `SET name = value` clauses (`proconfig`), as stored.
    pub config: Vec<String>,
    /// `pg_get_functiondef`: the complete `CREATE OR REPLACE FUNCTION/PROCEDURE` statement
    /// with every attribute and the body; `None` for aggregates, which it cannot render.
    pub definition: Option<String>,
    /// Aggregate details when [`FunctionKind::Aggregate`].
    pub aggregate: Option<Aggregate>,
    /// Owner role name (not rendered yet).
    pub owner: String,
}

/// What kind of routine (`prokind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FunctionKind {
    Function,
    Procedure,
    Aggregate,
    Window,
}

/// `provolatile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Volatility {
    Immutable,
    Stable,
    Volatile,
}

/// `proparallel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParallelSafety {
    Safe,
    Restricted,
    Unsafe,
}

/// The parts of `CREATE AGGREGATE` (from `pg_aggregate`); functions are qualified, quoted
/// SQL names (`regproc` text), types are `format_type` text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregate {
    /// `n` normal, `o` ordered-set, `h` hypothetical-set.
    pub aggkind: String,
    /// Number of direct arguments (ordered-set aggregates).
    pub num_direct_args: i16,
    /// `SFUNC`.
    pub sfunc: String,
    /// `STYPE`.
    pub stype: String,
    /// `SSPACE` when non-zero.
    pub sspace: i32,
    /// `FINALFUNC`.
    pub finalfunc: Option<String>,
    /// `FINALFUNC_EXTRA`.
    pub finalfunc_extra: bool,
    /// `FINALFUNC_MODIFY` (`r`, `s`, `w`).
    pub finalfunc_modify: String,
    /// `COMBINEFUNC`.
    pub combinefunc: Option<String>,
    /// `SERIALFUNC`.
    pub serialfunc: Option<String>,
    /// `DESERIALFUNC`.
    pub deserialfunc: Option<String>,
    /// `INITCOND`.
    pub initcond: Option<String>,
    /// `MSFUNC`.
    pub msfunc: Option<String>,
    /// `MINVFUNC`.
    pub minvfunc: Option<String>,
    /// `MSTYPE`.
    pub mstype: Option<String>,
    /// `MSSPACE` when non-zero.
    pub msspace: i32,
    /// `MFINALFUNC`.
    pub mfinalfunc: Option<String>,
    /// `MFINALFUNC_EXTRA`.
    pub mfinalfunc_extra: bool,
    /// `MFINALFUNC_MODIFY`.
    pub mfinalfunc_modify: String,
    /// `MINITCOND`.
    pub minitcond: Option<String>,
    /// `SORTOP` (operator, as `regoperator` text).
    pub sortop: Option<String>,
}
