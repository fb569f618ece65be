//! asyncio's streams API (`open_connection`, `start_server`, `StreamReader`, `StreamWriter`,
//! `Server`) on the real Qt loop over localhost.

use std::cell::Cell;
use std::io;
use std::rc::Rc;
use std::time::Duration;

use qtasync::streams::{
    open_connection, start_server, IncompleteReadError, LimitOverrunError, StreamReader,
    StreamWriter,
};
use qtasync::{sleep, spawn};

async fn echo_lines(mut reader: StreamReader, mut writer: StreamWriter) {
    loop {
        let line = reader.readline().await.unwrap();
        if line.is_empty() {
            break;
        }
        writer.write(&line);
        if writer.drain().await.is_err() {
            break;
        }
    }
    let _ = writer.wait_closed().await;
}

#[qtasync::test(timeout = "20s")]
async fn an_echo_server_answers_lines_and_closes_cleanly() -> io::Result<()> {
    let server = start_server(echo_lines, "127.0.0.1", 0).await?;
    assert!(server.is_serving());
    let port = server.sockets()[0].port();
    let (mut reader, mut writer) = open_connection("127.0.0.1", port).await?;
    writer.write(b"one\ntwo\n");
    writer.write(b"three:rest\n");
    writer.drain().await?;
    assert_eq!(reader.readline().await?, b"one\n");
    assert_eq!(reader.readexactly(4).await?, b"two\n");
    assert_eq!(reader.readuntil(b":").await?, b"three:");
    assert_eq!(reader.read(100).await?, b"rest\n");
    writer.write_eof().await?; // the handler reads end of stream and closes its side
    assert_eq!(reader.read(100).await?, b"");
    assert!(reader.at_eof());
    drop((reader, writer));
    server.close();
    assert!(server.sockets().is_empty());
    server.wait_closed().await;
    let refused = open_connection("127.0.0.1", port).await.unwrap_err();
    assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);
    assert_eq!(qtasync::io::registrations(), 0);
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn readexactly_at_an_early_end_gives_the_partial_data() -> io::Result<()> {
    let server = start_server(
        |_reader, mut writer: StreamWriter| async move {
            writer.write(b"abc");
            let _ = writer.wait_closed().await;
        },
        "127.0.0.1",
        0,
    )
    .await?;
    let (mut reader, _writer) = open_connection("127.0.0.1", server.sockets()[0].port()).await?;
    let error = reader.readexactly(10).await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
    let incomplete = error.get_ref().unwrap().downcast_ref::<IncompleteReadError>().unwrap();
    assert_eq!(incomplete.partial, b"abc");
    assert_eq!(incomplete.expected, Some(10));
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn readuntil_past_the_limit_is_a_limit_overrun() -> io::Result<()> {
    let server = start_server(
        |_reader, mut writer: StreamWriter| async move {
            writer.write(&vec![b'x'; 200 * 1024]);
            let _ = writer.drain().await;
            sleep(Duration::from_secs(3600)).await;
        },
        "127.0.0.1",
        0,
    )
    .await?;
    let (mut reader, _writer) = open_connection("127.0.0.1", server.sockets()[0].port()).await?;
    let error = reader.readuntil(b"\n").await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    assert!(error.get_ref().unwrap().downcast_ref::<LimitOverrunError>().is_some());
    server.close_clients(); // the handler sleeping for an hour is cancelled
    server.close();
    server.wait_closed().await;
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn serve_forever_returns_when_another_task_closes_the_server() -> io::Result<()> {
    let connections = Rc::new(Cell::new(0));
    let counter = connections.clone();
    let server = Rc::new(
        start_server(
            move |_reader, _writer| {
                counter.set(counter.get() + 1);
                async {}
            },
            "127.0.0.1",
            0,
        )
        .await?,
    );
    let port = server.sockets()[0].port();
    let closer = server.clone();
    spawn(async move {
        let _connection = open_connection("127.0.0.1", port).await.unwrap();
        while connections.get() == 0 {
            sleep(Duration::from_millis(1)).await;
        }
        closer.close();
    })
    .unwrap();
    server.serve_forever().await?;
    server.wait_closed().await;
    assert!(!server.is_serving());
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn a_name_that_does_not_resolve_is_an_error_for_open_connection() {
    let error = open_connection("no-such-host.invalid", 80).await.unwrap_err();
    assert_ne!(error.kind(), io::ErrorKind::ConnectionRefused, "{error:?}");
}
