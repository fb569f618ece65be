struct Object;

impl Object {
    #[qtasync::qt_slot_async]
    async fn clicked(&self) {}
}

fn main() {}
