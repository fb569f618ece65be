//! The tokio ecosystem inside Qt slots: "Download" fetches 8 MB with `reqwest` from a hyper
//! server this example starts on its tokio runtime (no internet needed); the window shows the
//! bytes as they arrive (`response.chunk().await` in a qtasync task, on the Qt thread), and
//! "Cancel" drops the request: the server sees its client leave and the window says so.
//!
//! `cargo run -p qtasync-examples --bin download` (`--click-after 300ms` starts the download by
//! itself, `--cancel-after 1s` then cancels it; each outcome is also printed on stdout).

use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use hyper::body::{Body, Bytes, Frame, SizeHint};
use qtasync::{get_running_loop, ObjectRef, Task};
use qtasync_examples::demo_options::parse_duration;
use qtasync_examples::widgets::{self, QLabel, QProgressBar, QPushButton, Window};
use qtasync_examples::DemoOptions;
use tokio::sync::mpsc;

/// What the server sends: 8 MiB in 64 KiB chunks, one every 10 ms (about 1.3 s in all).
const TOTAL: u64 = 8 << 20;
const CHUNK: usize = 64 << 10;
const PACE: Duration = Duration::from_millis(10);
static CHUNK_BYTES: [u8; CHUNK] = [b'q'; CHUNK];

/// What the server tells the window when a response body is dropped.
enum ServerEvent {
    /// The whole body was handed to the connection.
    Served(u64),
    /// The connection ended first: the client went away after this many bytes.
    ClientLeft(u64),
}

/// A response body that trickles out [`TOTAL`] bytes; hyper drops it when the client goes
/// away, which is how the server observes a cancelled download.
struct SlowBody {
    sent: u64,
    pace: Pin<Box<tokio::time::Sleep>>,
    events: mpsc::UnboundedSender<ServerEvent>,
}

impl Body for SlowBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.sent >= TOTAL {
            return Poll::Ready(None);
        }
        ready!(self.pace.as_mut().poll(cx));
        let deadline = tokio::time::Instant::now() + PACE;
        self.pace.as_mut().reset(deadline);
        let length = CHUNK.min(usize::try_from(TOTAL - self.sent).unwrap_or(CHUNK));
        self.sent += length as u64;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&CHUNK_BYTES[..length])))))
    }

    fn is_end_stream(&self) -> bool {
        self.sent >= TOTAL
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(TOTAL - self.sent) // sent as Content-Length
    }
}

impl Drop for SlowBody {
    fn drop(&mut self) {
        let event = if self.sent >= TOTAL {
            ServerEvent::Served(self.sent)
        } else {
            ServerEvent::ClientLeft(self.sent)
        };
        let _ = self.events.send(event);
    }
}

/// The HTTP server, on the tokio runtime's workers: every request gets a [`SlowBody`].
async fn serve(listener: tokio::net::TcpListener, events: mpsc::UnboundedSender<ServerEvent>) {
    while let Ok((stream, _)) = listener.accept().await {
        let events = events.clone();
        let service = hyper::service::service_fn(move |_request| {
            let body = SlowBody {
                sent: 0,
                pace: Box::pin(tokio::time::sleep(Duration::ZERO)),
                events: events.clone(),
            };
            async move { Ok::<_, Infallible>(hyper::Response::new(body)) }
        });
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(stream);
            // A client that leaves mid-body ends the connection with an error: expected here.
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
        });
    }
}

/// The window's parts and the download in flight (on the Qt thread only).
struct Ui {
    progress: ObjectRef<QProgressBar>,
    status: ObjectRef<QLabel>,
    server: ObjectRef<QLabel>,
    address: SocketAddr,
    client: reqwest::Client,
    received: Cell<u64>,
    running: RefCell<Option<Task<()>>>,
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1 << 20) as f64)
}

/// Shows a line in the window and on stdout (which the smoke test reads).
fn report(label: &ObjectRef<QLabel>, text: &str) {
    widgets::set_text(label, text);
    println!("{text}");
}

