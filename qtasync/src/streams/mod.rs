//! asyncio's streams API on Qt's loop: [`open_connection`] gives a [`StreamReader`] and a
//! [`StreamWriter`]; [`start_server`] runs a coroutine per client and gives a [`Server`].
//!
//! ```
//! use qtasync::streams::{open_connection, start_server, StreamReader, StreamWriter};
//!
//! async fn echo(mut reader: StreamReader, mut writer: StreamWriter) {
//!     while let Ok(line) = reader.readline().await {
//!         if line.is_empty() { break; }                       // end of stream
//!         writer.write(&line);
//!         if writer.drain().await.is_err() { break; }
//!     }
//! }
//!
//! qtasync::Runner::new().keep_running(false).run(async {
//!     let server = start_server(echo, "127.0.0.1", 0).await?;
//!     let port = server.sockets()[0].port();
//!     let (mut reader, mut writer) = open_connection("127.0.0.1", port).await?;
//!     writer.write(b"hello\n");
//!     writer.drain().await?;
//!     assert_eq!(reader.readline().await?, b"hello\n");
//!     writer.wait_closed().await?;
//!     server.close();
//!     server.wait_closed().await;
//!     std::io::Result::Ok(())
//! }).unwrap().unwrap().unwrap();
//! ```

mod reader;
mod server;
mod writer;

use std::future::Future;
use std::io;
use std::rc::Rc;
use std::time::Duration;

pub use reader::{IncompleteReadError, LimitOverrunError, StreamReader, DEFAULT_LIMIT};
pub use server::Server;
pub use writer::StreamWriter;

use crate::net::{TcpListener, TcpStream};
use server::ClientSet;
use writer::SharedRead;

/// Connects to `host:port` (the name resolved on the loop's executor) and gives the two sides
/// of the connection.
pub async fn open_connection(host: &str, port: u16) -> io::Result<(StreamReader, StreamWriter)> {
    let stream = TcpStream::connect((host.to_owned(), port)).await?;
    Ok(split(stream))
}

/// Splits a connected stream into asyncio's reader and writer.
pub fn split(stream: TcpStream) -> (StreamReader, StreamWriter) {
    let stream = Rc::new(stream);
    (StreamReader::new(SharedRead(stream.clone()), DEFAULT_LIMIT), StreamWriter::new(stream))
}

/// Listens on `host:port` (port 0: any free port, see [`Server::sockets`]) and runs
/// `client_connected(reader, writer)` as a task for each connection. An accept error (out of
/// descriptors, say) is reported to the loop's exception handler and the server goes on after
/// 100 ms.
pub async fn start_server<F, Fut>(client_connected: F, host: &str, port: u16) -> io::Result<Server>
where
    F: Fn(StreamReader, StreamWriter) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let event_loop = crate::get_running_loop().map_err(io::Error::other)?;
    let listener = TcpListener::bind((host.to_owned(), port)).await?;
    let addresses = vec![listener.local_addr()?];
    let clients = Rc::new(ClientSet::new());
    let set = clients.clone();
    let accept_task = event_loop
        .create_task(async move {
            loop {
                match listener.accept().await {
                    Ok((stream, _)) => {
                        let (reader, writer) = split(stream);
                        start_client(&set, client_connected(reader, writer));
                    }
                    Err(error) => {
                        if let Ok(event_loop) = crate::get_running_loop() {
                            event_loop.call_exception_handler(
                                &crate::ExceptionContext::new("Error accepting a connection")
                                    .with_exception(Rc::new(error)),
                            );
                        }
                        crate::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        })
        .map_err(io::Error::other)?;
    Ok(Server {
        addresses,
        accept_task: std::cell::RefCell::new(Some(accept_task)),
        clients,
        closed: crate::sync::Event::new(),
    })
}

/// Runs one client's handler as a task, counted until it ends (also when cancelled).
fn start_client(set: &Rc<ClientSet>, handler: impl Future<Output = ()> + 'static) {
    struct Finished(Rc<ClientSet>);
    impl Drop for Finished {
        fn drop(&mut self) {
            self.0.finished();
        }
    }
    set.begin();
    let guard = Finished(set.clone());
    // A loop that is closing refuses the task: the handler and the guard drop at once.
    if let Ok(task) = crate::spawn(async move {
        let _guard = guard;
        handler.await
    }) {
        set.track(task.task_ref());
    }
}
