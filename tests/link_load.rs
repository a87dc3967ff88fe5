//! `sim --mesh WxH --link-load` and `plot links` on a network whose flits can be counted by
//! hand.

mod common;

use common::neurofab_in;

/// Two neurons that spike every tick (bias 1 > vth 0), placed one per core of a 2x1 mesh
/// (the share is ceil(2 / 2) = 1), and one input line into both (weights 0: the fan-out still
/// sends the event to every core that holds a slice of the population), spiking every tick.
const NET: &str = r#"{
  "ticks": 10,
  "inputs": [{"name": "in", "size": 1,
              "spikes": [[0,0],[1,0],[2,0],[3,0],[4,0],[5,0],[6,0],[7,0],[8,0],[9,0]]}],
  "populations": [{"name": "p", "size": 2,
                   "neuron": {"du": 0, "dv": 0, "vth": 0, "bias_mant": 1, "bias_exp": 0}}],
  "projections": [{"from": "in", "to": "p", "weights": [[0], [0]]}]
}"#;

#[test]
fn link_loads_of_a_hand_counted_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("net.json"), NET).unwrap();
    let output = neurofab_in(
        &[
            "sim",
            "net.json",
            "--engine",
            "rtl",
            "--mesh",
            "2x1",
            "--out",
            "spikes.csv",
            "--link-load",
            "links.csv",
        ],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let spikes = std::fs::read_to_string(dir.path().join("spikes.csv")).unwrap();
    assert_eq!(
        spikes.lines().count(),
        1 + 20,
        "both neurons spike in each of 10 ticks"
    );
    // Per tick: neuron 0's output flit stays at node 0; neuron 1's goes west from (1, 0) to
    // the host at node 0. Input spikes of ticks 0..=8 (the last tick's would reach tick 10,
    // which is not run) enter at node 0: one flit to core 0, one east to core 1.
    // (0,0): in = 10 + 2 * 9, out = 10 + 10 + 9, east = 9; (1,0): in = 10, west = 10, out = 9.
    let csv = std::fs::read_to_string(dir.path().join("links.csv")).unwrap();
    assert_eq!(
        csv,
        "x,y,link,flits\n0,0,east,9\n0,0,inject,28\n0,0,eject,29\n\
         1,0,west,10\n1,0,inject,10\n1,0,eject,9\n"
    );
    assert!(
        stderr.contains("link loads: 38 flits; busiest link west out of (1, 0): 10"),
        "{stderr}"
    );
    let output = neurofab_in(
        &["plot", "links", "links.csv", "--out", "links.svg"],
        dir.path(),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let svg = std::fs::read_to_string(dir.path().join("links.svg")).unwrap();
    // Background, two bars and two router boxes (filled and outlined); the busiest link in
    // the darkest colour.
    assert_eq!(svg.matches("<rect").count(), 1 + 2 * 2 + 2 * 2);
    assert_eq!(svg.matches("fill=\"#960000\"").count(), 1);
}

#[test]
fn link_loads_need_a_hardware_engine() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("net.json"), NET).unwrap();
    let output = neurofab_in(&["sim", "net.json", "--link-load", "links.csv"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--link-load needs --engine rtl"));
    assert!(!dir.path().join("links.csv").exists());
}
