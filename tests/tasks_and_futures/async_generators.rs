//! `shutdown_asyncgens` closes tracked streams.

use super::*;

#[test]
fn shutdown_asyncgens_closes_tracked_streams_and_runs_their_destructors() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let cleaned = Rc::new(Cell::new(false));
        let c = cleaned.clone();
        let guard = Finally(c);
        let stream = futures::stream::unfold(guard, |guard| async move {
            yield_now().await;
            Some((1, guard))
        });
        let mut tracked = event_loop.track_stream(stream);
        assert_eq!(tracked.next().await, Some(1));
        let finished = event_loop.track_stream(futures::stream::iter([1, 2]));
        drop(finished);
        assert_eq!(event_loop.shutdown_asyncgens().await, 1);
        assert!(cleaned.get());
        assert!(tracked.is_closed());
        assert_eq!(tracked.next().await, None);
    });
}