/// The download: reqwest on the Qt thread (its I/O driven by tokio's reactor), one chunk at a
/// time, the bar moving as bytes arrive.
async fn download(ui: Rc<Ui>) {
    ui.received.set(0);
    widgets::set_progress(&ui.progress, 0);
    let url = format!("http://{}/eight-megabytes", ui.address);
    let mut response = match ui.client.get(&url).send().await {
        Ok(response) => response,
        Err(error) => return report(&ui.status, &format!("download failed: {error}")),
    };
    let total = response.content_length().unwrap_or(TOTAL).max(1);
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let received = ui.received.get() + chunk.len() as u64;
                ui.received.set(received);
                let percent = (received * 100 / total) as i32;
                widgets::set_progress(&ui.progress, percent);
                widgets::set_text(
                    &ui.status,
                    &format!("{} of {} ({percent}%)", megabytes(received), megabytes(total)),
                );
            }
            Ok(None) => break,
            Err(error) => return report(&ui.status, &format!("download failed: {error}")),
        }
    }
    report(&ui.status, &format!("download complete: {} bytes", ui.received.get()));
}

fn start(ui: &Rc<Ui>) {
    cancel(ui, false);
    widgets::set_text(&ui.server, "");
    match qtasync::spawn(download(ui.clone())) {
        Ok(task) => *ui.running.borrow_mut() = Some(task),
        Err(error) => report(&ui.status, &format!("could not start: {error:?}")),
    }
}

/// Cancels the download in flight: its future, and with it reqwest's response, is dropped.
fn cancel(ui: &Ui, say_so: bool) {
    let Some(task) = ui.running.borrow_mut().take() else { return };
    if task.cancel(Some("cancelled by the user")) && say_so {
        let text = format!("cancelled after {} bytes", ui.received.get());
        report(&ui.status, &text);
    }
}

/// Shows what the server observed, as it reports it.
async fn watch_server(server: ObjectRef<QLabel>, mut events: mpsc::UnboundedReceiver<ServerEvent>) {
    while let Some(event) = events.recv().await {
        let text = match event {
            ServerEvent::Served(bytes) => format!("server: sent all {bytes} bytes"),
            ServerEvent::ClientLeft(bytes) => {
                format!("server: the client left after {bytes} bytes were sent")
            }
        };
        report(&server, &text);
    }
}

/// `--cancel-after DURATION` (this example's own flag), and the examples' usual ones.
fn options() -> (DemoOptions, Option<Duration>) {
    let mut cancel_after = None;
    let mut rest = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--cancel-after" {
            let parsed = args.next().ok_or("--cancel-after needs a value".to_owned());
            match parsed.and_then(|text| parse_duration(&text)) {
                Ok(delay) => cancel_after = Some(delay),
                Err(error) => {
                    eprintln!("{error}");
                    std::process::exit(2)
                }
            }
        } else {
            rest.push(arg);
        }
    }
    let options = DemoOptions::parse(rest).unwrap_or_else(|error| {
        eprintln!("{error} (and --cancel-after 1s)");
        std::process::exit(2)
    });
    (options, cancel_after)
}

#[qtasync::main(app = "widgets", tokio_workers = 2)]
async fn main() {
    let (options, cancel_after) = options();
    // Bound on the Qt thread (inside the runtime's context), served on the runtime's workers.
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(error) => return eprintln!("could not start the local server: {error}"),
    };
    let address = listener.local_addr().expect("a bound socket has an address");
    let (events, server_events) = mpsc::unbounded_channel();
    let _server = qtasync::tokio::spawn(serve(listener, events)); // aborted when main ends
    let client = match reqwest::Client::builder().no_proxy().build() {
        Ok(client) => client,
        Err(error) => return eprintln!("could not make the HTTP client: {error}"),
    };

    let mut window = Window::new("qtasync: download", 420, 220);
    window.add_label(&format!("8 MB from a hyper server on tokio at {address}"));
    let progress = window.add_progress(100);
    let status = window.add_label("Press Download");
    let server = window.add_label("");
    let download_button: ObjectRef<QPushButton> = window.add_button("Download");
    let cancel_button = window.add_button("Cancel");
    let ui = Rc::new(Ui {
        progress,
        status,
        server: server.clone(),
        address,
        client,
        received: Cell::new(0),
        running: RefCell::new(None),
    });
    let u = ui.clone();
    widgets::on_clicked(&download_button, move || start(&u));
    let u = ui.clone();
    widgets::on_clicked(&cancel_button, move || cancel(&u, true));
    window.show();
    options.schedule(&window, Some(&download_button));
    if let (Some(delay), Some(_)) = (cancel_after, options.click_after) {
        let event_loop = get_running_loop().expect("on the loop");
        let _ = event_loop.call_later(delay, move || widgets::click(&cancel_button));
    }
    watch_server(server, server_events).await;
}
