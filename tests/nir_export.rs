//! `neurofab export-nir` (src/import/export.rs, write.rs, exact.rs): import(export(net)) is net
//! on random networks, Python `nir` 1.0.8 reads the files with the parameters docs/nir.md
//! states, an edited or re-timed export is mapped like any graph (with a note), learned
//! weights are exported, and bad input is refused with nothing written.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{files_in, neurofab_in, stdp_vectors};
use neurofab::export::tools::is_ci;
use neurofab::import::export::{network_to_graph, NO_LEAK_TAU_STEPS};
use neurofab::import::graph::NodeKind;
use neurofab::import::import_file;
use neurofab::import::write::graph_to_bytes;
use neurofab::model::Network;
use neurofab::sim::random_net::{random_network, RandomNetConfig};
use serde_json::Value;

fn config() -> RandomNetConfig {
    RandomNetConfig {
        max_neurons: 48,
        max_axons: 160,
        max_negative_exp_projections_per_population: 3,
        max_abs_input: 1 << 20,
        ticks: 40,
    }
}

/// `net` as an import gives it back: no input spikes (NIR holds none), no learning rules.
fn topology(net: &Network) -> Network {
    let mut net = net.clone();
    for input in &mut net.inputs {
        input.spikes.clear();
    }
    for proj in &mut net.projections {
        proj.learning = None;
    }
    net
}

fn export_to(net: &Network, dt: f64, path: &Path) {
    let graph = network_to_graph(net, dt).expect("export");
    std::fs::write(path, graph_to_bytes(&graph).expect("write")).unwrap();
}

const DTS: [f64; 3] = [1e-3, 1e-4, 2.5e-3];

#[test]
fn import_of_export_is_the_network_on_random_networks() {
    let dir = tempfile::tempdir().unwrap();
    let mut zero_dv = 0;
    for seed in 0..60u64 {
        let net = random_network(seed, &config());
        let dt = DTS[seed as usize % DTS.len()];
        let path = dir.path().join(format!("n{seed}.nir"));
        export_to(&net, dt, &path);
        let imported = import_file(&path, dt, net.ticks).expect("import of an export");
        assert_eq!(imported.network, topology(&net), "seed {seed} at dt {dt}");
        assert!(
            imported.report.notes.is_empty(),
            "seed {seed}: {:?}",
            imported.report.notes
        );
        zero_dv += net
            .populations
            .iter()
            .flat_map(|p| &p.params)
            .filter(|p| p.dv == 0)
            .count();
    }
    // The generator favours the edges: dv = 0 (exported as tau_mem = 2^24 dt) is covered.
    assert!(
        zero_dv > 0,
        "no neuron with dv = 0 among the random networks"
    );
}

#[test]
fn an_edited_or_retimed_export_is_mapped_like_any_graph_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let net = Network::load(Path::new("examples/networks/default.json")).unwrap();
    let path = dir.path().join("default.nir");
    export_to(&net, 1e-3, &path);
    // Another dt: the floats no longer describe these integers.
    let retimed = import_file(&path, 5e-4, net.ticks).unwrap();
    assert_ne!(retimed.network, topology(&net));
    assert!(
        retimed.report.notes[0]
            .contains("exported at dt = 0.001 s and is imported at dt = 0.0005 s"),
        "{:?}",
        retimed.report.notes
    );
    // A weight edited (as after fine-tuning in a framework): no longer a multiple of 2^exp.
    let mut graph = network_to_graph(&net, 1e-3).unwrap();
    let linear = graph
        .find("in_to_exc")
        .expect("the projection's Linear node");
    let NodeKind::Linear { weight } = &mut graph.nodes[linear].kind else {
        panic!("not a Linear node")
    };
    weight.data[1] += 0.3;
    let edited = dir.path().join("edited.nir");
    std::fs::write(&edited, graph_to_bytes(&graph).unwrap()).unwrap();
    let imported = import_file(&edited, 1e-3, net.ticks).unwrap();
    assert!(
        imported.report.notes[0].contains("'in_to_exc'"),
        "{:?}",
        imported.report.notes
    );
    // The general mapping gives a population one power-of-two vth (docs/nir.md), not the
    // network's per-neuron thresholds.
    let vth: BTreeSet<i64> = imported.network.populations[0]
        .params
        .iter()
        .map(|p| p.vth)
        .collect();
    assert!(
        vth.len() == 1 && vth.iter().all(|v| v.count_ones() == 1),
        "{vth:?}"
    );
    assert!(net.populations[0]
        .params
        .iter()
        .any(|p| p.vth != net.populations[0].params[0].vth));
}

