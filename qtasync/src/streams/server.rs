//! asyncio's `Server` from `start_server`: an accept loop on the Qt loop, a task per client.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;

use crate::core::task::TaskRef;
use crate::sync::Event;
use crate::Task;

/// A listening server (asyncio's `Server`). Dropping it closes it (the clients' tasks run on).
pub struct Server {
    pub(crate) addresses: Vec<SocketAddr>,
    pub(crate) accept_task: RefCell<Option<Task<()>>>,
    pub(crate) clients: Rc<ClientSet>,
    pub(crate) closed: Event,
}

/// The client tasks still running.
pub(crate) struct ClientSet {
    pub(crate) tasks: RefCell<Vec<TaskRef>>,
    pub(crate) live: Cell<usize>,
    pub(crate) all_done: Event,
}

impl ClientSet {
    pub(crate) fn new() -> Self {
        ClientSet { tasks: RefCell::new(Vec::new()), live: Cell::new(0), all_done: Event::new() }
    }

    /// A handler is about to start; [`finished`](Self::finished) balances it.
    pub(crate) fn begin(&self) {
        self.live.set(self.live.get() + 1);
        self.all_done.clear();
    }

    pub(crate) fn track(&self, task: TaskRef) {
        let mut tasks = self.tasks.borrow_mut();
        tasks.retain(|task| !task.done());
        tasks.push(task);
    }

    pub(crate) fn finished(&self) {
        self.live.set(self.live.get() - 1);
        if self.live.get() == 0 {
            self.all_done.set();
        }
    }
}

impl Server {
    /// The listening addresses (asyncio's `sockets`, as addresses); empty once closed.
    pub fn sockets(&self) -> Vec<SocketAddr> {
        if self.is_serving() {
            self.addresses.clone()
        } else {
            Vec::new()
        }
    }

    /// Whether it still accepts connections.
    pub fn is_serving(&self) -> bool {
        !self.closed.is_set()
    }

    /// Stops listening: the accept loop is cancelled and its socket closes at the loop's next
    /// step ([`wait_closed`](Self::wait_closed) waits for it); connections already accepted go on.
    pub fn close(&self) {
        if let Some(task) = self.accept_task.borrow().as_ref() {
            task.cancel(Some("server closed"));
        }
        self.closed.set();
    }

    /// Cancels the handlers of the connections still open (asyncio 3.13's `close_clients`).
    pub fn close_clients(&self) {
        for task in self.clients.tasks.borrow().iter() {
            task.cancel(Some("server closed its clients"));
        }
    }

    /// Waits until the server is closed (its listening socket too) and every client handler
    /// has finished.
    pub async fn wait_closed(&self) {
        self.closed.wait().await;
        let accept_task = self.accept_task.borrow_mut().take();
        if let Some(task) = accept_task {
            let _cancelled = task.await;
        }
        if self.clients.live.get() > 0 {
            self.clients.all_done.wait().await;
        }
    }

    /// Serves until [`close`](Self::close) is called (from another task or callback).
    pub async fn serve_forever(&self) -> io::Result<()> {
        self.closed.wait().await;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.close();
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("sockets", &self.sockets())
            .field("clients", &self.clients.live.get())
            .finish()
    }
}
