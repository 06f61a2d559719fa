//! The integration tests, in one test binary: each former `tests/<name>.rs` is a module here,
//! so the crate is linked into one test executable instead of ten, and all tests share one
//! throwaway cluster (`support`). Run one module with `cargo test --test it <module>::`.
// Integration tests: helpers outside #[test] functions may unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod access;
mod cli;
mod conn;
mod data;
mod dump;
mod incremental;
mod plan;
mod safety;
mod sandbox;
mod tls;
