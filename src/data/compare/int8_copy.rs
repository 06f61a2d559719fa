//! Read rows of non-null `int8` columns (and `uuid`s, as two `int8`s each) from a binary
//! `COPY … TO STDOUT (FORMAT binary)` stream, whatever the message boundaries. Binary COPY is the cheapest way for a server to
//! hand over millions of small rows: no text conversion and no per-row protocol message
//! beyond the COPY data itself.

/// The fixed part of a binary COPY header: signature, flags, extension length.
const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Int8CopyError {
    #[error("not a binary COPY stream")]
    Signature,
    #[error("a row has {0} columns, expected {1}")]
    Columns(i16, usize),
    #[error("a column is NULL or not 8 or 16 bytes long (length {0})")]
    Field(i32),
    #[error("the stream ended inside a row")]
    Truncated,
}

/// Incremental parser: feed it the stream's chunks, take rows out.
pub struct Int8Rows<const N: usize> {
    buf: Vec<u8>,
    pos: usize,
    header_done: bool,
    finished: bool,
}

impl<const N: usize> Default for Int8Rows<N> {
    fn default() -> Self {
        Int8Rows {
            buf: Vec::new(),
            pos: 0,
            header_done: false,
            finished: false,
        }
    }
}

impl<const N: usize> Int8Rows<N> {
    /// Append a chunk and call `row` for every complete row in what has arrived.
    pub fn feed(
        &mut self,
        chunk: &[u8],
        mut row: impl FnMut([i64; N]),
    ) -> Result<(), Int8CopyError> {
        // Keep only the unread tail, so the buffer stays one row long at most.
        self.buf.drain(..self.pos);
        self.pos = 0;
        self.buf.extend_from_slice(chunk);
        if !self.header_done {
            let fixed = SIGNATURE.len() + 8;
            if self.buf.len() < fixed {
                return Ok(());
            }
            if &self.buf[..SIGNATURE.len()] != SIGNATURE {
                return Err(Int8CopyError::Signature);
            }
            let ext = be_i32(&self.buf[SIGNATURE.len() + 4..fixed]).max(0) as usize;
            if self.buf.len() < fixed + ext {
                return Ok(());
            }
            self.pos = fixed + ext;
            self.header_done = true;
        }
        while !self.finished && self.buf.len() - self.pos >= 2 {
            let count = i16::from_be_bytes([self.buf[self.pos], self.buf[self.pos + 1]]);
            if count == -1 {
                self.finished = true;
                break;
            }
            // Each column fills one slot (8 bytes) or two (16: a uuid).
            let columns = usize::try_from(count).unwrap_or(usize::MAX);
            if columns > N || columns * 2 < N {
                return Err(Int8CopyError::Columns(count, N));
            }
            let Some((values, end)) = self.row(columns)? else {
                break;
            };
            row(values);
            self.pos = end;
        }
        Ok(())
    }

    /// The row of `columns` columns at `self.pos`, and where it ends; `None` until all of it
    /// has arrived.
    fn row(&self, columns: usize) -> Result<Option<([i64; N], usize)>, Int8CopyError> {
        let mut values = [0i64; N];
        let (mut slot, mut at) = (0, self.pos + 2);
        for _ in 0..columns {
            let Some(length) = self.buf.get(at..at + 4) else {
                return Ok(None);
            };
            let len = be_i32(length);
            if len != 8 && len != 16 {
                return Err(Int8CopyError::Field(len));
            }
            let Some(field) = self.buf.get(at + 4..at + 4 + len as usize) else {
                return Ok(None);
            };
            for half in field.chunks_exact(8) {
                let value = values
                    .get_mut(slot)
                    .ok_or(Int8CopyError::Columns(columns as i16, N))?;
                let mut bytes = [0u8; 8];
                bytes.copy_from_slice(half);
                *value = i64::from_be_bytes(bytes);
                slot += 1;
            }
            at += 4 + len as usize;
        }
        if slot != N {
            return Err(Int8CopyError::Columns(columns as i16, N));
        }
        Ok(Some((values, at)))
    }

