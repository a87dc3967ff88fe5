//! `neurofab plot` and `sim --stats` from the command line: a raster has one dot per spike of
//! the CSV and its axis labels, the SVG parses as XML, a PNG has the figure's dimensions, traces
//! draw every probed neuron with its threshold, weight maps show before and after, a bad CSV
//! is refused naming the file and the line; `stats.json` has the same counts on golden and rtl.

mod common;

use std::path::Path;

use common::neurofab_in;

const DEFAULT_NET: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/networks/default.json"
);

fn run_ok(args: &[&str], dir: &Path) -> String {
    let run = neurofab_in(args, dir);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(run.status.success(), "{args:?}: {stderr}");
    stderr
}

/// The SVG in `path`, parsed; panics when it is not XML.
fn svg_elements(path: &Path, name: &str) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{} is not XML: {e}", path.display()));
    let count = doc
        .descendants()
        .filter(|n| n.tag_name().name() == name)
        .count();
    let texts = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "text")
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect();
    (count, texts)
}

fn png_size(path: &Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    (info.width, info.height)
}

#[test]
fn raster_has_one_dot_per_spike_and_its_axes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(&["sim", DEFAULT_NET, "--out", "spikes.csv"], d);
    let spikes = std::fs::read_to_string(d.join("spikes.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert!(spikes > 100, "the default network spikes ({spikes})");
    run_ok(&["plot", "raster", "spikes.csv", "-o", "raster.svg"], d);
    let (circles, texts) = svg_elements(&d.join("raster.svg"), "circle");
    assert_eq!(circles, spikes);
    for label in ["tick", "neuron (populations stacked)", "exc", "inh"] {
        assert!(
            texts.iter().any(|t| t == label),
            "no {label:?} in {texts:?}"
        );
    }
    run_ok(
        &[
            "plot",
            "raster",
            "spikes.csv",
            "--net",
            DEFAULT_NET,
            "-o",
            "raster.PNG",
        ],
        d,
    );
    assert_eq!(png_size(&d.join("raster.PNG")), (1000, 600));
}

#[test]
fn traces_draw_every_probed_neuron_with_its_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let probe = [
        "--probe",
        "exc:0-2",
        "--probe",
        "inh:5",
        "--probe-out",
        "state.csv",
    ];
    let mut args = vec!["sim", DEFAULT_NET, "--out", "spikes.csv"];
    args.extend_from_slice(&probe);
    run_ok(&args, d);
    run_ok(
        &[
            "plot",
            "trace",
            "state.csv",
            "--net",
            DEFAULT_NET,
            "-o",
            "trace.svg",
        ],
        d,
    );
    let (lines, texts) = svg_elements(&d.join("trace.svg"), "polyline");
    // v and u of 4 neurons, plus the legend's 4 samples; thresholds are dashed segments.
    assert!(lines >= 2 * 4, "{lines} polylines");
    for label in [
        "exc[0]",
        "exc[2]",
        "inh[5]",
        "v (membrane voltage)",
        "u (synaptic current)",
    ] {
        assert!(
            texts.iter().any(|t| t == label),
            "no {label:?} in {texts:?}"
        );
    }
    run_ok(&["plot", "trace", "state.csv", "-o", "trace.png"], d);
    assert_eq!(png_size(&d.join("trace.png")), (1000, 700));
}

#[test]
fn weight_maps_show_before_and_after() {
    let vector = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/vectors/stdp-d03/net.json"
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(
        &[
            "sim",
            vector,
            "--out",
            "spikes.csv",
            "--weights-out",
            "w.json",
        ],
        d,
    );
    run_ok(
        &["plot", "weights", "w.json", "--net", vector, "-o", "w.svg"],
        d,
    );
    let (_, texts) = svg_elements(&d.join("w.svg"), "rect");
    assert!(texts.iter().any(|t| t.contains(": before")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains(": after")), "{texts:?}");
    run_ok(&["plot", "weights", "w.json", "-o", "w.png"], d);
    assert_eq!(png_size(&d.join("w.png")).0, 500);
}

