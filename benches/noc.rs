//! Mesh NoC performance: `cargo bench --bench noc`.
//!
//! - Printed first: uniform random traffic on 2x2 and 4x4 meshes (4-flit FIFOs), offered load
//!   0.05 up to past saturation: accepted throughput and mean/worst latency (generation to
//!   ejection, and injection to ejection), plus the saturation throughput (every source always
//!   backlogged) against the XY-routing bound of `noc_traffic::uniform_xy_bound`, and the 4x4
//!   saturation throughput for FIFO depths 2, 4 and 8. Run on the Verilator engine (rust-hdl
//!   is ~40x slower on a 4x4 mesh; it is used, with shorter windows, only when Verilator is
//!   missing). Fixed seed, so the tables are reproducible.
//! - Criterion: simulation speed of each engine (clock cycles per second of a 4x4 mesh under
//!   uniform load 0.3).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rand::rngs::StdRng;
use rand::SeedableRng;

use neurofab::export::tools::find_tool;
use neurofab::rtl::noc::MeshConfig;
use neurofab::sim::noc_traffic::{
    mesh_engine, run_traffic, uniform_report, Backpressure, NocEngine, Pattern, TrafficSpec,
};

const LOADS: [f64; 12] = [
    0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9,
];
const SEED: u64 = 2024;

fn tables(_c: &mut Criterion) {
    let (engine, warmup, window, drain) = if find_tool("verilator").is_ok() {
        (NocEngine::Verilator, 2_000, 10_000, 5_000)
    } else {
        eprintln!("verilator not found: measuring on the (slow) rust-hdl engine, short windows");
        (NocEngine::Rtl, 500, 2_000, 1_000)
    };
    for (side, depth) in [(2, 4), (4, 4)] {
        let config = MeshConfig::new(side, side, depth).expect("valid mesh");
        let mut rng = StdRng::seed_from_u64(SEED);
        match uniform_report(engine, &config, &LOADS, warmup, window, drain, &mut rng) {
            Ok(report) => eprintln!("\n{report}"),
            Err(e) => eprintln!("{side}x{side}: {e}"),
        }
    }
    eprintln!("\n4x4 mesh, uniform random traffic: saturation throughput by FIFO depth\n");
    eprintln!("| FIFO depth | flits/cycle/node | % of XY bound |");
    eprintln!("| --- | --- | --- |");
    for depth in [2, 4, 8] {
        let config = MeshConfig::new(4, 4, depth).expect("valid mesh");
        let mut rng = StdRng::seed_from_u64(SEED);
        match uniform_report(engine, &config, &[], warmup, window, drain, &mut rng) {
            Ok(r) => eprintln!(
                "| {depth} | {:.3} | {:.0}% |",
                r.saturation,
                100.0 * r.saturation / r.bound
            ),
            Err(e) => eprintln!("depth {depth}: {e}"),
        }
    }
    eprintln!();
}

fn speed(c: &mut Criterion) {
    let config = MeshConfig::new(4, 4, 4).expect("valid mesh");
    for (engine, cycles) in [(NocEngine::Rtl, 300), (NocEngine::Verilator, 20_000)] {
        if let Err(e) = mesh_engine(engine, &config) {
            eprintln!("skipping {engine:?} speed: {e}");
            continue;
        }
        let spec = TrafficSpec {
            pattern: Pattern::Uniform,
            rate: 0.3,
            inject_cycles: cycles,
            backpressure: Backpressure::None,
            drain_cycles: 0,
        };
        let mut group = c.benchmark_group(format!("noc_{engine:?}").to_lowercase());
        group.sample_size(10);
        group.throughput(Throughput::Elements(cycles));
        group.bench_function("mesh4x4_cycles", |b| {
            // A fresh mesh per run, built outside the timed part.
            b.iter_batched(
                || mesh_engine(engine, &config).expect("built above"),
                |mut noc| {
                    let mut rng = StdRng::seed_from_u64(SEED);
                    run_traffic(noc.as_mut(), &config, &spec, &mut rng).expect("valid traffic")
                },
                BatchSize::PerIteration,
            )
        });
        group.finish();
    }
}

criterion_group!(benches, tables, speed);
criterion_main!(benches);
