// The error is in the user's code, and is reported there.
#[qtasync::main(keep_running = false)]
async fn main() {
    let count: u32 = "three";
    drop(count);
}
