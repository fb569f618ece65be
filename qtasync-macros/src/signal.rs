//! `qtasync::signal!`, which forwards here with its crate path first.
//!
//! ```text
//! signal!(sender.renamed(_, _))  =>  $crate::qt::Signal::new(sender, "renamed", |s, sink| {
//!                                        s.on_renamed(move |_, a0, a1| sink.emit(move || (
//!                                            SignalArg::into_owned(a0), SignalArg::into_owned(a1),
//!                                        )))
//!                                    })
//! ```
//!
//! cxx-qt's `on_<signal>` is generic over the handler, so the handler's arity has to be written
//! out: that is what the `_`s are for. `on_<signal>` carries the span of the signal's name (a
//! wrong name is an error there), the handler the span of the `(_, _)` (a wrong count is an
//! error there).

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::Expr;

const USAGE: &str = "expected `sender.signal_name(_, ..)`: the sender (a `Pin<&mut T>`), the \
                     signal's name, and one `_` per signal argument, e.g. \
                     `qtasync::signal!(button.as_mut().clicked(_))`";

pub(crate) fn signal(input: TokenStream) -> TokenStream {
    let mut tokens = input.into_iter();
    let mut krate = TokenStream::new();
    for token in tokens.by_ref() {
        match token {
            TokenTree::Punct(punct) if punct.as_char() == ';' => break,
            token => krate.extend([token]),
        }
    }
    let rest: TokenStream = tokens.collect();
    match expand(&krate, rest) {
        Ok(tokens) => tokens,
        Err(error) => error.to_compile_error(),
    }
}

fn expand(krate: &TokenStream, input: TokenStream) -> Result<TokenStream, syn::Error> {
    if input.is_empty() {
        return Err(syn::Error::new(Span::call_site(), USAGE));
    }
    let expr: Expr = syn::parse2(input.clone())
        .map_err(|error| syn::Error::new(error.span(), format!("{error}; {USAGE}")))?;
    let Expr::MethodCall(call) = expr else {
        return Err(syn::Error::new_spanned(input, USAGE));
    };
    if let Some(turbofish) = &call.turbofish {
        return Err(syn::Error::new_spanned(turbofish, "a signal takes no generic arguments"));
    }
    for arg in &call.args {
        let placeholder = match arg {
            Expr::Infer(_) => true,
            Expr::Path(path) => path.attrs.is_empty() && path.path.get_ident().is_some(),
            _ => false,
        };
        if !placeholder {
            return Err(syn::Error::new(
                arg.span(),
                "write `_` (or a name, for the reader) for each signal argument: \
                 `signal!(sender.signal_name(_, _))`",
            ));
        }
    }

    let name = &call.method;
    let unraw = name.to_string().trim_start_matches("r#").to_owned();
    let on_name = Ident::new(&format!("on_{unraw}"), name.span());
    let receiver = &call.receiver;
    let locals = Span::mixed_site();
    let sender = Ident::new("__qtasync_sender", locals);
    let sink = Ident::new("__qtasync_sink", locals);
    let params: Vec<Ident> =
        (0..call.args.len()).map(|i| format_ident!("__qtasync_arg{}", i, span = locals)).collect();
    let args_span = call.paren_token.span.join();
    let handler = quote_spanned! {args_span=>
        move |_, #(#params),*| #sink.emit(move || (#(#krate::qt::SignalArg::into_owned(#params),)*))
    };
    Ok(quote! {
        #krate::qt::Signal::new(#receiver, #unraw, |#sender, #sink| #sender.#on_name(#handler))
    })
}
