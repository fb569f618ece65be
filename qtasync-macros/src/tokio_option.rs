//! The tokio options of `#[qtasync::main]` and `#[qtasync::test]`: which runtime the loop's
//! tokio futures use.
//!
//! ```text
//! tokio                     =>  let rt = ::qtasync::__qtasync_tokio_runtime!(Main default).install();
//! tokio_workers = 4         =>  let rt = ::qtasync::__qtasync_tokio_runtime!(Main workers 4).install();
//! tokio_runtime = app::rt   =>  let rt = ::qtasync::__qtasync_tokio_runtime!(Main handle app::rt).install();
//!                               (in a test: `Test`, no `install`, and `rt.test_options(options)`)
//! ```
//!
//! qtasync's `__qtasync_tokio_runtime!` is a `compile_error!` without its `tokio` feature, so
//! that mistake is one error at the option's name.

use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;

use crate::options::{respan, Option_};

/// The tokio option keys.
pub(crate) const KEYS: [&str; 3] = ["tokio", "tokio_workers", "tokio_runtime"];

/// Which runtime the options ask for.
pub(crate) enum TokioRuntime {
    /// `tokio`: qtasync's default runtime, started before the loop.
    Default,
    /// `tokio_workers = N`: a runtime of N workers owned for the function's run.
    Workers(usize),
    /// `tokio_runtime = path`: the `Handle` that `path()` returns.
    Handle(syn::Path),
}

/// The tokio options read so far; [`TokioOptions::set`] takes each one.
#[derive(Default)]
pub(crate) struct TokioOptions {
    /// The runtime asked for, and the span of the option that asked.
    runtime: Option<(TokioRuntime, Span, &'static str)>,
    /// `tokio = false`, and where.
    disabled: Option<Span>,
}

impl TokioOptions {
    /// Reads one of [`KEYS`].
    pub(crate) fn set(&mut self, option: &Option_) -> Result<(), syn::Error> {
        let (runtime, key) = match option.key.as_str() {
            "tokio" => {
                if !option.bool()? {
                    self.disabled = Some(option.key_span);
                    return self.check_conflict();
                }
                (TokioRuntime::Default, "tokio")
            }
            "tokio_workers" => {
                let (workers, _) = option.positive_int("a number of worker threads")?;
                (TokioRuntime::Workers(workers), "tokio_workers")
            }
            "tokio_runtime" => {
                (TokioRuntime::Handle(option.path("my_app::tokio_handle")?), "tokio_runtime")
            }
            _ => unreachable!("only the tokio keys come here"),
        };
        match &self.runtime {
            // `tokio` says nothing more than the other two.
            Some((TokioRuntime::Default, ..)) => {
                self.runtime = Some((runtime, option.key_span, key))
            }
            Some(_) if matches!(runtime, TokioRuntime::Default) => {}
            Some((_, _, earlier)) => {
                return Err(syn::Error::new(
                    option.key_span,
                    format!("`{key}` and `{earlier}` both choose the tokio runtime: keep one"),
                ))
            }
            None => self.runtime = Some((runtime, option.key_span, key)),
        }
        self.check_conflict()
    }

    fn check_conflict(&self) -> Result<(), syn::Error> {
        match (&self.runtime, self.disabled) {
            (Some((_, span, key)), Some(_)) => Err(syn::Error::new(
                *span,
                format!("`{key}` asks for a tokio runtime, `tokio = false` for none: keep one"),
            )),
            _ => Ok(()),
        }
    }

    /// `let #name = <the runtime>;` (nothing without a tokio option): the value lives until it
    /// is dropped, which gives back what the options changed and shuts an owned runtime down.
    /// `main`'s runtime is installed for every loop ([`set_runtime`]); a test's is entered
    /// around its own loop only (tests of one binary run side by side).
    ///
    /// [`set_runtime`]: https://docs.rs/qtasync/latest/qtasync/tokio/fn.set_runtime.html
    pub(crate) fn binding(
        &self,
        krate: &syn::Path,
        name: &syn::Ident,
        main: bool,
    ) -> Option<TokenStream> {
        let (runtime, span, _) = self.runtime.as_ref()?;
        let span = *span;
        let krate = respan(krate.clone(), span);
        let entry = syn::Ident::new(if main { "Main" } else { "Test" }, span);
        let request = match runtime {
            TokioRuntime::Default => quote_spanned!(span=> #entry default),
            TokioRuntime::Workers(workers) => quote_spanned!(span=> #entry workers #workers),
            TokioRuntime::Handle(path) => quote_spanned!(span=> #entry handle #path),
        };
        let install = main.then(|| quote_spanned!(span=> .install()));
        Some(quote_spanned! {span=>
            let #name = #krate::__qtasync_tokio_runtime!(#request) #install;
        })
    }
}