#[test]
fn bad_csv_is_refused_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("bad.csv"), "tick,population,neuron\n0,a,1\n1,a\n").unwrap();
    let run = neurofab_in(&["plot", "raster", "bad.csv", "-o", "r.svg"], d);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("bad.csv") && stderr.contains("line 3"),
        "{stderr}"
    );
    assert!(!d.join("r.svg").exists());
    std::fs::write(
        d.join("bad_state.csv"),
        "tick,population,neuron,u,v\n0,a,1,x,2\n",
    )
    .unwrap();
    let run = neurofab_in(&["plot", "trace", "bad_state.csv"], d);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("bad_state.csv") && stderr.contains("line 2"),
        "{stderr}"
    );
}

#[test]
fn stats_are_the_same_on_golden_and_rtl() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut stats = Vec::new();
    for engine in ["golden", "rtl"] {
        let file = format!("stats-{engine}.json");
        let args = [
            "sim",
            DEFAULT_NET,
            "--engine",
            engine,
            "--out",
            "s.csv",
            "--stats",
            &file,
        ];
        let stderr = run_ok(&args, d);
        assert!(stderr.contains("synaptic ops"), "{stderr}");
        let text = std::fs::read_to_string(d.join(&file)).unwrap();
        stats.push(serde_json::from_str::<serde_json::Value>(&text).unwrap());
    }
    let spikes = std::fs::read_to_string(d.join("s.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert_eq!(stats[0]["spikes"], spikes as u64);
    for field in [
        "ticks",
        "neurons",
        "spikes",
        "input_spikes",
        "synaptic_operations",
        "activation_sparsity",
        "neuron_updates",
    ] {
        assert_eq!(stats[0][field], stats[1][field], "{field}");
    }
    assert!(stats[0].get("cycles").is_none());
    // The default network: 100 ticks, every tick a full tick of the core (the cycle formula).
    assert_eq!(stats[1]["cycles"]["in_ticks"], 91314);
    assert_eq!(stats[1]["footprint_bits"]["source"], "mapped core(s)");
    // Energy follows from the counts, so it is the same on both engines: at the defaults
    // (Loihi's 23.6 pJ per synaptic op and 52 pJ per neuron update).
    assert_eq!(stats[0]["energy"], stats[1]["energy"]);
    let ops = stats[0]["synaptic_operations"]["effective"]
        .as_f64()
        .unwrap();
    let updates = stats[0]["neuron_updates"].as_f64().unwrap();
    let total = stats[0]["energy"]["total_joules"].as_f64().unwrap();
    let expected = (ops * 23.6 + updates * 52.0) * 1e-12;
    assert!(
        (total - expected).abs() <= expected * 1e-12,
        "{total} {expected}"
    );
    // Time at the default 12 MHz: 91314 cycles over 100 ticks.
    assert!(stats[0].get("time").is_none());
    let mean = stats[1]["time"]["mean_seconds_per_tick"].as_f64().unwrap();
    assert!((mean - 913.14 / 12e6).abs() < 1e-15, "{mean}");
}

#[test]
fn stats_take_the_clock_and_the_energies_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = [
        "sim",
        DEFAULT_NET,
        "--engine",
        "rtl",
        "--stats",
        "st.json",
        "--clock-mhz",
        "50",
        "--synop-pj",
        "26",
        "--neuron-update-pj",
        "0",
    ];
    let stderr = run_ok(&args, d);
    assert!(stderr.contains("at 50 MHz"), "{stderr}");
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("st.json")).unwrap()).unwrap();
    let ops = stats["synaptic_operations"]["effective"].as_f64().unwrap();
    assert_eq!(stats["energy"]["neuron_joules"], 0.0);
    let total = stats["energy"]["total_joules"].as_f64().unwrap();
    assert!((total - ops * 26e-12).abs() <= total * 1e-12);
    let seconds = 91314.0 / 50e6;
    let rate = stats["time"]["synaptic_ops_per_second"].as_f64().unwrap();
    assert!((rate - ops / seconds).abs() <= rate * 1e-12, "{rate}");
    for bad in ["-1", "inf", "lots"] {
        let out = neurofab_in(
            &["sim", DEFAULT_NET, "--stats", "st2.json", "--synop-pj", bad],
            d,
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(
            stderr.contains("--synop-pj") && stderr.contains(bad),
            "{stderr}"
        );
        assert!(!d.join("st2.json").exists());
    }
}

