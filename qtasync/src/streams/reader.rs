//! asyncio's `StreamReader`: buffered reads (`read`, `readline`, `readexactly`, `readuntil`).

use std::fmt;
use std::io;

use futures_io::AsyncRead;
use futures_util::AsyncReadExt;

/// asyncio's default buffer limit for `readline`/`readuntil` (64 KiB).
pub const DEFAULT_LIMIT: usize = 64 * 1024;

/// The end of stream came before the expected bytes (asyncio's `IncompleteReadError`); the
/// `io::Error` of kind `UnexpectedEof` carries it (`error.get_ref()` and `downcast_ref`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncompleteReadError {
    /// What was read before the end.
    pub partial: Vec<u8>,
    /// How many bytes were expected (`None`: a separator was).
    pub expected: Option<usize>,
}

impl fmt::Display for IncompleteReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.expected {
            Some(n) => {
                write!(f, "{} bytes read on a total of {n} expected bytes", self.partial.len())
            }
            None => write!(f, "{} bytes read before the end, no separator", self.partial.len()),
        }
    }
}

impl std::error::Error for IncompleteReadError {}

/// The separator was not found within the limit (asyncio's `LimitOverrunError`); carried by an
/// `io::Error` of kind `InvalidData`. The data stays in the buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitOverrunError {
    /// Bytes buffered when the limit was reached.
    pub consumed: usize,
}

impl fmt::Display for LimitOverrunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "separator not found within the limit ({} bytes buffered)", self.consumed)
    }
}

impl std::error::Error for LimitOverrunError {}

/// The reading side of a connection (asyncio's `StreamReader`), from
/// [`open_connection`](super::open_connection) or a [`start_server`](super::start_server)
/// callback.
pub struct StreamReader {
    inner: Box<dyn AsyncRead + Unpin>,
    buffer: Vec<u8>,
    eof: bool,
    limit: usize,
}

impl StreamReader {
    /// A reader over any `AsyncRead` with the given line limit.
    pub fn new(inner: impl AsyncRead + Unpin + 'static, limit: usize) -> Self {
        StreamReader { inner: Box::new(inner), buffer: Vec::new(), eof: false, limit }
    }

    /// Whether the end of stream was reached and the buffer is empty.
    pub fn at_eof(&self) -> bool {
        self.eof && self.buffer.is_empty()
    }

    /// Reads more into the buffer; false at the end of stream.
    async fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let mut chunk = [0; 8192];
        let n = self.inner.read(&mut chunk).await?;
        if n == 0 {
            self.eof = true;
            return Ok(false);
        }
        self.buffer.extend_from_slice(&chunk[..n]);
        Ok(true)
    }

    /// Up to `n` bytes: what is buffered, or one read; empty at the end of stream.
    pub async fn read(&mut self, n: usize) -> io::Result<Vec<u8>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        if self.buffer.is_empty() {
            self.fill().await?;
        }
        let take = n.min(self.buffer.len());
        Ok(self.buffer.drain(..take).collect())
    }

    /// Everything up to the end of stream (asyncio's `read(-1)`).
    pub async fn read_to_end(&mut self) -> io::Result<Vec<u8>> {
        while self.fill().await? {}
        Ok(std::mem::take(&mut self.buffer))
    }

    /// Exactly `n` bytes; at an early end of stream an `UnexpectedEof` error carrying an
    /// [`IncompleteReadError`] with what was read (which is consumed).
    pub async fn readexactly(&mut self, n: usize) -> io::Result<Vec<u8>> {
        while self.buffer.len() < n {
            if !self.fill().await? {
                let partial = std::mem::take(&mut self.buffer);
                let error = IncompleteReadError { partial, expected: Some(n) };
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, error));
            }
        }
        Ok(self.buffer.drain(..n).collect())
    }

    /// Up to and including `separator`; at the end of stream without it, an `UnexpectedEof`
    /// error carrying an [`IncompleteReadError`]; past the limit, an `InvalidData` error
    /// carrying a [`LimitOverrunError`] (the data stays buffered).
    pub async fn readuntil(&mut self, separator: &[u8]) -> io::Result<Vec<u8>> {
        if separator.is_empty() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "empty separator"));
        }
        let mut searched = 0;
        loop {
            if let Some(at) = find(&self.buffer[searched..], separator) {
                let end = searched + at + separator.len();
                return Ok(self.buffer.drain(..end).collect());
            }
            searched = self.buffer.len().saturating_sub(separator.len() - 1);
            if self.buffer.len() > self.limit {
                let error = LimitOverrunError { consumed: self.buffer.len() };
                return Err(io::Error::new(io::ErrorKind::InvalidData, error));
            }
            if !self.fill().await? {
                let partial = std::mem::take(&mut self.buffer);
                let error = IncompleteReadError { partial, expected: None };
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, error));
            }
        }
    }

    /// One line, `\n` included; at the end of stream what is left (empty when nothing is).
    pub async fn readline(&mut self) -> io::Result<Vec<u8>> {
        match self.readuntil(b"\n").await {
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => {
                let partial = error
                    .into_inner()
                    .and_then(|inner| inner.downcast::<IncompleteReadError>().ok())
                    .map(|incomplete| incomplete.partial)
                    .unwrap_or_default();
                Ok(partial)
            }
            result => result,
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

impl fmt::Debug for StreamReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamReader")
            .field("buffered", &self.buffer.len())
            .field("eof", &self.eof)
            .finish()
    }
}
