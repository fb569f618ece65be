//! `#[qtasync::main]` and `#[qtasync::test]`.
//!
//! ```text
//! #[qtasync::main(keep_running = false)]       fn main() -> R {
//! async fn main() -> R { body }           =>       let app = <application for `app`>;
//!                                                  let body: Pin<Box<dyn Future<Output = R>>> = Box::pin(async move { body });
//!                                                  let out = finish_main(Runner::new().keep_running(false)...run(body));
//!                                                  drop(app); out
//!                                              }
//! ```

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ItemFn, ReturnType};

use crate::options::{self, default_crate_path, item_with_error};
use crate::tokio_option::{self, TokioOptions};

const MAIN_OPTIONS: &[&str] = &[
    "keep_running",
    "quit_qapp",
    "handle_sigint",
    "debug",
    "app",
    "tokio",
    "tokio_workers",
    "tokio_runtime",
    "crate",
];
const TEST_OPTIONS: &[&str] = &[
    "timeout",
    "start_paused",
    "allow_leftovers",
    "tokio",
    "tokio_workers",
    "tokio_runtime",
    "crate",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum App {
    Core,
    Gui,
    Widgets,
}

struct MainConfig {
    keep_running: bool,
    quit_qapp: bool,
    handle_sigint: bool,
    debug: Option<bool>,
    app: App,
    app_span: Span,
    tokio: TokioOptions,
    krate: syn::Path,
}

impl Default for MainConfig {
    fn default() -> Self {
        MainConfig {
            keep_running: true,
            quit_qapp: true,
            handle_sigint: false,
            debug: None,
            app: App::Core,
            app_span: Span::call_site(),
            tokio: TokioOptions::default(),
            krate: default_crate_path(),
        }
    }
}

/// Collects errors, so that one compile reports every mistake.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn take<T>(&mut self, result: Result<T, syn::Error>) -> Option<T> {
        result.map_err(|error| self.push(error)).ok()
    }
}

fn main_config(args: TokenStream, errors: &mut Errors) -> MainConfig {
    let mut config = MainConfig::default();
    let Some(parsed) = errors.take(options::parse(args, MAIN_OPTIONS)) else { return config };
    for option in parsed {
        match option.key.as_str() {
            "keep_running" => config.keep_running = errors.take(option.bool()).unwrap_or(true),
            "quit_qapp" => config.quit_qapp = errors.take(option.bool()).unwrap_or(true),
            "handle_sigint" => config.handle_sigint = errors.take(option.bool()).unwrap_or(false),
            "debug" => config.debug = errors.take(option.bool()),
            "app" => {
                if let Some((value, span)) = errors.take(option.string("\"widgets\"")) {
                    config.app_span = span;
                    match value.as_str() {
                        "core" => config.app = App::Core,
                        "gui" => config.app = App::Gui,
                        "widgets" => config.app = App::Widgets,
                        other => errors.push(syn::Error::new(
                            span,
                            format!("unknown application {other:?}; `app` is one of \"core\" (QCoreApplication), \"gui\" (QGuiApplication), \"widgets\" (QApplication)"),
                        )),
                    }
                }
            }
            key if tokio_option::KEYS.contains(&key) => {
                errors.take(config.tokio.set(&option));
            }
            "crate" => {
                if let Some(path) = errors.take(option.crate_path()) {
                    config.krate = path;
                }
            }
            _ => unreachable!("options::parse checked the key"),
        }
    }
    config
}

/// Checks what every entry function must be: async, no parameters, not generic.
fn check_signature(function: &ItemFn, what: &str, errors: &mut Errors) {
    let signature = &function.sig;
    if signature.asyncness.is_none() {
        errors.push(syn::Error::new(
            signature.fn_token.span(),
            format!("the `async` keyword is missing from the function declaration: #[qtasync::{what}] runs an `async fn`"),
        ));
    }
    if !signature.inputs.is_empty() {
        errors.push(syn::Error::new(
            signature.inputs.span(),
            format!("the {what} function cannot take arguments"),
        ));
    }
    if !signature.generics.params.is_empty() || signature.generics.where_clause.is_some() {
        errors.push(syn::Error::new(
            signature.generics.span(),
            format!("the {what} function cannot be generic"),
        ));
    }
}