#[test]
fn the_stdp_window_demo_writes_its_csv_figure_and_table() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = neurofab_in(&["demo", "stdp-window", "--out", "win"], d);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    // Measured on the rtl engine by default, and checked against golden.
    assert!(
        stderr.contains("the rtl engine equals golden at every dt"),
        "{stderr}"
    );
    let table = String::from_utf8_lossy(&run.stdout);
    // Potentiation after the pre spike, depression before, both terms at 0 (README table).
    for row in [
        "| 1 | 53 | 52.50 |",
        "| -1 | -40 | -40.50 |",
        "| 0 | 15 | 15.00 |",
    ] {
        assert!(table.contains(row), "{row} missing from\n{table}");
    }
    let csv = std::fs::read_to_string(d.join("win/stdp_window.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 41);
    let (dots, _) = svg_elements(&d.join("win/stdp_window.svg"), "circle");
    assert_eq!(dots, 41 + 1, "one dot per dt and the legend's");
    run_ok(&["plot", "window", "win/stdp_window.csv", "-o", "w.png"], d);
    assert!(std::fs::metadata(d.join("w.png")).unwrap().len() > 1000);
    std::fs::write(d.join("bad.csv"), "dt,dw,float_dw\n1,2,3\n4,five,6\n").unwrap();
    let bad = neurofab_in(&["plot", "window", "bad.csv", "-o", "b.svg"], d);
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        !bad.status.success() && stderr.contains("bad.csv: line 3"),
        "{stderr}"
    );
    assert!(!d.join("b.svg").exists());
}

#[test]
fn the_hidden_pattern_demo_learns_and_writes_its_csvs_figure_and_table() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = neurofab_in(&["demo", "hidden-pattern", "--out", "hp"], d);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    let table = String::from_utf8_lossy(&run.stdout);
    // `| after learning | 100 % (39/39) | 6.5 % (8/123) | 51 |`: the bar is a hit
    // rate of at least 90 % with at most 10 % false alarms.
    let row = |name: &str| -> Vec<String> {
        let line = table.lines().find(|l| l.starts_with(name)).unwrap();
        line.split('|').map(|f| f.trim().to_string()).collect()
    };
    let percent = |field: &str| -> f64 { field.split(' ').next().unwrap().parse().unwrap() };
    let after = row("| after learning");
    assert!(
        percent(&after[2]) >= 90.0 && percent(&after[3]) <= 10.0,
        "{table}"
    );
    let before = row("| before learning");
    assert!(
        percent(&before[3]) > 50.0,
        "before learning it fires anywhere: {table}"
    );
    let events = std::fs::read_to_string(d.join("hp/hidden_pattern.csv")).unwrap();
    assert_eq!(events.lines().next(), Some("phase,kind,tick"));
    let after_spikes: Vec<u32> = events
        .lines()
        .filter_map(|l| l.strip_prefix("after,spike,"))
        .map(|t| t.parse().unwrap())
        .collect();
    assert_eq!(after_spikes.len().to_string(), after[4], "{table}");
    let weights = std::fs::read_to_string(d.join("hp/hidden_pattern_weights.csv")).unwrap();
    assert_eq!(weights.lines().count(), 1 + 100);
    // The figure: one dot per afferent, one 2-pixel mark per spike of its 1000-tick excerpts.
    let svg = d.join("hp/hidden_pattern.svg");
    let (dots, _) = svg_elements(&svg, "circle");
    assert_eq!(dots, 100);
    let in_excerpt = events
        .lines()
        .filter(|l| l.contains(",spike,"))
        .filter(|l| l.rsplit(',').next().unwrap().parse::<u32>().unwrap() < 1000)
        .count();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert_eq!(text.matches("stroke-width=\"2\"").count(), in_excerpt);
}
