//! The scheduler's ordering as a property, checked against a model on random programs (proptest).

use super::*;

/// One step of a random program; callbacks run their own sub-programs when they run.
#[derive(Clone, Debug)]
enum Op {
    Soon(Vec<Op>),
    Later {
        micros: u64,
        then: Vec<Op>,
    },
    /// Cancels the handle made by the n-th earlier scheduling op (modulo how many exist).
    Cancel(usize),
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let leaf = prop_oneof![
        Just(Op::Soon(vec![])),
        (0u64..3_000).prop_map(|micros| Op::Later { micros, then: vec![] }),
        (0usize..64).prop_map(Op::Cancel),
    ];
    leaf.prop_recursive(2, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Op::Soon),
            (0u64..3_000, prop::collection::vec(inner, 0..4))
                .prop_map(|(micros, then)| Op::Later { micros, then }),
        ]
    })
}

enum Scheduled {
    Soon(qtasync::Handle),
    Later(qtasync::TimerHandle),
}

/// What the model needs to know of each scheduled callback (its index is its id, which is also
/// the order it was scheduled in).
struct Record {
    deadline: Option<Instant>,
}

#[derive(Default)]
struct World {
    records: Vec<Record>,
    handles: Vec<Scheduled>,
    ran: Vec<usize>,
    /// Cancelled before they ran: they must never run.
    cancelled: HashSet<usize>,
    early: Vec<usize>,
}

fn schedule(world: &Rc<RefCell<World>>, event_loop: &EventLoop, ops: Vec<Op>) {
    for op in ops {
        let id = world.borrow().records.len();
        match op {
            Op::Soon(then) => {
                let (w, l) = (world.clone(), event_loop.clone());
                let handle = event_loop
                    .call_soon(move || {
                        w.borrow_mut().ran.push(id);
                        schedule(&w, &l, then);
                    })
                    .unwrap();
                let mut world = world.borrow_mut();
                world.records.push(Record { deadline: None });
                world.handles.push(Scheduled::Soon(handle));
            }
            Op::Later { micros, then } => {
                let deadline = Instant::now() + Duration::from_micros(micros);
                let (w, l) = (world.clone(), event_loop.clone());
                let handle = event_loop
                    .call_at(deadline, move || {
                        if Instant::now() < deadline {
                            w.borrow_mut().early.push(id);
                        }
                        w.borrow_mut().ran.push(id);
                        schedule(&w, &l, then);
                    })
                    .unwrap();
                let mut world = world.borrow_mut();
                world.records.push(Record { deadline: Some(deadline) });
                world.handles.push(Scheduled::Later(handle));
            }
            Op::Cancel(n) => {
                let mut world = world.borrow_mut();
                if world.handles.is_empty() {
                    continue;
                }
                let target = n % world.handles.len();
                match &world.handles[target] {
                    Scheduled::Soon(handle) => handle.cancel(),
                    Scheduled::Later(handle) => handle.cancel(),
                }
                if !world.ran.contains(&target) {
                    world.cancelled.insert(target);
                }
            }
        }
    }
}

/// Runs `program` on a fresh loop and checks it against the model: every callback not cancelled
/// runs exactly once and a cancelled one never; `call_soon` callbacks run in the order they were
/// scheduled; timers run by deadline, then in the order they were scheduled, never early.
fn check_program(program: Vec<Op>) -> Result<(), TestCaseError> {
    let event_loop = EventLoop::new();
    let world = Rc::new(RefCell::new(World::default()));
    let (w, l) = (world.clone(), event_loop.clone());
    event_loop
        .run_until_complete(async move {
            schedule(&w, &l, program);
            // Done when every callback has run or been cancelled.
            let give_up = Instant::now() + Duration::from_secs(5);
            loop {
                let settled = {
                    let world = w.borrow();
                    world.ran.len() + world.cancelled.len() == world.records.len()
                };
                if settled || Instant::now() > give_up {
                    break;
                }
                sleep(Duration::from_micros(500)).await;
            }
            // A little longer: a cancelled callback that ran anyway would show up now.
            sleep(Duration::from_millis(4)).await;
        })
        .unwrap();
    event_loop.close().unwrap();
    let world = world.borrow();
    let mut seen = HashSet::new();
    for &id in &world.ran {
        prop_assert!(seen.insert(id), "callback {} ran twice", id);
        prop_assert!(!world.cancelled.contains(&id), "cancelled callback {} ran", id);
    }
    for id in 0..world.records.len() {
        prop_assert!(
            seen.contains(&id) || world.cancelled.contains(&id),
            "callback {} neither ran nor was cancelled",
            id
        );
    }
    prop_assert!(world.early.is_empty(), "timers ran early: {:?}", world.early);
    let soon: Vec<usize> =
        world.ran.iter().copied().filter(|&id| world.records[id].deadline.is_none()).collect();
    let mut soon_sorted = soon.clone();
    soon_sorted.sort_unstable();
    prop_assert_eq!(soon, soon_sorted, "call_soon is FIFO");
    let timers: Vec<usize> =
        world.ran.iter().copied().filter(|&id| world.records[id].deadline.is_some()).collect();
    let mut timers_sorted = timers.clone();
    timers_sorted.sort_by_key(|&id| (world.records[id].deadline, id));
    prop_assert_eq!(timers, timers_sorted, "timers run by deadline, then FIFO");
    Ok(())
}

pub(super) fn the_scheduler_matches_its_model_on_random_programs() {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(200);
    let mut runner =
        TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let result = runner.run(&prop::collection::vec(op_strategy(), 1..40), check_program);
    if let Err(failure) = result {
        panic!("{failure}");
    }
    println!("  {cases} random programs matched the model");
}
