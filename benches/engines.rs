//! Engine throughput: `cargo bench --bench engines`.
//!
//! - golden model: synaptic events/s and neuron updates/s on a 256-neuron layer;
//! - rtl and verilator engines: clock cycles/s and ticks/s on the same layer (256x256 core);
//! - cycles per tick against input events (printed; the exact formula is checked by
//!   `tests/cycles_per_tick.rs`);
//! - Verilog generation of the default core (what `neurofab gen` spends).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use neurofab::model::GoldenModel;
use neurofab::rtl::core_sim::CoreShape;
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

fn export(c: &mut Criterion) {
    c.bench_function("export/neurocore_verilog_256x256", |b| {
        b.iter(|| neurofab::export::verilog::neurocore_verilog(CoreShape::default()))
    });
}

criterion_group!(benches, golden, rtl, verilator, cycles_per_tick, export);
criterion_main!(benches);
