// A free async slot: a plain callback that spawns the body; errors are reported.
use std::rc::Rc;

#[qtasync::qt_slot_async(exclusive, name = "refresh")]
async fn refresh(state: Rc<String>, attempt: u32) -> Result<(), String> {
    qtasync::yield_now().await;
    if attempt > 3 {
        return Err(format!("{state}: too many attempts"));
    }
    Ok(())
}

#[qtasync::main(keep_running = false)]
async fn main() {
    refresh(Rc::new("state".to_owned()), 1);
    qtasync::yield_now().await;
}