/// The function cannot be expanded (it takes arguments, is generic, or is not async). A sync
/// function is emitted as written; an async one as an unused function that keeps its body (so
/// IDEs still analyse it) and, for `main`, an empty `main`: only our error is reported.
fn shape_error(
    item: TokenStream,
    function: &ItemFn,
    is_main: bool,
    error: syn::Error,
) -> TokenStream {
    if function.sig.asyncness.is_none() {
        return item_with_error(item, error);
    }
    let ItemFn { attrs, sig, block, .. } = function;
    let mut sig = sig.clone();
    sig.asyncness = None;
    sig.output = ReturnType::Default;
    sig.ident = syn::Ident::new(&format!("__qtasync_invalid_{}", sig.ident), sig.ident.span());
    let main = is_main.then(|| {
        quote!(
            fn main() {}
        )
    });
    let mut tokens = quote! {
        #(#attrs)*
        #[allow(dead_code, unused_variables, clippy::all)]
        #sig { let _ = async move #block; }
        #main
    };
    tokens.extend(error.into_compile_error());
    tokens
}

pub(crate) fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    let function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(error) => return item_with_error(item, error),
    };
    let mut errors = Errors::default();
    check_signature(&function, "main", &mut errors);
    if let Some(error) = errors.0.take() {
        return shape_error(item, &function, true, error);
    }
    // Option errors: still expand (with what could be read), then report.
    let config = main_config(args, &mut errors);
    let mut expanded = expand_main(function, config);
    if let Some(error) = errors.0 {
        expanded.extend(error.into_compile_error());
    }
    expanded
}

