//! `Queue` (FIFO, LIFO, priority): bounds, `join`, `shutdown`.

use super::*;

#[qtasync::test(timeout = "60s")]
async fn a_bounded_queue_makes_the_producer_wait() {
    let queue = Rc::new(Queue::new(2));
    let put = Rc::new(Cell::new(0));
    let (q, p) = (queue.clone(), put.clone());
    let producer = spawn(async move {
        for n in 0..5 {
            q.put(n).await.unwrap();
            p.set(p.get() + 1);
        }
    })
    .unwrap();
    until(|| put.get() == 2).await;
    let_others_run().await;
    assert_eq!(put.get(), 2, "the producer waits while the queue is full");
    assert!(queue.full());
    assert!(matches!(queue.put_nowait(9), Err(PutNowaitError::Full(QueueFull(9)))));
    assert_eq!(queue.get().await, Ok(0));
    until(|| put.get() == 3).await;
    let mut got = vec![0];
    while got.len() < 5 {
        got.push(queue.get().await.unwrap());
    }
    producer.await.unwrap();
    assert_eq!(got, vec![0, 1, 2, 3, 4]);
    assert_eq!(queue.get_nowait(), Err(GetNowaitError::Empty(QueueEmpty)));
}

#[qtasync::test(timeout = "60s")]
async fn queues_hand_out_items_in_fifo_lifo_and_priority_order() {
    let fifo = Queue::new(0);
    let lifo = Queue::lifo(0);
    let priority = Queue::priority(0);
    for n in [3, 1, 2] {
        fifo.put(n).await.unwrap();
        lifo.put(n).await.unwrap();
        priority.put((n, format!("job {n}"))).await.unwrap();
    }
    let mut out = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        out.0.push(fifo.get().await.unwrap());
        out.1.push(lifo.get_nowait().unwrap());
        out.2.push(priority.get().await.unwrap().0);
    }
    assert_eq!(out, (vec![3, 1, 2], vec![2, 1, 3], vec![1, 2, 3]));
}

#[qtasync::test(timeout = "60s")]
async fn join_waits_until_every_item_is_marked_done() {
    let queue = Rc::new(Queue::new(0));
    for n in 0..3 {
        queue.put_nowait(n).unwrap();
    }
    let processed = Rc::new(Cell::new(0));
    let (q, p) = (queue.clone(), processed.clone());
    let worker = spawn(async move {
        loop {
            let _item = q.get().await.unwrap();
            yield_now().await;
            p.set(p.get() + 1);
            q.task_done().unwrap();
        }
    })
    .unwrap();
    queue.join().await;
    assert_eq!(processed.get(), 3);
    worker.cancel(None);
    assert_eq!(queue.task_done(), Err(TaskDoneError));
}

#[qtasync::test(timeout = "60s")]
async fn shutdown_wakes_waiting_getters_and_putters_with_queue_shut_down() {
    let empty = Rc::new(Queue::<u32>::new(0));
    let full = Rc::new(Queue::new(1));
    full.put_nowait(1).unwrap();
    let (e, f) = (empty.clone(), full.clone());
    let getter = spawn(async move { e.get().await }).unwrap();
    let putter = spawn(async move { f.put(2).await.map_err(|QueueShutDown(item)| item) }).unwrap();
    let_others_run().await;
    assert!(!getter.done() && !putter.done());
    empty.shutdown(false);
    full.shutdown(false);
    assert_eq!(getter.await.unwrap(), Err(QueueShutDown(())));
    assert_eq!(putter.await.unwrap(), Err(2), "the refused item comes back");
    // Not immediate: the item left can still be taken, then gets fail.
    assert_eq!(full.get().await, Ok(1));
    assert_eq!(full.get().await, Err(QueueShutDown(())));
    assert!(matches!(full.put_nowait(3), Err(PutNowaitError::ShutDown(_))));
}

#[qtasync::test(timeout = "60s")]
async fn an_immediate_shutdown_drops_the_items_and_releases_join() {
    let queue = Rc::new(Queue::new(0));
    let dropped = flag();
    queue.put_nowait(DropFlag(dropped.clone())).unwrap();
    queue.put_nowait(DropFlag(flag())).unwrap();
    let q = queue.clone();
    let joiner = spawn(async move { q.join().await }).unwrap();
    let_others_run().await;
    assert!(!joiner.done());
    queue.shutdown(true);
    assert!(dropped.get());
    joiner.await.unwrap();
    assert!(matches!(queue.get_nowait(), Err(GetNowaitError::ShutDown(_))));
}
