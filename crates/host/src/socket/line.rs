//! Reading one line of the socket without ever holding more than a limit:
//! the server's requests ([`MAX_LINE`](super::protocol::MAX_LINE)), the
//! clients' answers and events
//! ([`MAX_ANSWER_LINE`](super::protocol::MAX_ANSWER_LINE)). A line over the
//! limit is reported as [`TooLong`] as soon as the limit is passed; the
//! rest of it is left unread (the server skips it with [`skip_line`], a
//! client hangs up).

use std::io::{self, BufRead};

use tokio::io::{AsyncBufRead, AsyncBufReadExt as _};

/// A line longer than `limit` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLong {
    pub limit: usize,
}

/// What one read gives: a line (without its newline), or one too long.
pub type Line = Result<Vec<u8>, TooLong>;

/// Adds `buf` up to its first newline to `line`: how many bytes it took
/// and whether the line ended; `Err` once `line` would pass `limit`.
fn take(line: &mut Vec<u8>, buf: &[u8], limit: usize) -> Result<(usize, bool), TooLong> {
    let (chunk, used, found) = match buf.iter().position(|&b| b == b'\n') {
        Some(i) => (buf.get(..i).unwrap_or_default(), i + 1, true),
        None => (buf, buf.len(), false),
    };
    if line.len() + chunk.len() > limit {
        return Err(TooLong { limit });
    }
    line.extend_from_slice(chunk);
    Ok((used, found))
}

/// The next line of at most `limit` bytes: `Ok(None)` at the end (a last
/// line without its newline included).
pub async fn read_line<R: AsyncBufRead + Unpin>(
    rd: &mut R,
    limit: usize,
) -> io::Result<Option<Line>> {
    let mut line = Vec::new();
    loop {
        let buf = rd.fill_buf().await?;
        if buf.is_empty() {
            return Ok(None);
        }
        match take(&mut line, buf, limit) {
            Ok((used, found)) => {
                rd.consume(used);
                if found {
                    return Ok(Some(Ok(line)));
                }
            }
            Err(too_long) => return Ok(Some(Err(too_long))),
        }
    }
}

/// Reads up to and with the next newline, holding none of it: `false` when
/// the stream ended first.
pub async fn skip_line<R: AsyncBufRead + Unpin>(rd: &mut R) -> io::Result<bool> {
    loop {
        let buf = rd.fill_buf().await?;
        if buf.is_empty() {
            return Ok(false);
        }
        let (used, found) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        rd.consume(used);
        if found {
            return Ok(true);
        }
    }
}

/// [`read_line`] on a blocking reader.
pub fn read_line_blocking<R: BufRead>(rd: &mut R, limit: usize) -> io::Result<Option<Line>> {
    let mut line = Vec::new();
    loop {
        let buf = rd.fill_buf()?;
        if buf.is_empty() {
            return Ok(None);
        }
        match take(&mut line, buf, limit) {
            Ok((used, found)) => {
                rd.consume(used);
                if found {
                    return Ok(Some(Ok(line)));
                }
            }
            Err(too_long) => return Ok(Some(Err(too_long))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_within_the_limit_are_read_and_longer_ones_refused() {
        let mut rd = io::Cursor::new(b"abc\n\nabcdef\nrest".to_vec());
        assert_eq!(
            read_line_blocking(&mut rd, 5).unwrap(),
            Some(Ok(b"abc".to_vec()))
        );
        assert_eq!(
            read_line_blocking(&mut rd, 5).unwrap(),
            Some(Ok(Vec::new()))
        );
        assert_eq!(
            read_line_blocking(&mut rd, 5).unwrap(),
            Some(Err(TooLong { limit: 5 }))
        );
        // A last line without its newline is no line.
        let mut rd = io::Cursor::new(b"rest".to_vec());
        assert_eq!(read_line_blocking(&mut rd, 5).unwrap(), None);
    }

    #[tokio::test]
    async fn a_long_line_is_skipped_to_its_newline() {
        let mut rd = tokio::io::BufReader::with_capacity(4, &b"0123456789\nnext\n"[..]);
        assert_eq!(
            read_line(&mut rd, 5).await.unwrap(),
            Some(Err(TooLong { limit: 5 }))
        );
        assert!(skip_line(&mut rd).await.unwrap());
        assert_eq!(
            read_line(&mut rd, 5).await.unwrap(),
            Some(Ok(b"next".to_vec()))
        );
        assert_eq!(read_line(&mut rd, 5).await.unwrap(), None);
        assert!(!skip_line(&mut rd).await.unwrap());
    }
}
