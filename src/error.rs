//! The top-level error: every module's error converts into it, and [`Error::exit_code`]
//! maps it to the process status (1 for failures, 2 for usage errors).

// The chain report lives in the leaf module `report`, so the modules this error wraps can use
// it without importing this one; kept reachable here for `main.rs` and the tests.
pub use crate::report::{pg_reason, report};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input on the command line (exit 2).
    #[error("{0}")]
    Usage(String),
    #[error("{0} is not implemented yet")]
    NotImplemented(&'static str),
    #[error(transparent)]
    Connect(#[from] crate::conn::ConnectError),
    #[error(transparent)]
    Identity(#[from] crate::conn::identity::IdentityError),
    #[error(transparent)]
    Preflight(#[from] crate::commands::preflight::PreflightError),
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
    #[error(transparent)]
    Ddl(#[from] crate::ddl::DdlError),
    #[error(transparent)]
    Plan(#[from] crate::plan::PlanError),
    #[error(transparent)]
    Apply(#[from] crate::apply::ApplyError),
    #[error(transparent)]
    Sandbox(#[from] crate::sandbox::SandboxError),
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
    #[error("demo: {0}")]
    Demo(String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }
}
