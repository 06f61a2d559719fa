//! COPY streams: main's `COPY … TO STDOUT` piped into the standin's `COPY … FROM STDIN`
//! without decoding rows. Memory is one buffer of [`BATCH`] bytes whatever the table size.

use bytes::{Bytes, BytesMut};
use futures_util::{pin_mut, SinkExt, StreamExt};

use crate::conn::Session;
use crate::data::error::{DataError, QueryContext};

/// Bytes gathered before one write to the standin: a few hundred rows, not one message per row.
const BATCH: usize = 256 * 1024;

/// Run `out_sql` on `from` and feed its output to `in_sql` on `to`; returns rows written.
pub async fn pipe(
    from: &Session,
    out_sql: &str,
    to: &Session,
    in_sql: &str,
) -> Result<u64, DataError> {
    let stream = from
        .copy_out(out_sql)
        .await
        .ctx(from.side, || format!("starting {}", brief(out_sql)))?;
    let sink = to
        .copy_in::<_, Bytes>(in_sql)
        .await
        .ctx(to.side, || format!("starting {}", brief(in_sql)))?;
    pin_mut!(stream);
    pin_mut!(sink);
    let mut buf = BytesMut::with_capacity(BATCH);
    while let Some(data) = stream.next().await {
        let data = data.ctx(from.side, || format!("reading {}", brief(out_sql)))?;
        buf.extend_from_slice(&data);
        if buf.len() >= BATCH {
            sink.send(buf.split().freeze())
                .await
                .ctx(to.side, || format!("writing {}", brief(in_sql)))?;
        }
    }
    if !buf.is_empty() {
        sink.send(buf.split().freeze())
            .await
            .ctx(to.side, || format!("writing {}", brief(in_sql)))?;
    }
    sink.as_mut()
        .finish()
        .await
        .ctx(to.side, || format!("finishing {}", brief(in_sql)))
}

/// The start of a statement, for error messages (a key list can be long).
pub fn brief(sql: &str) -> String {
    const MAX: usize = 160;
    if sql.len() <= MAX {
        return sql.to_string();
    }
    let mut end = MAX;
    while !sql.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &sql[..end])
}
