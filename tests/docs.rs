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

/// The fenced blocks of `markdown` with info string `lang`, in order.
fn fenced_blocks<'a>(markdown: &'a str, lang: &str) -> Vec<&'a str> {
    let open = format!("```{lang}\n");
    let mut blocks = Vec::new();
    let mut rest = markdown;
    while let Some(start) = rest.find(&open) {
        let body = &rest[start + open.len()..];
        let end = body.find("```").expect("unterminated fenced block");
        blocks.push(&body[..end]);
        rest = &body[end + 3..];
    }
    blocks
}

/// Runs `neurofab ARGS` and returns its standard output; panics with its stderr on failure.
fn neurofab(args: &[&std::ffi::OsStr]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_neurofab"))
        .args(args)
        .output()
        .expect("neurofab runs");
    assert!(
        out.status.success(),
        "neurofab {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Every `json` block of `docs/network-format.md` is either a network file, which must load and
/// run on the golden engine (with `--weights-out` when it learns), or the learned-weight output
/// of SPEC §6, whose shape a learning run's own output must have. The first network's spike CSV
/// must be the `text` block the page shows for it (the page derives it by hand, tick by tick).
#[test]
fn network_format_examples_run() {
    use serde_json::Value;
    use std::ffi::OsStr;

    let page = std::fs::read_to_string(doc_path("network-format.md")).expect("network-format.md");
    let blocks: Vec<(&str, Value)> = fenced_blocks(&page, "json")
        .into_iter()
        .enumerate()
        .map(|(k, b)| {
            (
                b,
                serde_json::from_str(b).unwrap_or_else(|e| panic!("json block {k}: {e}")),
            )
        })
        .collect();
    let (networks, outputs): (Vec<_>, Vec<_>) = blocks
        .iter()
        .partition(|(_, v)| v.get("populations").is_some());
    assert!(
        networks.len() >= 2,
        "the page shows a plain and a learning network"
    );
    let [(_, shown_output)] = outputs.as_slice() else {
        panic!(
            "the page shows one learned-weight output, found {}",
            outputs.len()
        );
    };
    // The shape of a learned-weight file: `ticks` an integer, the keys of a projection entry.
    let shape = |v: &Value| {
        let proj = v["projections"][0]
            .as_object()
            .expect("a projection object");
        let mut keys: Vec<&String> = proj.keys().collect();
        keys.sort();
        (
            v["ticks"].is_u64(),
            keys.into_iter().cloned().collect::<Vec<_>>(),
        )
    };

    let dir = tempfile::tempdir().expect("temp dir");
    let mut csvs = Vec::new();
    let mut learning_networks = 0;
    for (k, (text, value)) in networks.iter().enumerate() {
        let net = dir.path().join(format!("example{k}.json"));
        std::fs::write(&net, text).unwrap();
        let weights = dir.path().join(format!("weights{k}.json"));
        let learns = value["projections"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p.get("learning").is_some()));
        let mut args = vec![
            OsStr::new("sim"),
            net.as_os_str(),
            OsStr::new("--engine"),
            OsStr::new("golden"),
        ];
        if learns {
            args.extend([OsStr::new("--weights-out"), weights.as_os_str()]);
        }
        csvs.push(neurofab(&args));
        if learns {
            learning_networks += 1;
            let written: Value = serde_json::from_str(
                &std::fs::read_to_string(&weights).expect("--weights-out file"),
            )
            .expect("learned-weight JSON");
            assert_eq!(
                shape(&written),
                shape(shown_output),
                "learned-weight output shape"
            );
        }
    }
    assert!(learning_networks >= 1, "the page shows a learning network");
    let shown_csv = fenced_blocks(&page, "text")
        .into_iter()
        .find(|b| b.starts_with("tick,population,neuron"))
        .expect("the example's spike CSV");
    assert_eq!(csvs[0], shown_csv, "the first example's spikes");
}

/// The README's `hw.toml` example lists the supported core shapes: exactly the shape table's.
#[test]
fn readme_lists_the_supported_core_shapes() {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .expect("README.md");
    let listed = readme
        .lines()
        .find_map(|line| line.split_once("# supported neurons x axons: "))
        .map(|(_, rest)| rest.split(';').next().unwrap().trim())
        .expect("the hw.toml example's list of shapes");
    assert_eq!(
        listed,
        neurofab::shape::shape_list_text(&neurofab::shape::SUPPORTED_SHAPES)
    );
}

/// The `XBAR.json` example of `docs/crossbar.md` solves to the CSV the page shows (which the
/// page derives by hand).
#[test]
fn crossbar_doc_example_solves_as_shown() {
    let doc = std::fs::read_to_string(doc_path("crossbar.md")).unwrap();
    let json = fenced_blocks(&doc, "json");
    let text = fenced_blocks(&doc, "text");
    let dir = tempfile::tempdir().unwrap();
    let xbar = dir.path().join("xbar.json");
    std::fs::write(&xbar, json[0]).unwrap();
    let csv = neurofab(&["crossbar".as_ref(), "solve".as_ref(), xbar.as_os_str()]);
    assert_eq!(csv, text[0]);
}
