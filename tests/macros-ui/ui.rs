//! Compile tests for the macros: what must compile, and the errors users get for mistakes.

#[test]
fn ui() {
    // trybuild checks its project's dependencies with one set of rustflags, then the cases with
    // the same set plus `--diagnostic-width=140`. Build scripts see the flags
    // (CARGO_ENCODED_RUSTFLAGS), so cxx-qt-lib's and qtasync's build scripts ran twice and
    // compiled their C++ twice: minutes of CI. The environment's rustflags take precedence over
    // trybuild's `--config` ones; giving both steps trybuild's own second set makes them one
    // build. (The flags are trybuild's, so its diagnostics and their normalisation are unchanged.)
    std::env::set_var(
        "CARGO_ENCODED_RUSTFLAGS",
        ["--cfg", "trybuild", "--verbose", "-A", "dead_code", "--diagnostic-width=140"]
            .join("\x1f"),
    );
    // scripts/test.sh compiles the workspace through clippy-driver (RUSTC_WORKSPACE_WRAPPER);
    // trybuild's cases must see rustc's diagnostics alone, as users get them.
    std::env::remove_var("RUSTC_WORKSPACE_WRAPPER");
    // Only what must fail: the pass cases are test targets of this package (see Cargo.toml),
    // so trybuild needs a check of the dependencies, never a full build. `app = "widgets"` is
    // compiled and run by the examples, which have the Widgets feature this package leaves out.
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
}