/// `.tools/venv/bin/python` if it imports `nir`; `None` locally (a panic under CI) otherwise.
fn python_with_nir() -> Option<PathBuf> {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/venv/bin/python");
    let works = Command::new(&python)
        .args(["-c", "import nir, h5py"])
        .output()
        .is_ok_and(|o| o.status.success());
    match works {
        true => Some(python),
        false if is_ci() => panic!(
            "CI=true and {} cannot import nir: run tools/install.sh",
            python.display()
        ),
        false => {
            eprintln!("skipping: Python nir not installed (run tools/install.sh nir)");
            None
        }
    }
}

fn read_with_python(python: &Path, file: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/nir_read.py");
    let out = Command::new(python).arg(script).arg(file).output().unwrap();
    assert!(
        out.status.success(),
        "nir.read failed on {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from tools/nir_read.py")
}

fn floats(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(items) => items.iter().flat_map(floats).collect(),
        other => vec![other.as_f64().expect("a number")],
    }
}

fn assert_close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-12 * w.abs().max(1.0),
            "{what}[{k}]: {g} != {w}"
        );
    }
}

/// What `nir.read` returns for `net` exported at `dt`, against docs/nir.md's formulas.
fn check_python_view(view: &Value, net: &Network, dt: f64) {
    assert_eq!(view["version"], "1.0.8");
    assert_eq!(view["metadata"]["neurofab_dt"].as_f64(), Some(dt));
    let nodes = &view["nodes"];
    for input in &net.inputs {
        let node = &nodes[&input.name];
        assert_eq!(node["type"], "Input");
        assert_eq!(
            floats(&node["input_type"]["input"]),
            vec![input.size as f64]
        );
    }
    for pop in &net.populations {
        let node = &nodes[&pop.name];
        assert_eq!(node["type"], "CubaLIF", "{}", pop.name);
        let p = &node["params"];
        let each = |f: &dyn Fn(&neurofab::fixed::LifParams) -> f64| -> Vec<f64> {
            pop.params.iter().map(f).collect()
        };
        let steps = |q: &neurofab::fixed::LifParams| {
            if q.dv == 0 {
                NO_LEAK_TAU_STEPS
            } else {
                4096.0 / q.dv as f64
            }
        };
        let name = &pop.name;
        assert_close(
            &floats(&p["tau_syn"]),
            &each(&|q| 4096.0 * dt / (q.du + 1) as f64),
            &format!("{name}.tau_syn"),
        );
        assert_close(
            &floats(&p["tau_mem"]),
            &each(&|q| steps(q) * dt),
            &format!("{name}.tau_mem"),
        );
        assert_close(&floats(&p["r"]), &each(&steps), &format!("{name}.r"));
        assert_close(
            &floats(&p["w_in"]),
            &each(&|q| 4096.0 / (q.du + 1) as f64),
            &format!("{name}.w_in"),
        );
        assert_close(
            &floats(&p["v_threshold"]),
            &each(&|q| q.vth as f64),
            &format!("{name}.v_threshold"),
        );
        assert_close(
            &floats(&p["v_leak"]),
            &each(&|q| q.bias() as f64 / 64.0 * steps(q)),
            &format!("{name}.v_leak"),
        );
        assert_close(
            &floats(&p["v_reset"]),
            &each(&|_| 0.0),
            &format!("{name}.v_reset"),
        );
        assert_eq!(
            floats(&node["output_type"]["output"]),
            vec![pop.size as f64]
        );
    }
    let mut edges = BTreeSet::new();
    for (node_name, node) in nodes.as_object().unwrap() {
        if node["type"] != "Linear" {
            continue;
        }
        let k = node["metadata"]["neurofab_index"].as_f64().unwrap() as usize;
        let proj = &net.projections[k];
        let (from, to) = (net.source_name(proj.from), &net.populations[proj.to].name);
        let want: Vec<f64> = proj
            .weights
            .iter()
            .flatten()
            .map(|&w| f64::from(w) * 2f64.powi(proj.weight_exp))
            .collect();
        assert_eq!(floats(&node["params"]["weight"]), want, "{node_name}");
        edges.insert((from.to_string(), node_name.clone()));
        edges.insert((node_name.clone(), to.clone()));
    }
    let linear_edges: BTreeSet<(String, String)> = view["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[0].as_str().unwrap().to_string(),
                e[1].as_str().unwrap().to_string(),
            )
        })
        .filter(|(a, b)| nodes[a]["type"] == "Linear" || nodes[b]["type"] == "Linear")
        .collect();
    assert_eq!(linear_edges, edges);
    assert_eq!(edges.len(), 2 * net.projections.len());
}

