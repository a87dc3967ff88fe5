//! Engine throughput: `cargo bench --bench engines`.
//!
//! - golden model: synaptic events/s and neuron updates/s on a 256-neuron layer;
//! - rtl and verilator engines: clock cycles/s and ticks/s on the same layer (256x256 core);
//! - cycles per tick against input events (printed; the exact formula is checked by
//!   `tests/cycles_per_tick.rs`);
//! - cycles per tick of a 2x2 multi-core system against one core, and the system's clock rate
//!   under Verilator;
//! - Verilog generation of the default core (what `neurofab gen` spends).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use neurofab::model::GoldenModel;
use neurofab::shape::CoreShape;
use neurofab::sim::workloads::dense_layer;
use neurofab::sim::{run, Engine, RunOptions};

const NEURONS: usize = 256;
const INPUTS: usize = 256;
const EVENTS_PER_TICK: usize = 32;

fn golden(c: &mut Criterion) {
    let ticks = 200;
    let net = dense_layer(NEURONS, INPUTS, EVENTS_PER_TICK, ticks, 1);
    let mut group = c.benchmark_group("golden");
    group.throughput(Throughput::Elements(
        (ticks as usize * EVENTS_PER_TICK * NEURONS) as u64,
    ));
    group.bench_function("synaptic_events", |b| {
        b.iter(|| {
            let mut model = GoldenModel::new(&net);
            for _ in 0..ticks {
                criterion::black_box(model.step());
            }
        })
    });
    let quiet = dense_layer(NEURONS, INPUTS, 0, ticks, 1);
    group.throughput(Throughput::Elements((ticks as usize * NEURONS) as u64));
    group.bench_function("neuron_updates", |b| {
        b.iter(|| {
            let mut model = GoldenModel::new(&quiet);
            for _ in 0..ticks {
                criterion::black_box(model.step());
            }
        })
    });
    group.finish();
}

fn hardware(c: &mut Criterion, engine: Engine, ticks: u32) {
    let net = dense_layer(NEURONS, INPUTS, EVENTS_PER_TICK, ticks, 1);
    let options = RunOptions {
        shape: CoreShape::default(),
        ..Default::default()
    };
    let probe = match run(&net, engine, ticks, &options, &mut |_| {}) {
        Ok(result) => result,
        Err(e) => {
            eprintln!("skipping {engine:?} benchmark: {e}");
            return;
        }
    };
    let cycles = probe.total_cycles.unwrap();
    let name = format!("{engine:?}").to_lowercase();
    let mut group = c.benchmark_group(&name);
    group.sample_size(10);
    group.throughput(Throughput::Elements(cycles));
    group.bench_function("clock_cycles", |b| {
        b.iter(|| run(&net, engine, ticks, &options, &mut |_| {}).unwrap())
    });
    group.throughput(Throughput::Elements(ticks as u64));
    group.bench_function("ticks", |b| {
        b.iter(|| run(&net, engine, ticks, &options, &mut |_| {}).unwrap())
    });
    group.finish();
}

fn rtl(c: &mut Criterion) {
    hardware(c, Engine::Rtl, 20);
}

fn verilator(c: &mut Criterion) {
    hardware(c, Engine::Verilator, 200);
}

fn cycles_per_tick(_c: &mut Criterion) {
    eprintln!(
        "cycles per tick on a {NEURONS}-neuron layer (rtl engine), by input events per tick:"
    );
    for events in [0, 1, 8, 32, 128, 256] {
        let net = dense_layer(NEURONS, INPUTS, events, 4, 2);
        let options = RunOptions {
            shape: CoreShape::default(),
            ..Default::default()
        };
        let result = run(&net, Engine::Rtl, 4, &options, &mut |_| {}).unwrap();
        let cycles = result.tick_cycles.unwrap();
        eprintln!("  events {events:>3}: {} cycles (ticks 1..3)", cycles[1]);
    }
}

/// Cycles per tick of the multi-core system: a 192-neuron dense layer (64 input channels, 16
/// events per tick) spread over a 2x2 mesh of 64x64 cores, against the same layer on one
/// 256x256 core. Printed; the system's clock rate on Verilator is measured by criterion.
fn mesh_system(c: &mut Criterion) {
    use neurofab::map::mesh::MeshShape;
    let net = dense_layer(192, 64, 16, 8, 3);
    let small = CoreShape {
        neurons: 64,
        axons: 64,
    };
    let mesh = RunOptions {
        shape: small,
        mesh: MeshShape {
            width: 2,
            height: 2,
        },
        ..Default::default()
    };
    let single = RunOptions::default();
    let report = |label: &str, options: &RunOptions| match run(
        &net,
        Engine::Rtl,
        net.ticks,
        options,
        &mut |_| {},
    ) {
        Ok(result) => {
            let cycles = result.tick_cycles.unwrap();
            let mean = cycles[1..].iter().sum::<u64>() as f64 / (cycles.len() - 1) as f64;
            eprintln!(
                "  {label}: mean {mean:.1} cycles per tick (ticks 1..{})",
                cycles.len() - 1
            );
        }
        Err(e) => eprintln!("  {label}: {e}"),
    };
    eprintln!("cycles per tick, 192-neuron dense layer, 16 input events per tick (rtl engine):");
    report("2x2 mesh of 64x64 cores", &mesh);
    report("one 256x256 core", &single);
    let probe = match run(&net, Engine::Verilator, net.ticks, &mesh, &mut |_| {}) {
        Ok(result) => result,
        Err(e) => {
            eprintln!("skipping the verilator system benchmark: {e}");
            return;
        }
    };
    let mut group = c.benchmark_group("verilator_system_2x2");
    group.sample_size(10);
    group.throughput(Throughput::Elements(probe.total_cycles.unwrap()));
    group.bench_function("clock_cycles", |b| {
        b.iter(|| run(&net, Engine::Verilator, net.ticks, &mesh, &mut |_| {}).unwrap())
    });
    group.finish();
}

fn export(c: &mut Criterion) {
    c.bench_function("export/neurocore_verilog_256x256", |b| {
        b.iter(|| neurofab::export::verilog::neurocore_verilog(CoreShape::default()))
    });
}

criterion_group!(
    benches,
    golden,
    rtl,
    verilator,
    cycles_per_tick,
    mesh_system,
    export
);
criterion_main!(benches);
