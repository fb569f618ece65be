use qtasync_tests::signal_objects::new_emitter;

fn main() {
    let mut emitter = new_emitter();
    let _next = qtasync::signal!(emitter.pin_mut().counted(_, _)).next();
}
