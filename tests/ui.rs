//! Compile tests for the macros: what must compile, and the errors users get for mistakes.

#[test]
fn ui() {
    // The pass cases run; the widgets one creates a QApplication.
    if std::env::var_os("QT_QPA_PLATFORM").is_none() {
        std::env::set_var("QT_QPA_PLATFORM", "offscreen");
    }
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
