//! neurofab patch 3 (see vendor/PATCHES.md): `Logic::update_clock_only` for an `#[hdl_gen]`
//! kernel.
//!
//! In a settle pass where a block's only changed input is its own `clock`, a kernel that
//! uses the clock only to pass it on (`dff_setup!`, `clock!`, `self.x.next = self.clock.val()`
//! at the top level or in a `for` loop) would rewrite every other `.next` with the value it
//! already holds. Such a kernel gets an `update_clock_only()` that does just the clock copies.
//! A kernel that reads the clock in any other way (an edge test, a clock read inside an `if`,
//! a clock macro with another clock) keeps the default, which asks for the full `update()`.

use crate::common::{DFFSetupArgs, TS};
use quote::{quote, ToTokens};
use syn::visit::Visit;
use syn::{Expr, Stmt};

pub fn clock_gen(item: &syn::ItemFn) -> TS {
    let mut copies = ClockCopies::default();
    let body = copies.stmts(&item.block.stmts);
    let mut uses = ClockUses::default();
    uses.visit_block(&item.block);
    if copies.unsupported || uses.unsupported || uses.clock_reads != copies.clock_reads {
        return quote! {};
    }
    quote! {
        fn update_clock_only(&mut self) -> bool {
            #(#body)*
            true
        }
    }
}

fn is_self_clock(expr: &Expr) -> bool {
    matches!(expr, Expr::Field(field)
        if field.member.to_token_stream().to_string() == "clock"
            && matches!(&*field.base, Expr::Path(path) if path.path.is_ident("self")))
}

/// `self.clock.val()`.
fn is_clock_read(expr: &Expr) -> bool {
    matches!(expr, Expr::MethodCall(call)
        if call.method == "val" && call.args.is_empty() && is_self_clock(&call.receiver))
}

#[derive(Default)]
struct ClockCopies {
    /// `self.clock.val()` reads kept.
    clock_reads: usize,
    unsupported: bool,
}

impl ClockCopies {
    /// The clock copies among `stmts`, with the `for` loops around them.
    fn stmts(&mut self, stmts: &[Stmt]) -> Vec<TS> {
        let mut kept = vec![];
        for stmt in stmts {
            match stmt {
                Stmt::Item(syn::Item::Macro(mac)) => kept.extend(self.clock_macro(&mac.mac)),
                Stmt::Expr(expr) | Stmt::Semi(expr, _) => match expr {
                    Expr::Assign(assign) if is_clock_read(&assign.right) => {
                        self.clock_reads += 1;
                        kept.push(quote!(#expr;));
                    }
                    Expr::ForLoop(for_loop) => {
                        let inner = self.stmts(&for_loop.body.stmts);
                        if !inner.is_empty() {
                            let pat = &for_loop.pat;
                            let range = &for_loop.expr;
                            kept.push(quote!(for #pat in #range { #(#inner)* }));
                        }
                    }
                    Expr::Macro(mac) => kept.extend(self.clock_macro(&mac.mac)),
                    _ => {}
                },
                _ => {}
            }
        }
        kept
    }

    /// `dff_setup!(self, clock, ...)` and `clock!(self, clock, ...)` as clock copies.
    fn clock_macro(&mut self, mac: &syn::Macro) -> Vec<TS> {
        let name = mac
            .path
            .segments
            .last()
            .map(|segment| segment.ident.to_string())
            .unwrap_or_default();
        if name != "dff_setup" && name != "clock" {
            return vec![];
        }
        match mac.parse_body::<DFFSetupArgs>() {
            Ok(args) if args.clock.to_token_stream().to_string() == "clock" => args
                .dffs
                .iter()
                .map(|dff| quote!(self.#dff.clock.next = self.clock.val();))
                .collect(),
            _ => {
                self.unsupported = true;
                vec![]
            }
        }
    }
}

/// Every use of `self.clock` and every edge test in the body.
#[derive(Default)]
struct ClockUses {
    clock_reads: usize,
    unsupported: bool,
}

impl<'ast> Visit<'ast> for ClockUses {
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if call.method == "pos_edge" || call.method == "neg_edge" {
            self.unsupported = true;
        }
        if is_clock_read(&Expr::MethodCall(call.clone())) {
            self.clock_reads += 1;
        } else if is_self_clock(&call.receiver) {
            self.unsupported = true;
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}

/// neurofab patch 5: `Logic::update_reruns_cleanly` for an `#[hdl_gen]` kernel. A kernel
/// assigns `.next` values from `.val()` reads; with no edge test (`pos_edge`/`neg_edge`)
/// its writes are a function of the values alone, so calling it again in the same pass after
/// latching its locals is the next pass's call, made early. A body with an edge test, or a
/// macro other than `dff_setup!` and `clock!` (whose text is not inspected), keeps the
/// default, `false`.
pub fn reruns_gen(item: &syn::ItemFn) -> TS {
    let mut finder = EdgeOrMacro::default();
    finder.visit_block(&item.block);
    if finder.found {
        return quote! {};
    }
    quote! {
        fn update_reruns_cleanly(&self) -> bool {
            true
        }
    }
}

#[derive(Default)]
struct EdgeOrMacro {
    found: bool,
}

impl<'ast> Visit<'ast> for EdgeOrMacro {
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if call.method == "pos_edge" || call.method == "neg_edge" {
            self.found = true;
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|segment| segment.ident.to_string())
            .unwrap_or_default();
        if name != "dff_setup" && name != "clock" {
            self.found = true;
        }
    }
}
