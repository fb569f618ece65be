//! Compile tests for the macros: what must compile, and the errors users get for mistakes.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

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
    if let Err(error) = skip_cxx_in_check() {
        // Only slower: trybuild then runs the build scripts, C++ and all.
        eprintln!("ui: trybuild's project will compile cxx-qt-lib's C++ ({error})");
    }
    // Only what must fail: the pass cases are test targets of this package (see Cargo.toml),
    // so trybuild needs a check of the dependencies, never a full build. `app = "widgets"` is
    // compiled and run by the examples, which have the Widgets feature this package leaves out.
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
}

/// trybuild only checks (`cargo check`) its project, which never links: the ~200 C++ files that
/// cxx-qt-lib's and qtasync's build scripts compile are thrown away, yet they were most of this
/// test's time on a clean machine (trybuild's project has its own target directory, so nothing
/// is shared with the workspace's build). Cargo can override a `links` package's build script
/// with fixed output; what the Rust side of those two crates needs from theirs is only the
/// `rustc-cfg` lines (the Qt version: `cxxqt_qt_version_major="6"`, ...). This writes, for
/// trybuild's project only (`<target>/tests/trybuild/.cargo/config.toml`, found by cargo from
/// trybuild's working directory), overrides carrying the cfgs the workspace's own build-script
/// runs printed for this machine's Qt. The crates' Rust code, and so every diagnostic the
/// cases compare, is compiled as before.
fn skip_cxx_in_check() -> io::Result<()> {
    // <target>/debug/deps/ui-<hash>: the workspace build this test belongs to.
    let exe = std::env::current_exe()?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| io::Error::other("test binary outside a target directory"))?;
    let target_dir = profile_dir
        .parent()
        .ok_or_else(|| io::Error::other("test binary outside a target directory"))?;
    let host = host_triple()?;
    let mut config = String::from(
        "# Written by tests/macros-ui/ui.rs: build-script overrides for trybuild's check-only\n\
         # project (no C++ is compiled; the cfgs are the workspace build's own).\n",
    );
    for package in ["cxx-qt-lib", "qtasync"] {
        let output = newest_build_output(&profile_dir.join("build"), package)?;
        let cfgs: Vec<String> = fs::read_to_string(&output)?
            .lines()
            .filter_map(|line| {
                line.strip_prefix("cargo::rustc-cfg=")
                    .or_else(|| line.strip_prefix("cargo:rustc-cfg="))
            })
            .map(str::to_owned)
            .collect();
        if cfgs.is_empty() {
            return Err(io::Error::other(format!("no rustc-cfg in {}", output.display())));
        }
        // `{:?}` quotes and escapes as a TOML basic string does (`"x=\"6\""`).
        config.push_str(&format!("[target.{host}.{package}]\nrustc-cfg = {cfgs:?}\n"));
    }
    let dir = target_dir.join("tests").join("trybuild").join(".cargo");
    fs::create_dir_all(&dir)?;
    fs::write(dir.join("config.toml"), config)
}

/// The `output` file of `package`'s most recent build-script run under `build_dir`
/// (`<package>-<16 hex digits>/output`; older runs of other feature sets may sit beside it).
fn newest_build_output(build_dir: &Path, package: &str) -> io::Result<PathBuf> {
    let mut newest: Option<(std::time::SystemTime, PathBuf)> = None;
    for entry in fs::read_dir(build_dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(hash) = name.to_str().and_then(|n| n.strip_prefix(package)?.strip_prefix('-'))
        else {
            continue;
        };
        if hash.len() != 16 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let output = entry.path().join("output");
        if let Ok(modified) = fs::metadata(&output).and_then(|m| m.modified()) {
            let newer = match &newest {
                Some((time, _)) => modified > *time,
                None => true,
            };
            if newer {
                newest = Some((modified, output));
            }
        }
    }
    newest
        .map(|(_, output)| output)
        .ok_or_else(|| io::Error::other(format!("no build-script output of {package}")))
}

/// The host's target triple (trybuild checks with `--target <host>`).
fn host_triple() -> io::Result<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc).arg("-vV").output()?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
        .ok_or_else(|| io::Error::other("`rustc -vV` printed no host"))
}
