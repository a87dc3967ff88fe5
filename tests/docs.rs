//! Documentation generated from the register map (`src/rtl/regmap/`): `docs/register-map.md`
//! and the code tables of `docs/host-protocol.md` must equal the generated text.
//!
//! Regenerate both with `NEUROFAB_UPDATE_DOCS=1 cargo test --release --test docs`.

use std::path::PathBuf;

use neurofab::rtl::regmap::doc::{register_map_markdown, update_host_protocol};

const UPDATE: &str = "NEUROFAB_UPDATE_DOCS";

fn doc_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(name)
}

/// Compares `docs/NAME` with `generated`, or writes it when [`UPDATE`] is set.
fn check(name: &str, generated: &str) {
    let path = doc_path(name);
    if std::env::var_os(UPDATE).is_some() {
        std::fs::write(&path, generated).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let current =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        current == generated,
        "{} is out of date with src/rtl/regmap/: run `{UPDATE}=1 cargo test --release --test docs`",
        path.display()
    );
}

#[test]
fn register_map_doc_is_generated() {
    check("register-map.md", &register_map_markdown());
}

#[test]
fn host_protocol_code_tables_are_generated() {
    let path = doc_path("host-protocol.md");
    let current =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let updated =
        update_host_protocol(&current).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    check("host-protocol.md", &updated);
}
