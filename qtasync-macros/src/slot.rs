//! `#[qt_slot_async]`.
//!
//! ```text
//! #[qt_slot_async]                                  fn fetch(self: Pin<&mut Self>, a0: QString) {
//! async fn fetch(self: Pin<&mut Self>,      =>          let object = ObjectRef::new(self);
//!                url: QString) -> R { body }            spawn_slot(.., Some(&object), Self::__qtasync_slot_fetch(object, a0));
//!                                                   }
//!                                                   async fn __qtasync_slot_fetch(__qtasync_self: ObjectRef<Self>,
//!                                                                                 url: QString) -> R { body, self => __qtasync_self }
//!
//! #[qt_slot_async]                                  fn clicked(a0: bool) {
//! async fn clicked(checked: bool) { body }  =>          async fn body(checked: bool) { body }
//!                                                       spawn_slot(.., None, body(a0));
//!                                                   }
//! ```

use proc_macro2::{Group, Ident, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, ItemFn, PathArguments, Receiver, ReturnType, Type};

use crate::options::{self, default_crate_path, item_with_error};

const SLOT_OPTIONS: &[&str] = &["exclusive", "name", "crate"];

struct SlotConfig {
    exclusive: bool,
    name: Option<String>,
    krate: syn::Path,
}

fn config(args: TokenStream) -> Result<SlotConfig, syn::Error> {
    let mut config = SlotConfig { exclusive: false, name: None, krate: default_crate_path() };
    let mut errors: Option<syn::Error> = None;
    let mut push = |error: syn::Error| match &mut errors {
        Some(errors) => errors.combine(error),
        None => errors = Some(error),
    };
    for option in options::parse(args, SLOT_OPTIONS)? {
        match option.key.as_str() {
            "exclusive" => match option.bool() {
                Ok(value) => config.exclusive = value,
                Err(error) => push(error),
            },
            "name" => match option.string("\"fetch-weather\"") {
                Ok((name, _)) => config.name = Some(name),
                Err(error) => push(error),
            },
            "crate" => match option.crate_path() {
                Ok(path) => config.krate = path,
                Err(error) => push(error),
            },
            _ => unreachable!("options::parse checked the key"),
        }
    }
    match errors {
        Some(errors) => Err(errors),
        None => Ok(config),
    }
}

/// `Pin<&mut Self>` (also spelled `core::pin::Pin` or `std::pin::Pin`).
fn is_pin_mut_self(ty: &Type) -> bool {
    let Type::Path(path) = ty else { return false };
    let Some(last) = path.path.segments.last() else { return false };
    if last.ident != "Pin" {
        return false;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else { return false };
    let [GenericArgument::Type(Type::Reference(reference))] =
        args.args.iter().collect::<Vec<_>>()[..]
    else {
        return false;
    };
    reference.mutability.is_some()
        && matches!(&*reference.elem, Type::Path(inner) if inner.path.is_ident("Self"))
}

fn check_receiver(receiver: &Receiver) -> Result<(), syn::Error> {
    if receiver.colon_token.is_some() && is_pin_mut_self(&receiver.ty) {
        return Ok(());
    }
    Err(syn::Error::new(
        receiver.span(),
        "an async slot takes `self: Pin<&mut Self>` (the receiver cxx-qt gives slots and invokables)",
    ))
}

/// `ObjectRef<..>` (by its last path segment, so `qtasync::ObjectRef<T>` counts too).
fn is_object_ref(ty: &Type) -> bool {
    matches!(ty, Type::Path(path) if path.path.segments.last().is_some_and(|last| last.ident == "ObjectRef"))
}

/// Arguments move into a task that outlives the call: no borrowed or `impl Trait` types.
fn check_argument_type(ty: &Type) -> Result<(), syn::Error> {
    match ty {
        Type::Reference(_) => Err(syn::Error::new(
            ty.span(),
            "async slot arguments move into a task that outlives the call, so they must be owned: take `String` or `QString`, not a reference",
        )),
        Type::ImplTrait(_) => Err(syn::Error::new(
            ty.span(),
            "async slots cannot take `impl Trait` arguments: Qt slots have one concrete signature",
        )),
        _ => Ok(()),
    }
}

/// Replaces the `self` keyword with `replacement` (keeping each `self`'s span, so errors point
/// at the user's code).
fn replace_self(tokens: TokenStream, replacement: &str) -> TokenStream {
    tokens
        .into_iter()
        .map(|token| match token {
            TokenTree::Ident(ident) if ident == "self" => {
                TokenTree::Ident(Ident::new(replacement, ident.span()))
            }
            TokenTree::Group(group) => {
                let mut new =
                    Group::new(group.delimiter(), replace_self(group.stream(), replacement));
                new.set_span(group.span());
                TokenTree::Group(new)
            }
            other => other,
        })
        .collect()
}

pub(crate) fn qt_slot_async(args: TokenStream, item: TokenStream) -> TokenStream {
    let function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(error) => return item_with_error(item, error),
    };
    let mut errors: Option<syn::Error> = None;
    let mut push = |error: syn::Error| match &mut errors {
        Some(errors) => errors.combine(error),
        None => errors = Some(error),
    };
    let signature = &function.sig;
    if signature.asyncness.is_none() {
        push(syn::Error::new(
            signature.fn_token.span(),
            "#[qt_slot_async] goes on an `async fn`: add `async` before `fn`",
        ));
    }
    if !signature.generics.params.is_empty() || signature.generics.where_clause.is_some() {
        push(syn::Error::new(
            signature.generics.span(),
            "async slots cannot be generic: a Qt slot has one concrete signature",
        ));
    }
    let mut receiver = None;
    let mut arguments = Vec::new();
    for input in &signature.inputs {
        match input {
            FnArg::Receiver(found) => {
                if let Err(error) = check_receiver(found) {
                    push(error);
                }
                receiver = Some(found);
            }
            FnArg::Typed(typed) => {
                if let Err(error) = check_argument_type(&typed.ty) {
                    push(error);
                }
                arguments.push(typed);
            }
        }
    }
    let config = match config(args) {
        Ok(config) => Some(config),
        Err(error) => {
            push(error);
            None
        }
    };
    if let Some(errors) = errors {
        return item_with_error(item, errors);
    }
    let config = config.expect("no errors means the options parsed");
    expand(&function, receiver.map(|receiver| &*receiver.ty), &arguments, &config)
}

