//! Name resolution off the Qt thread: `getaddrinfo` runs on the loop's executor.

use std::any::Any;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

/// The addresses of `addr`. Literal addresses are parsed here; names are looked up on the
/// running loop's executor (`run_in_executor`), so the Qt thread never blocks on DNS.
pub(crate) async fn resolve<A>(addr: A) -> io::Result<Vec<SocketAddr>>
where
    A: ToSocketAddrs + Send + 'static,
{
    if let Some(literal) = literal(&addr) {
        return Ok(vec![literal]);
    }
    let event_loop =
        crate::get_running_loop().map_err(|error| io::Error::other(error.to_string()))?;
    let job = event_loop
        .run_in_executor(move || addr.to_socket_addrs().map(Iterator::collect::<Vec<_>>))
        .map_err(|error| io::Error::other(error.to_string()))?;
    let addresses = job.await.map_err(|error| io::Error::other(error.to_string()))??;
    if addresses.is_empty() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "the name has no addresses"));
    }
    Ok(addresses)
}

/// `addr` when it needs no lookup (a `SocketAddr`, or an IP literal with a port).
fn literal(addr: &dyn Any) -> Option<SocketAddr> {
    if let Some(addr) = addr.downcast_ref::<SocketAddr>() {
        return Some(*addr);
    }
    let text = addr
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| addr.downcast_ref::<String>().map(String::as_str));
    if let Some(parsed) = text.and_then(|text| text.parse().ok()) {
        return Some(parsed);
    }
    let (host, port) = if let Some((host, port)) = addr.downcast_ref::<(&'static str, u16)>() {
        (*host, *port)
    } else if let Some((host, port)) = addr.downcast_ref::<(String, u16)>() {
        (host.as_str(), *port)
    } else if let Some((ip, port)) = addr.downcast_ref::<(IpAddr, u16)>() {
        return Some(SocketAddr::new(*ip, *port));
    } else {
        return None;
    };
    host.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, port))
}