#[test]
fn python_nir_reads_the_exported_files() {
    let Some(python) = python_with_nir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut nets = vec![Network::load(Path::new("examples/networks/default.json")).unwrap()];
    nets.extend((100..106).map(|seed| random_network(seed, &config())));
    for (k, net) in nets.iter().enumerate() {
        let dt = DTS[k % DTS.len()];
        let path = dir.path().join(format!("n{k}.nir"));
        export_to(net, dt, &path);
        check_python_view(&read_with_python(&python, &path), net, dt);
    }
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn export_nir_writes_learned_weights() {
    let vector = stdp_vectors().into_iter().next().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (net_path, weights) = (
        vector.join("net.json"),
        vector.join("expected_weights.json"),
    );
    let out = neurofab_in(
        &[
            "export-nir",
            net_path.to_str().unwrap(),
            "--weights",
            weights.to_str().unwrap(),
            "--out",
            "learned.nir",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("STDP rule is not exported"),
        "{}",
        stderr(&out)
    );
    let net = Network::load(&net_path).unwrap();
    let learned: Value = serde_json::from_str(&std::fs::read_to_string(&weights).unwrap()).unwrap();
    let graph = neurofab::import::read::read_file(&dir.path().join("learned.nir")).unwrap();
    for entry in learned["projections"].as_array().unwrap() {
        let proj = &net.projections[entry["index"].as_u64().unwrap() as usize];
        let want: Vec<f64> = floats(&entry["weights"])
            .iter()
            .map(|w| w * 2f64.powi(proj.weight_exp))
            .collect();
        let linear = graph
            .nodes
            .iter()
            .find(|n| {
                matches!(n.kind, NodeKind::Linear { .. })
                    && graph.meta(&n.name, "neurofab_index").map(|t| t.data[0])
                        == entry["index"].as_f64()
            })
            .expect("the learning projection's Linear node");
        let NodeKind::Linear { weight } = &linear.kind else {
            unreachable!()
        };
        assert_eq!(weight.data, want);
        assert_ne!(
            floats(&entry["weights"]),
            proj.weights
                .iter()
                .flatten()
                .map(|&w| f64::from(w))
                .collect::<Vec<_>>(),
            "the vector's learned weights differ from its initial ones"
        );
    }
}

#[test]
fn bad_input_is_refused_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let default = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/networks/default.json");
    let default = default.to_str().unwrap();
    let mut slash = Network::load(Path::new(default)).unwrap();
    slash.populations[1].name = "inh/1".into();
    std::fs::write(dir.path().join("slash.json"), slash.to_json()).unwrap();
    let vector = stdp_vectors().into_iter().next().unwrap();
    let stdp_net = vector.join("net.json");
    let lava = common::inference_vectors()
        .into_iter()
        .next()
        .unwrap()
        .join("net.json");
    let weights = vector.join("expected_weights.json");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["missing.json", "--out", "m.nir"], "missing.json"),
        (
            vec![default, "--out", "m.nir", "--dt", "0"],
            "dt must be a positive",
        ),
        (
            vec![default, "--out", "m.nir", "--dt=-1e-3"],
            "dt must be a positive",
        ),
        (
            vec!["slash.json", "--out", "m.nir"],
            "'inh/1' cannot name a NIR node",
        ),
        (vec![default, "--out", "no/such/dir/m.nir"], "no/such/dir"),
        (
            vec![
                lava.to_str().unwrap(),
                "--out",
                "m.nir",
                "--weights",
                weights.to_str().unwrap(),
            ],
            "learned weights",
        ),
        (
            vec![
                stdp_net.to_str().unwrap(),
                "--out",
                "m.nir",
                "--weights",
                default,
            ],
            "not a learned-weights file",
        ),
    ];
    for (args, needle) in cases {
        let before = files_in(dir.path());
        let mut full = vec!["export-nir"];
        full.extend(&args);
        let out = neurofab_in(&full, dir.path());
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(needle),
            "{args:?}: {:?} lacks {needle:?}",
            stderr(&out)
        );
        assert_eq!(files_in(dir.path()), before, "{args:?} left files behind");
    }
}
