//! Process descriptors (Linux ≥ 5.3): readable once the process has exited, and a signal
//! target that can never hit a recycled pid.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// `pidfd_open(pid, 0)`.
pub(crate) fn open(pid: u32) -> io::Result<OwnedFd> {
    let pid = libc::pid_t::try_from(pid).map_err(io::Error::other)?;
    // SAFETY: pidfd_open takes two integers and returns a new descriptor or -1; no memory of
    // ours is involved.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    let fd = i32::try_from(fd).map_err(io::Error::other)?;
    // SAFETY: `fd` was just returned by the kernel for us and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `pidfd_send_signal(pidfd, signal, NULL, 0)`.
pub(crate) fn send_signal(pidfd: &OwnedFd, signal: i32) -> io::Result<()> {
    // SAFETY: the info pointer is NULL (allowed: the kernel fills in a default), the other
    // arguments are integers; `pidfd` is open for the call's duration (borrowed).
    let result = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd(),
            signal,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
    if result < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Whether this kernel (and whatever runs us: valgrind 3.19 has no pidfd_open, a seccomp
/// filter may refuse it) gives process descriptors. Probed once, on our own pid.
pub(crate) fn supported() -> bool {
    static SUPPORTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SUPPORTED.get_or_init(|| open(std::process::id()).is_ok())
}
