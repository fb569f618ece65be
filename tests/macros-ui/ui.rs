//! Compile tests for the macros: what must compile, and the errors users get for mistakes.

#[test]
fn ui() {
    // The pass cases run (on a QCoreApplication; `app = "widgets"` is compiled and run by the
    // examples, which have the Widgets feature this package leaves out to keep trybuild small).
    if std::env::var_os("QT_QPA_PLATFORM").is_none() {
        std::env::set_var("QT_QPA_PLATFORM", "offscreen");
    }
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