fn expand(
    function: &ItemFn,
    receiver: Option<&Type>,
    arguments: &[&syn::PatType],
    config: &SlotConfig,
) -> TokenStream {
    let ItemFn { attrs, vis, sig, block } = function;
    let krate = &config.krate;
    let name = &sig.ident;
    let slot_id = quote!(::core::concat!(::core::module_path!(), "::", ::core::stringify!(#name)));
    let task_name = match &config.name {
        Some(task_name) => quote!(::core::option::Option::Some(#task_name)),
        None => quote!(::core::option::Option::None),
    };
    let exclusive = config.exclusive;
    let forwarded: Vec<Ident> = (0..arguments.len())
        .map(|i| format_ident!("__qtasync_arg{}", i, span = Span::mixed_site()))
        .collect();
    let types: Vec<&Type> = arguments.iter().map(|argument| &*argument.ty).collect();
    let output = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    let spawn_slot = quote!(#krate::__private::spawn_slot);
    // Every token of the `report(..)` call sits at the return type, so that an output the loop
    // cannot report is an error there.
    let output_span = match &sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => sig.ident.span(),
    };
    let at_output = Span::mixed_site().located_at(output_span);
    let out = Ident::new("__qtasync_output", at_output);
    let slot = Ident::new("__qtasync_slot", at_output);
    let report = |call: TokenStream| {
        quote_spanned! {output_span=>
            async move {
                let #slot: &'static str = #slot_id;
                let #out = #call.await;
                #krate::__private::SlotOutput::report(#out, #slot)
            }
        }
    };
    if let Some(receiver) = receiver {
        let body_fn = format_ident!("__qtasync_slot_{}", name);
        let this = "__qtasync_self";
        let this_ident = Ident::new(this, Span::call_site());
        let body = replace_self(quote!(#block), this);
        let object = Ident::new("__qtasync_object", Span::mixed_site());
        let watch = Ident::new("__qtasync_watch", Span::mixed_site());
        let unsafety = &sig.unsafety;
        let method_body = report(quote!(Self::#body_fn(#object, #(#forwarded),*)));
        quote! {
            #(#attrs)*
            #vis #unsafety fn #name(self: #receiver, #(#forwarded: #types),*) {
                // SAFETY: `self` is moved into the `ObjectRef` and not used again: from here on the
                // object is reached only through `ObjectRef::with` (ObjectRef::new's contract).
                #[allow(unsafe_code)]
                let #object = unsafe { #krate::ObjectRef::new(self) };
                let #watch = ::core::clone::Clone::clone(&#object);
                let _ = #spawn_slot(
                    #slot_id,
                    #task_name,
                    #exclusive,
                    &[&#watch as &dyn #krate::__private::SlotObject],
                    #method_body,
                );
            }

            #[doc(hidden)]
            #[allow(non_snake_case, clippy::needless_lifetimes, clippy::unused_async)]
            async fn #body_fn(#this_ident: #krate::ObjectRef<Self>, #(#arguments),*) -> #output #body
        }
    } else {
        let inner = Ident::new("__qtasync_slot_body", Span::mixed_site());
        // `ObjectRef` arguments: destroying one cancels the task, as for a method's object.
        let watched: Vec<&Ident> = forwarded
            .iter()
            .zip(&types)
            .filter(|(_, ty)| is_object_ref(ty))
            .map(|(ident, _)| ident)
            .collect();
        let watches: Vec<Ident> = (0..watched.len())
            .map(|i| format_ident!("__qtasync_watch{}", i, span = Span::mixed_site()))
            .collect();
        let free_body = report(quote!(#inner(#(#forwarded),*)));
        quote! {
            #(#attrs)*
            #vis fn #name(#(#forwarded: #types),*) {
                #[allow(clippy::unused_async)]
                async fn #inner(#(#arguments),*) -> #output #block
                #(let #watches = ::core::clone::Clone::clone(&#watched);)*
                let _ = #spawn_slot(
                    #slot_id,
                    #task_name,
                    #exclusive,
                    &[#(&#watches as &dyn #krate::__private::SlotObject),*],
                    #free_body,
                );
            }
        }
    }
}
