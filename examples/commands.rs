//! A command runner: a shell command runs as a child process whose output streams into the
//! window line by line as it comes, while the window stays responsive; Cancel kills the child
//! and shows how it ended ("killed by SIGKILL"). One thread: Qt's loop reads the pipes and
//! learns of the exit (a pidfd, or SIGCHLD without pidfds), no thread per child.
//!
//! `cargo run -p qtasync-examples --bin commands` (`--click-after 300ms` runs the command by
//! itself, `--cancel-after 2s` then cancels it).

use std::future::Future;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::pin::pin;
use std::process::{ExitStatus, Stdio};
use std::rc::Rc;
use std::task::Poll;

use qtasync::process::{subprocess_shell, Child};
use qtasync::streams::StreamReader;
use qtasync::sync::Event;
use qtasync::{qt_slot_async, spawn, ObjectRef};
use qtasync_examples::widgets::{self, QLabel, QLineEdit, QPlainTextEdit, QPushButton, Window};
use qtasync_examples::DemoOptions;

const COMMAND: &str = "for i in $(seq 1 50); do echo line $i; sleep 0.1; done";

/// The widgets and the Cancel request, shared by the buttons (on the Qt thread only).
struct Ui {
    command: ObjectRef<QLineEdit>,
    output: ObjectRef<QPlainTextEdit>,
    status: ObjectRef<QLabel>,
    run: ObjectRef<QPushButton>,
    cancel: ObjectRef<QPushButton>,
    cancelled: Event,
}

/// How a child ended, in words.
fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(signal)) => {
            let name = match signal {
                1 => "SIGHUP".to_owned(),
                2 => "SIGINT".to_owned(),
                9 => "SIGKILL".to_owned(),
                15 => "SIGTERM".to_owned(),
                other => format!("signal {other}"),
            };
            format!("killed by {name}")
        }
        (None, None) => format!("ended: {status}"),
    }
}

/// Appends each line of `reader` to the view as soon as it arrives, until the pipe ends.
async fn pump(mut reader: StreamReader, ui: Rc<Ui>, prefix: &'static str) {
    loop {
        match reader.readline().await {
            Ok(line) if line.is_empty() => return, // end of stream
            Ok(line) => {
                let text = String::from_utf8_lossy(&line);
                let text = format!("{prefix}{}", text.trim_end_matches('\n'));
                widgets::append_line(&ui.output, &text);
            }
            Err(error) => {
                widgets::append_line(&ui.output, &format!("[could not read: {error}]"));
                return;
            }
        }
    }
}

/// The child's exit, or `None` if Cancel comes first.
async fn exit_or_cancel(child: &mut Child, cancelled: &Event) -> Option<io::Result<ExitStatus>> {
    let mut exit = pin!(child.wait());
    let mut cancel = pin!(cancelled.wait());
    std::future::poll_fn(|cx| {
        if let Poll::Ready(status) = exit.as_mut().poll(cx) {
            return Poll::Ready(Some(status));
        }
        cancel.as_mut().poll(cx).map(|()| None)
    })
    .await
}

#[qt_slot_async(exclusive)]
async fn run(ui: Rc<Ui>) {
    let command = widgets::line_edit_text(&ui.command);
    widgets::clear_lines(&ui.output);
    ui.cancelled.clear();
    // kill_on_drop: closing the window (or a new run) mid-command does not leave it running.
    let spawned = subprocess_shell(&command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(error) => {
            widgets::set_text(&ui.status, &format!("could not start sh: {error}"));
            return;
        }
    };
    widgets::set_text(&ui.status, &format!("running, pid {}", child.id()));
    widgets::set_enabled(&ui.run, false);
    widgets::set_enabled(&ui.cancel, true);
    let out = StreamReader::new(child.stdout.take().expect("piped"), 64 * 1024);
    let err = StreamReader::new(child.stderr.take().expect("piped"), 64 * 1024);
    let pumps = [
        spawn(pump(out, ui.clone(), "")).expect("on the loop"),
        spawn(pump(err, ui.clone(), "stderr: ")).expect("on the loop"),
    ];
    let status = match exit_or_cancel(&mut child, &ui.cancelled).await {
        Some(status) => {
            for pump in pumps {
                let _ = pump.await; // the rest of the output (the pipes end soon after the exit)
            }
            status
        }
        None => {
            let killed = child.kill();
            let status = child.wait().await;
            // A grandchild (the loop's `sleep`) may hold the pipes a little longer: stop reading.
            for pump in &pumps {
                pump.cancel(None);
            }
            killed.and(status)
        }
    };
    let lines = widgets::line_count(&ui.output);
    let ended = match status {
        Ok(status) => format!("{lines} lines; {}", describe(status)),
        Err(error) => format!("{lines} lines; could not wait for the child: {error}"),
    };
    println!("commands: {ended}"); // for the smoke test
    widgets::set_text(&ui.status, &ended);
    widgets::set_enabled(&ui.run, true);
    widgets::set_enabled(&ui.cancel, false);
}

#[qtasync::main(app = "widgets")]
async fn main() {
    let options = DemoOptions::from_env();
    let mut window = Window::new("qtasync: commands", 520, 440);
    let command = window.add_line_edit(COMMAND);
    let output = window.add_text_view();
    let status = window.add_label("Press Run");
    let run_button = window.add_button("Run");
    let cancel = window.add_button("Cancel");
    widgets::set_enabled(&cancel, false);
    let ui = Rc::new(Ui {
        command,
        output,
        status,
        run: run_button.clone(),
        cancel: cancel.clone(),
        cancelled: Event::new(),
    });
    let u = ui.clone();
    widgets::on_clicked(&run_button, move || run(u.clone()));
    let u = ui.clone();
    widgets::on_clicked(&cancel, move || u.cancelled.set());
    window.show();
    options.schedule(&window, Some(&run_button));
    options.schedule_cancel(&cancel);
    std::future::pending::<()>().await; // until the window closes
}
