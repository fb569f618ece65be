//! Compile tests for the macros: what must compile, and the errors users get for mistakes.

#[test]
fn ui() {
    // Only what must fail: the pass cases are test targets of this package (see Cargo.toml),
    // so trybuild needs a check of the dependencies, never a full build. `app = "widgets"` is
    // compiled and run by the examples, which have the Widgets feature this package leaves out.
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
}
