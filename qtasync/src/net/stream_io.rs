//! `futures::io::{AsyncRead, AsyncWrite}` for the stream sockets, on the type and on `&type`
//! (one task reads while another writes). Writes use `send(MSG_NOSIGNAL)`: writing to a closed
//! peer is an `EPIPE` error, never a SIGPIPE that kills the process.

use std::io::{self, Read};
use std::os::fd::AsFd;
use std::os::fd::AsRawFd;
use std::task::{Context, Poll};

use crate::io::{Async, Direction};

pub(crate) fn poll_read<T>(
    io: &Async<T>,
    cx: &mut Context<'_>,
    buf: &mut [u8],
) -> Poll<io::Result<usize>>
where
    T: AsRawFd,
    for<'a> &'a T: Read,
{
    io.poll_op(Direction::Read, cx, |mut stream| stream.read(buf))
}

pub(crate) fn poll_write<T>(
    io: &Async<T>,
    cx: &mut Context<'_>,
    buf: &[u8],
) -> Poll<io::Result<usize>>
where
    T: AsRawFd + AsFd,
{
    io.poll_op(Direction::Write, cx, |stream| send(stream, buf))
}

/// `send` with `MSG_NOSIGNAL` (no SIGPIPE).
pub(crate) fn send(stream: &impl AsFd, buf: &[u8]) -> io::Result<usize> {
    socket2::SockRef::from(stream).send_with_flags(buf, libc::MSG_NOSIGNAL)
}

/// Implements the `futures::io` traits for a stream socket wrapper whose field `inner` is an
/// `Async<std type>`, and whose `shutdown_write` ends the write side.
macro_rules! stream_io {
    ($name:ty) => {
        impl futures_io::AsyncRead for $name {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                $crate::net::stream_io::poll_read(&self.inner, cx, buf)
            }
        }

        impl futures_io::AsyncRead for &$name {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                $crate::net::stream_io::poll_read(&self.inner, cx, buf)
            }
        }

        impl futures_io::AsyncWrite for $name {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                $crate::net::stream_io::poll_write(&self.inner, cx, buf)
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(Ok(()))
            }

            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(self.shutdown_write())
            }
        }

        impl futures_io::AsyncWrite for &$name {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                $crate::net::stream_io::poll_write(&self.inner, cx, buf)
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(Ok(()))
            }

            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(self.shutdown_write())
            }
        }
    };
}

pub(crate) use stream_io;