fn expand_main(function: ItemFn, config: MainConfig) -> TokenStream {
    let ItemFn { attrs, vis, mut sig, block } = function;
    let output = output_type_of(&sig.output);
    sig.asyncness = None;
    let krate = &config.krate;
    let app_name = syn::Ident::new("__qtasync_app", Span::mixed_site());
    let body_name = syn::Ident::new("__qtasync_body", Span::mixed_site());
    let output_name = syn::Ident::new("__qtasync_output", Span::mixed_site());
    let tokio_name = syn::Ident::new("__qtasync_tokio", Span::mixed_site());
    // Made before the application and shut down after it: tokio outlives the loop's tasks.
    let tokio = config.tokio.binding(krate, &tokio_name, true);
    let drop_tokio = tokio.is_some().then(|| quote!(::core::mem::drop(#tokio_name);));
    let app = match config.app {
        App::Core => quote!(()),
        App::Gui => quote_spanned! {config.app_span=>
            { #krate::__qtasync_require_gui!(); #krate::__private::new_gui_application() }
        },
        App::Widgets => quote_spanned! {config.app_span=>
            { #krate::__qtasync_require_widgets!(); #krate::__private::new_widgets_application() }
        },
    };
    let (keep_running, quit_qapp, handle_sigint) =
        (config.keep_running, config.quit_qapp, config.handle_sigint);
    let debug = config.debug.map(|debug| quote!(.debug(#debug)));
    let body_span = block.span();
    let boxed = quote_spanned! {body_span=>
        let #body_name: ::core::pin::Pin<::std::boxed::Box<dyn ::core::future::Future<Output = #output>>> =
            ::std::boxed::Box::pin(async move #block);
    };
    quote! {
        #(#attrs)*
        #vis #sig {
            #tokio
            let #app_name = #app;
            #boxed
            let #output_name = #krate::__private::finish_main(
                #krate::Runner::new()
                    .keep_running(#keep_running)
                    .quit_qapp(#quit_qapp)
                    .handle_sigint(#handle_sigint)
                    #debug
                    .run(#body_name),
            );
            ::core::mem::drop(#app_name);
            #drop_tokio
            #output_name
        }
    }
}

fn output_type_of(output: &ReturnType) -> TokenStream {
    match output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    }
}

/// `"500ms"`, `"5s"`, `"2m"` in milliseconds.
fn parse_timeout(text: &str) -> Option<u64> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let factor = match unit.trim() {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        _ => return None,
    };
    number.checked_mul(factor).filter(|millis| *millis > 0)
}

pub(crate) fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    let function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(error) => return item_with_error(item, error),
    };
    let mut errors = Errors::default();
    check_signature(&function, "test", &mut errors);
    if let Some(attr) = function.attrs.iter().find(|attr| attr.path().is_ident("test")) {
        errors.push(syn::Error::new_spanned(
            attr,
            "#[qtasync::test] already makes this a test: remove the second #[test]",
        ));
    }
    if let Some(error) = errors.0.take() {
        return shape_error(item, &function, false, error);
    }
    let mut krate = default_crate_path();
    let mut timeout_ms = None;
    let mut start_paused = false;
    let mut allow_leftovers = false;
    let mut tokio = TokioOptions::default();
    if let Some(parsed) = errors.take(options::parse(args, TEST_OPTIONS)) {
        for option in parsed {
            match option.key.as_str() {
                "start_paused" => start_paused = errors.take(option.bool()).unwrap_or(false),
                "allow_leftovers" => allow_leftovers = errors.take(option.bool()).unwrap_or(false),
                "timeout" => {
                    if let Some((text, span)) = errors.take(option.string("\"5s\"")) {
                        match parse_timeout(&text) {
                            Some(millis) => timeout_ms = Some(millis),
                            None => errors.push(syn::Error::new(
                                span,
                                format!("`timeout` takes a positive duration such as \"500ms\", \"5s\" or \"2m\", not {text:?}"),
                            )),
                        }
                    }
                }
                key if tokio_option::KEYS.contains(&key) => {
                    errors.take(tokio.set(&option));
                }
                "crate" => {
                    if let Some(path) = errors.take(option.crate_path()) {
                        krate = path;
                    }
                }
                _ => unreachable!("options::parse checked the key"),
            }
        }
    }
    let ItemFn { attrs, vis, mut sig, block } = function;
    let output = output_type_of(&sig.output);
    sig.asyncness = None;
    sig.output = ReturnType::Default;
    let timeout = match timeout_ms {
        Some(millis) => {
            quote!(::core::option::Option::Some(::core::time::Duration::from_millis(#millis)))
        }
        None => quote!(::core::option::Option::None),
    };
    let body_span = block.span();
    let make = quote_spanned! {body_span=>
        || -> ::core::pin::Pin<::std::boxed::Box<dyn ::core::future::Future<Output = #output>>> {
            ::std::boxed::Box::pin(async move #block)
        }
    };
    let options_name = syn::Ident::new("__qtasync_options", Span::mixed_site());
    let tokio_name = syn::Ident::new("__qtasync_tokio", Span::mixed_site());
    // Lives until the test is over, then shuts down a runtime of the test's own.
    let tokio_binding = tokio.binding(&krate, &tokio_name, false);
    let with_tokio = tokio_binding
        .is_some()
        .then(|| quote!(let #options_name = #tokio_name.test_options(#options_name);));
    let mut expanded = quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis #sig {
            #tokio_binding
            let #options_name = #krate::testing::TestOptions::new()
                .timeout(#timeout)
                .start_paused(#start_paused)
                .allow_leftovers(#allow_leftovers);
            #with_tokio
            #krate::testing::run_test_with(#options_name, #make)
        }
    };
    if let Some(error) = errors.0 {
        expanded.extend(error.into_compile_error());
    }
    expanded
}

#[cfg(test)]
mod tests {
    use super::parse_timeout;

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("500ms"), Some(500));
        assert_eq!(parse_timeout("5s"), Some(5_000));
        assert_eq!(parse_timeout("2m"), Some(120_000));
        assert_eq!(parse_timeout("0s"), None);
        assert_eq!(parse_timeout("5"), None);
        assert_eq!(parse_timeout("s"), None);
        assert_eq!(parse_timeout("5h"), None);
    }
}
