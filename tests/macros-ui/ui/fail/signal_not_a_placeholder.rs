fn main() {
    // The macro's own syntax errors, before any type is looked at.
    let emitter = ();
    let _next = qtasync::signal!(emitter.counted(1)).next();
}
