//! Synthesizable hardware blocks, described with rust-hdl, and their rust-hdl engine.
//!
//! Everything that touches rust-hdl lives under this module, so that the rest of the crate
//! (model, mapper, engines, CLI) depends only on our own types and the HDL library stays
//! replaceable. `rtl` is a leaf above [`crate::fixed`], [`crate::shape`] and [`crate::analog`]
//! (the behavioural array behind the crossbar macro's pins, [`xbar_macro`]): it imports nothing
//! else of the crate (outside tests), so the engines (`sim`), exporters (`export`) and host
//! side (`host`) build on it, never the reverse.
//!
//! Plain-Rust parts, usable without rust-hdl: [`layout`] (word and configuration layouts),
//! [`ports`] (port descriptions and the cycle-level [`ports::Pins`] trait every engine
//! implements), [`top_ports`] (each top's port list, written once), [`verilog_text`] (naming of
//! exported Verilog). The rust-hdl engine of every top is [`rtl_top::RtlTop`]; [`core_sim`],
//! [`system_sim`] and [`noc_sim`] instantiate it (or the NoC fabrics) per shape.

pub mod aer;
pub mod block_ram;
#[cfg(test)]
mod block_tests;
pub mod cfg_bus;
pub mod clocked;
pub mod core_sequencer;
pub mod core_sim;
pub mod crossbar_core;
pub mod crossbar_synapses;
pub mod fanout;
pub mod host;
pub mod layout;
pub mod learn_rules;
pub mod learning_core;
pub mod lif_unit;
pub mod mesh_system;
pub mod neurocore;
pub mod noc;
pub mod noc_sim;
pub mod ports;
pub mod post_spikes;
pub mod post_traces;
pub mod regmap;
pub mod router;
pub mod rtl_top;
pub mod sar_adc;
pub mod single_port_ram;
pub mod sram_synapses;
pub mod stdp_config;
pub mod stdp_lanes;
pub mod stdp_rule;
pub mod stdp_serve;
pub mod stdp_synapses;
pub mod stdp_trace;
pub mod stdp_window;
pub mod synapse_port;
pub mod system_sim;
pub mod tile;
pub mod top_ports;
pub mod verilog_text;
pub mod write_verify;
pub mod xbar_macro;

/// Checks the patches carried in `vendor/` (see `vendor/PATCHES.md`): shifts of `Bits<N>` with
/// `N <= 32` against their arithmetic definition, for every shift amount; and the incremental
/// settle (with poked inputs) against rust-hdl's full settle, signal by signal, on random
/// stimulus to a neurocore and a router.
#[cfg(test)]
mod vendored_rust_hdl_tests {
    use rand::{Rng, SeedableRng};
    use rust_hdl::prelude::*;

    fn check_width<const N: usize>() {
        let mask: u128 = (1u128 << N) - 1;
        let mut rng = rand::rngs::StdRng::seed_from_u64(N as u64);
        for _ in 0..200 {
            let x: u64 = rng.gen::<u64>() & mask as u64;
            let value: Bits<N> = x.into();
            for shift in 0..70u64 {
                let expected_shl = if shift >= 64 {
                    0
                } else {
                    ((x as u128) << shift) & mask
                };
                let expected_shr = if shift >= 64 { 0 } else { (x as u128) >> shift };
                assert_eq!(
                    (value << shift).to_u64() as u128,
                    expected_shl,
                    "{x:#x} << {shift} at {N} bits"
                );
                assert_eq!(
                    (value >> shift).to_u64() as u128,
                    expected_shr,
                    "{x:#x} >> {shift} at {N} bits"
                );
                let by_bits: Bits<8> = shift.into();
                assert_eq!((value << by_bits).to_u64() as u128, expected_shl);
                assert_eq!((value >> by_bits).to_u64() as u128, expected_shr);
            }
            if N >= 4 {
                let field: Bits<4> = value.get_bits::<4>(N - 4);
                assert_eq!(field.to_u64(), x >> (N - 4));
            }
        }
    }

    #[test]
    fn short_shifts_match_their_definition() {
        check_width::<1>();
        check_width::<7>();
        check_width::<24>();
        check_width::<31>();
        check_width::<32>();
    }

