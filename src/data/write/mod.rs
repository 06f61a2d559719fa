//! What writes: move rows into the standin and put back what a bulk write set aside.
//!
//! - [`copy`]: `COPY TO STDOUT` on main piped into `COPY FROM STDIN` on the standin
//!   (a whole table, or into a stage of keys to fetch).
//! - [`merge`]: merge a stage or foreign table into a table (`INSERT … ON CONFLICT … WHERE
//!   row IS DISTINCT FROM`), counting inserted and updated rows; shared by the optional modes.
//! - [`indexes`]: drop and rebuild an empty table's indexes around its initial COPY.
//! - [`sequences`]: set the standin's sequences to main's values.
//!
//! The statements themselves (stage, upsert, delete) are in [`super::sql`]; the strategies
//! ([`super::strategy`]) decide what to write from the comparison ([`super::compare`]).

pub mod copy;
pub mod indexes;
pub mod merge;
pub mod sequences;
