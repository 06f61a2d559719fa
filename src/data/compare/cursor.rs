//! A server-side cursor read in batches. Unlike a row stream, it leaves the session free
//! between batches, so the rows a comparison finds can be fetched and written on the same
//! sessions while it goes on; memory is one batch.

use std::collections::VecDeque;

use tokio_postgres::Row;

use crate::conn::Session;
use crate::data::error::{DataError, QueryContext};
use crate::quote::ident;

/// Rows per `FETCH`.
const BATCH: usize = 5_000;

pub struct Cursor<'s> {
    session: &'s Session,
    name: String,
    fetch: String,
    rows: VecDeque<Row>,
    done: bool,
}

impl<'s> Cursor<'s> {
    /// `DECLARE` a cursor `name` for `query` (the session must be in a transaction).
    pub async fn open(
        session: &'s Session,
        name: &str,
        query: &str,
    ) -> Result<Cursor<'s>, DataError> {
        let declare = format!("DECLARE {} NO SCROLL CURSOR FOR {query}", ident(name));
        session
            .batch_execute(&declare)
            .await
            .ctx(session.side, || declare.clone())?;
        Ok(Cursor {
            session,
            name: name.to_string(),
            fetch: format!("FETCH FORWARD {BATCH} FROM {}", ident(name)),
            rows: VecDeque::new(),
            done: false,
        })
    }

    async fn fill(&mut self) -> Result<(), DataError> {
        if self.rows.is_empty() && !self.done {
            let rows = self
                .session
                .query(&self.fetch, &[])
                .await
                .ctx(self.session.side, || self.fetch.clone())?;
            self.done = rows.len() < BATCH;
            self.rows.extend(rows);
        }
        Ok(())
    }

    /// The next row, left in place.
    pub async fn peek(&mut self) -> Result<Option<&Row>, DataError> {
        self.fill().await?;
        Ok(self.rows.front())
    }

    pub async fn next(&mut self) -> Result<Option<Row>, DataError> {
        self.fill().await?;
        Ok(self.rows.pop_front())
    }

    pub async fn close(self) -> Result<(), DataError> {
        let close = format!("CLOSE {}", ident(&self.name));
        self.session
            .batch_execute(&close)
            .await
            .ctx(self.session.side, || close.clone())
    }
}
