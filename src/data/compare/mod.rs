//! What compares: find which rows differ between main and the standin without moving them.
//!
//! - [`fingerprint`]: per-row and per-key 64-bit fingerprints (SQL expressions).
//! - [`buckets`]: both sides stream `(key hash, fingerprint)` per row; pgsyncer sums them
//!   per bucket and selects the differing buckets (also the server-side aggregate form).
//! - [`keydiff`]: keyed comparison: bucket sums, then the differing buckets' rows listed in
//!   key-hash order and merged; [`keydiff::KeyWriter`] batches the keys to fetch and delete.
//! - [`reconcile`]: integer and uuid keys with few likely differences: differing keys read
//!   off invertible sums of the bucket stream, no listing.
//! - [`int8_copy`]: parser of binary COPY streams of `int8` columns.
//! - [`cursor`]: server-side cursor read in batches.
//!
//! The strategies ([`super::strategy`]) combine these with the writes ([`super::write`]).

pub mod buckets;
pub(in crate::data) mod cursor;
pub mod fingerprint;
pub mod int8_copy;
pub mod keydiff;
pub(in crate::data) mod reconcile;