    /// The stream is over: it must have ended on a row boundary.
    pub fn finish(&self) -> Result<(), Int8CopyError> {
        if self.finished || (self.header_done && self.pos == self.buf.len()) {
            Ok(())
        } else {
            Err(Int8CopyError::Truncated)
        }
    }
}

fn be_i32(bytes: &[u8]) -> i32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[..4]);
    i32::from_be_bytes(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(rows: &[[i64; 2]]) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        out.extend_from_slice(&0i32.to_be_bytes());
        out.extend_from_slice(&0i32.to_be_bytes());
        for row in rows {
            out.extend_from_slice(&2i16.to_be_bytes());
            for v in row {
                out.extend_from_slice(&8i32.to_be_bytes());
                out.extend_from_slice(&v.to_be_bytes());
            }
        }
        out.extend_from_slice(&(-1i16).to_be_bytes());
        out
    }

    #[test]
    fn rows_across_any_chunking() {
        let rows = [[1, -2], [i64::MAX, i64::MIN], [0, 7]];
        let data = stream(&rows);
        for chunk in [1, 3, 7, 26, data.len()] {
            let mut parser = Int8Rows::<2>::default();
            let mut got = Vec::new();
            for piece in data.chunks(chunk) {
                parser.feed(piece, |r| got.push(r)).unwrap();
            }
            parser.finish().unwrap();
            assert_eq!(got, rows, "chunks of {chunk}");
        }
    }

    #[test]
    fn errors() {
        let mut two_columns = SIGNATURE.to_vec();
        two_columns.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        let mut parser = Int8Rows::<1>::default();
        assert_eq!(
            parser.feed(&two_columns, |_| {}),
            Err(Int8CopyError::Columns(2, 1))
        );
        let mut parser = Int8Rows::<2>::default();
        assert_eq!(
            parser.feed(b"this is not a binary COPY stream", |_| {}),
            Err(Int8CopyError::Signature)
        );
        let data = stream(&[[1, 2]]);
        let mut parser = Int8Rows::<2>::default();
        parser.feed(&data[..data.len() - 5], |_| {}).unwrap();
        assert_eq!(parser.finish(), Err(Int8CopyError::Truncated));
        // Two uuids (four slots) where three are wanted.
        let mut short = SIGNATURE.to_vec();
        short.extend_from_slice(&[0; 8]);
        short.extend_from_slice(&2i16.to_be_bytes());
        for _ in 0..2 {
            short.extend_from_slice(&16i32.to_be_bytes());
            short.extend_from_slice(&[7; 16]);
        }
        let mut parser = Int8Rows::<3>::default();
        assert_eq!(
            parser.feed(&short, |_| {}),
            Err(Int8CopyError::Columns(2, 3))
        );
    }

    #[test]
    fn a_uuid_fills_two_slots() {
        let mut data = SIGNATURE.to_vec();
        data.extend_from_slice(&[0; 8]);
        data.extend_from_slice(&2i16.to_be_bytes());
        data.extend_from_slice(&8i32.to_be_bytes());
        data.extend_from_slice(&5i64.to_be_bytes());
        data.extend_from_slice(&16i32.to_be_bytes());
        data.extend_from_slice(&(-1i64).to_be_bytes());
        data.extend_from_slice(&3i64.to_be_bytes());
        data.extend_from_slice(&(-1i16).to_be_bytes());
        for chunk in [1, 5, data.len()] {
            let mut parser = Int8Rows::<3>::default();
            let mut got = Vec::new();
            for piece in data.chunks(chunk) {
                parser.feed(piece, |r| got.push(r)).unwrap();
            }
            parser.finish().unwrap();
            assert_eq!(got, [[5, -1, 3]], "chunks of {chunk}");
        }
    }
}
