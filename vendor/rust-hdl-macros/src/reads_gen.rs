//! neurofab patch 2 (see vendor/PATCHES.md): `Logic::child_reads_changed` for an `#[hdl_gen]`
//! kernel, from the signals of child blocks that the kernel reads with `.val()`.
//!
//! A read `self.a.b.val()` of a child's port lists that port, and so does a deeper read
//! without an index (`self.a.b.c.val()`, a port of an interface on a child); a read through an
//! index (`self.a[i].b.val()`) lists the whole field `self.a`, which is conservative. Reads of the block's own signals (`self.a.val()`) are not listed: every own
//! signal is checked anyway. `dff_setup!` reads each register's `q`. Anything the collector does
//! not understand (a `.val()` on something not rooted at `self`, an unknown macro) makes the
//! answer `None`, so that every change in the children counts.

use crate::common::{DFFSetupArgs, TS};
use quote::quote;
use syn::visit::Visit;
use syn::{Expr, Member};

pub fn reads_gen(item: &syn::ItemFn) -> TS {
    let mut reads = Reads::default();
    reads.visit_block(&item.block);
    if reads.unknown {
        return quote! {
            fn child_reads_changed(&self) -> Option<bool> {
                None
            }
        };
    }
    let mut seen = std::collections::BTreeSet::new();
    let paths: Vec<TS> = reads
        .paths
        .into_iter()
        .filter(|path| seen.insert(path.to_string()))
        .collect();
    if paths.is_empty() {
        quote! {
            fn child_reads_changed(&self) -> Option<bool> {
                Some(false)
            }
        }
    } else {
        quote! {
            fn child_reads_changed(&self) -> Option<bool> {
                Some(#(block::Block::has_changed(&#paths))||*)
            }
        }
    }
}

#[derive(Default)]
struct Reads {
    paths: Vec<TS>,
    unknown: bool,
}

impl Reads {
    /// Records the child signal (or child) that `receiver.val()` reads.
    fn record(&mut self, receiver: &Expr) {
        // Walk from the outside in: `self.a[i].b` is Field(Index(Field(self, a), i), b).
        let mut members: Vec<(Member, bool)> = vec![];
        let mut expr = receiver;
        let mut indexed = false;
        loop {
            match expr {
                Expr::Field(field) => {
                    members.push((field.member.clone(), indexed));
                    indexed = false;
                    expr = &field.base;
                }
                Expr::Index(index) => {
                    indexed = true;
                    expr = &index.expr;
                }
                Expr::Paren(paren) => expr = &paren.expr,
                Expr::Path(path) if path.path.is_ident("self") && !indexed => break,
                _ => {
                    self.unknown = true;
                    return;
                }
            }
        }
        members.reverse();
        // members[k] = (name, whether an index follows it).
        match members.as_slice() {
            [] => self.unknown = true,
            [_own] => {}
            [(child, false), (port, false)] => self.paths.push(quote!(self.#child.#port)),
            // A port of a child's interface (`self.a.b.c.val()`, no index anywhere): that
            // signal. (neurofab: interfaces on children, e.g. the synapse port.)
            path if path.iter().all(|(_, indexed)| !indexed) => {
                let names = path.iter().map(|(name, _)| name);
                self.paths.push(quote!(self #(.#names)*))
            }
            [(child, _), ..] => self.paths.push(quote!(self.#child)),
        }
    }
}

impl<'ast> Visit<'ast> for Reads {
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if call.method == "val" && call.args.is_empty() {
            self.record(&call.receiver);
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
        match name.as_str() {
            "dff_setup" => match mac.parse_body::<DFFSetupArgs>() {
                Ok(args) => {
                    for dff in &args.dffs {
                        self.paths.push(quote!(self.#dff.q));
                    }
                }
                Err(_) => self.unknown = true,
            },
            // `clock!` reads only the block's own clock; the others read nothing.
            "clock" | "println" | "comment" | "assert" => {}
            _ => self.unknown = true,
        }
    }
}
