//! The guarantees a tool pointed at production must keep (issue 12): nothing lost, nothing
//! leaked, no exit 0 when nothing or the wrong thing was synced. One module per guarantee;
//! each test fails on code without the guard it covers.
mod aliases;
mod byte_keys;
mod comments;
mod fdw_secret;
mod filters;
mod identity;
mod nothing_synced;
mod partitions;
mod reporting;
mod rls;
