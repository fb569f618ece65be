//! `key = value` options: each setter keeps the value's span and rejects duplicates; an unknown
//! key names every valid one; values of the wrong type say what is expected.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, Meta, Token};

/// One parsed option.
pub(crate) struct Option_ {
    pub(crate) key: String,
    pub(crate) key_span: Span,
    /// `None` for a bare flag such as `exclusive`.
    pub(crate) value: Option<Expr>,
}

/// Parses `args` and checks every key against `valid`.
pub(crate) fn parse(args: TokenStream, valid: &[&str]) -> Result<Vec<Option_>, syn::Error> {
    let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args)?;
    let mut seen: Vec<Option_> = Vec::new();
    let mut errors: Option<syn::Error> = None;
    let mut push_error = |error: syn::Error| match &mut errors {
        Some(errors) => errors.combine(error),
        None => errors = Some(error),
    };
    for meta in metas {
        let (path, value) = match meta {
            Meta::Path(path) => (path, None),
            Meta::NameValue(pair) => (pair.path, Some(pair.value)),
            Meta::List(list) => {
                push_error(syn::Error::new_spanned(
                    &list,
                    format!("expected `key = value`; valid keys: {}", valid.join(", ")),
                ));
                continue;
            }
        };
        let key = path.to_token_stream().to_string().replace(' ', "");
        let key_span = syn::spanned::Spanned::span(&path);
        if !valid.contains(&key.as_str()) {
            push_error(syn::Error::new(
                key_span,
                format!("unknown option `{key}`; valid options: {}", valid.join(", ")),
            ));
            continue;
        }
        if seen.iter().any(|option| option.key == key) {
            push_error(syn::Error::new(key_span, format!("`{key}` is set more than once")));
            continue;
        }
        seen.push(Option_ { key, key_span, value });
    }
    match errors {
        Some(errors) => Err(errors),
        None => Ok(seen),
    }
}

impl Option_ {
    fn lit(&self) -> Option<&Lit> {
        match &self.value {
            Some(Expr::Lit(ExprLit { lit, .. })) => Some(lit),
            _ => None,
        }
    }

    fn value_span(&self) -> Span {
        self.value.as_ref().map_or(self.key_span, syn::spanned::Spanned::span)
    }

    /// A bool option; a bare flag means `true`.
    pub(crate) fn bool(&self) -> Result<bool, syn::Error> {
        if self.value.is_none() {
            return Ok(true);
        }
        match self.lit() {
            Some(Lit::Bool(value)) => Ok(value.value),
            _ => Err(syn::Error::new(
                self.value_span(),
                format!(
                    "`{}` takes a bool: `{} = true` or `{} = false`",
                    self.key, self.key, self.key
                ),
            )),
        }
    }

    /// A string option, with the span of its literal.
    pub(crate) fn string(&self, example: &str) -> Result<(String, Span), syn::Error> {
        match self.lit() {
            Some(Lit::Str(value)) => Ok((value.value(), value.span())),
            _ => Err(syn::Error::new(
                self.value_span(),
                format!("`{}` takes a string: `{} = {example}`", self.key, self.key),
            )),
        }
    }

    /// A whole number of at least 1, with the span of its literal.
    pub(crate) fn positive_int(&self, what: &str) -> Result<(usize, Span), syn::Error> {
        let error = |span| {
            syn::Error::new(
                span,
                format!("`{}` takes {what}, at least 1: `{} = 4`", self.key, self.key),
            )
        };
        match self.lit() {
            Some(Lit::Int(value)) => match value.base10_parse::<usize>() {
                Ok(number) if number > 0 => Ok((number, value.span())),
                _ => Err(error(value.span())),
            },
            _ => Err(error(self.value_span())),
        }
    }

    /// A path to an item (`tokio_runtime = my_app::runtime`), not in a string.
    pub(crate) fn path(&self, example: &str) -> Result<syn::Path, syn::Error> {
        match &self.value {
            Some(Expr::Path(path)) if path.qself.is_none() && path.attrs.is_empty() => {
                Ok(path.path.clone())
            }
            _ => Err(syn::Error::new(
                self.value_span(),
                format!("`{}` takes a path: `{} = {example}`", self.key, self.key),
            )),
        }
    }

    /// `crate = "path"`: the path to the qtasync crate.
    pub(crate) fn crate_path(&self) -> Result<syn::Path, syn::Error> {
        let (text, span) = self.string("\"my_reexport::qtasync\"")?;
        syn::parse_str::<syn::Path>(&text).map(|path| respan(path, span)).map_err(|_| {
            syn::Error::new(
                span,
                format!("`crate` takes a path such as \"::qtasync\", not {text:?}"),
            )
        })
    }
}

/// `path` with every token at `span`.
pub(crate) fn respan(path: syn::Path, span: Span) -> syn::Path {
    let tokens: TokenStream = path
        .into_token_stream()
        .into_iter()
        .map(|mut token| {
            token.set_span(span);
            token
        })
        .collect();
    syn::parse2(tokens).expect("re-spanning a path keeps it a path")
}

/// The default path to qtasync.
pub(crate) fn default_crate_path() -> syn::Path {
    syn::parse_quote!(::qtasync)
}

/// The item unchanged, plus the errors: IDEs keep working and no "main not found" follows.
pub(crate) fn item_with_error(item: TokenStream, error: syn::Error) -> TokenStream {
    let mut tokens = item;
    tokens.extend(error.into_compile_error());
    tokens
}