    /// Drives two copies of a block with the same random inputs for `cycles` cycles: one the
    /// rust-hdl way (inputs written to `.next`, full `simulate()` for every input change and
    /// clock edge), one the way [`super::clocked::Clocked`] does (inputs and clock
    /// [`poke`](super::clocked::poke)d, the falling edge applied by `fall_clocks_silently()`,
    /// `simulate_incremental()`), and compares a VCD of every signal of both after each settle.
    fn check_incremental_settle<B: Block>(
        mut make: impl FnMut() -> B,
        clock: for<'a> fn(&'a mut B) -> &'a mut Signal<In, Clock>,
        mut drive: impl FnMut(&mut B, &mut rand::rngs::StdRng, bool),
        cycles: usize,
        seed: u64,
    ) {
        use rust_hdl::core::vcd_probe::{write_vcd_change, write_vcd_header};
        let mut full = make();
        let mut incremental = make();
        assert!(simulate(&mut full, 200));
        assert!(simulate(&mut incremental, 200));
        let full_text = SharedText::default();
        let incremental_text = SharedText::default();
        let mut full_vcd = write_vcd_header(full_text.clone(), &full);
        let mut incremental_vcd = write_vcd_header(incremental_text.clone(), &incremental);
        let mut rng_full = rand::rngs::StdRng::seed_from_u64(seed);
        let mut rng_incremental = rand::rngs::StdRng::seed_from_u64(seed);
        for cycle in 0..cycles {
            for (step, level) in [(0, None), (1, Some(true)), (2, Some(false))] {
                match level {
                    None => {
                        drive(&mut full, &mut rng_full, false);
                        drive(&mut incremental, &mut rng_incremental, true);
                    }
                    Some(high) => {
                        clock(&mut full).next = Clock::from(high);
                        if high {
                            super::clocked::poke(clock(&mut incremental), Clock::from(high));
                        } else {
                            fall_clocks_silently(&mut incremental);
                        }
                    }
                }
                assert!(simulate(&mut full, 200));
                assert!(simulate_incremental(&mut incremental, 200));
                let time = (3 * cycle + step) as u64;
                full_vcd.timestamp(time).unwrap();
                incremental_vcd.timestamp(time).unwrap();
                full_vcd = write_vcd_change(full_vcd, &full);
                incremental_vcd = write_vcd_change(incremental_vcd, &incremental);
            }
        }
        drop((full_vcd, incremental_vcd));
        let full_text = full_text.text();
        let incremental_text = incremental_text.text();
        if let Some((line, (a, b))) = full_text
            .lines()
            .zip(incremental_text.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
        {
            panic!("incremental settle differs at VCD line {line}: full {a:?}, incremental {b:?}");
        }
        assert_eq!(full_text.len(), incremental_text.len());
    }

    /// A waveform buffer both the VCD writer and the test hold.
    #[derive(Clone, Default)]
    struct SharedText(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

    impl SharedText {
        fn text(&self) -> String {
            String::from_utf8(self.0.borrow().clone()).unwrap()
        }
    }

    impl std::io::Write for SharedText {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Sets an input either the rust-hdl way or by poking it.
    fn set<T: Synth>(signal: &mut Signal<In, T>, value: T, poked: bool) {
        if poked {
            super::clocked::poke(signal, value);
        } else {
            signal.next = value;
        }
    }

    #[test]
    fn incremental_settle_matches_full_settle_on_a_neurocore() {
        use super::neurocore::NeuroCore;
        type Core = NeuroCore<6, 5, 4, 9, 7, 6>;
        let make = || {
            let mut core = Core::new();
            core.clock.connect();
            core.cfg_write.connect();
            core.cfg_target.connect();
            core.cfg_addr.connect();
            core.cfg_data.connect();
            core.cfg_read.connect();
            core.event_valid.connect();
            core.event_axon.connect();
            core.start.connect();
            core.probe_neuron.connect();
            core.connect_all();
            core
        };
        // Random configuration (any target, including Clear), events and starts: the core's
        // behaviour on garbage is as deterministic as on a real network.
        let drive = |core: &mut Core, rng: &mut rand::rngs::StdRng, poked: bool| {
            let write = rng.gen_bool(0.3);
            set(&mut core.cfg_write, write, poked);
            set(&mut core.cfg_target, rng.gen_range(0..=8u64).into(), poked);
            set(&mut core.cfg_addr, rng.gen_range(0..1024u64).into(), poked);
            set(
                &mut core.cfg_data,
                u64::from(rng.gen::<u32>()).into(),
                poked,
            );
            set(&mut core.event_valid, rng.gen_bool(0.5), poked);
            set(&mut core.event_axon, rng.gen_range(0..32u64).into(), poked);
            set(&mut core.start, rng.gen_bool(0.05), poked);
            set(
                &mut core.probe_neuron,
                rng.gen_range(0..64u64).into(),
                poked,
            );
            // Reads, never together with a write (the bus rule).
            set(&mut core.cfg_read, !write && rng.gen_bool(0.2), poked);
        };
        check_incremental_settle(make, |core| &mut core.clock, drive, 3000, 7);
    }

    #[test]
    fn incremental_settle_matches_full_settle_on_a_router() {
        use super::router::{Router, PORTS};
        type R = Router<24, 4, 4>;
        let make = || {
            let mut router = R::new(2);
            router.clock.connect();
            for port in 0..PORTS {
                router.in_valid[port].connect();
                router.in_data[port].connect();
                router.out_ready[port].connect();
            }
            router.connect_all();
            router
        };
        let drive = |router: &mut R, rng: &mut rand::rngs::StdRng, poked: bool| {
            for port in 0..PORTS {
                set(&mut router.in_valid[port], rng.gen_bool(0.6), poked);
                set(
                    &mut router.in_data[port],
                    rng.gen_range(0..1u64 << 24).into(),
                    poked,
                );
                set(&mut router.out_ready[port], rng.gen_bool(0.7), poked);
            }
        };
        check_incremental_settle(make, |router| &mut router.clock, drive, 3000, 11);
    }
}
