use crate::logic::Logic;
use crate::probe::Probe;
use std::cell::Cell;

// neurofab patch 2 (see vendor/PATCHES.md): incremental settling.
thread_local! {
    static INCREMENTAL: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread is inside [`crate::simulate::simulate_incremental`]: derived
/// `update_all` then skips `update()` of blocks none of whose signals changed in the previous
/// pass.
#[inline]
pub fn incremental() -> bool {
    INCREMENTAL.with(|flag| flag.get())
}

thread_local! {
    static CHANGED: Cell<bool> = const { Cell::new(false) };
}

/// neurofab patch 4: records that a signal changed value when it was latched. An incremental
/// pass latches every signal of the tree exactly once, so "some signal changed in this pass"
/// is this flag, and [`crate::simulate::simulate_incremental`] reads it instead of walking the
/// tree again with [`Block::has_changed`].
#[inline]
pub fn note_change() {
    CHANGED.with(|flag| flag.set(true));
}

/// neurofab patch 4: whether [`note_change`] was called since the last call, and clears it.
#[inline]
pub fn take_change() -> bool {
    CHANGED.with(|flag| flag.replace(false))
}

/// Sets the flag read by [`incremental`] and restores the previous value when dropped (also
/// on unwinding).
pub(crate) struct IncrementalGuard {
    previous: bool,
}

impl IncrementalGuard {
    pub(crate) fn enter() -> Self {
        IncrementalGuard {
            previous: INCREMENTAL.with(|flag| flag.replace(true)),
        }
    }
}

impl Drop for IncrementalGuard {
    fn drop(&mut self) {
        let previous = self.previous;
        INCREMENTAL.with(|flag| flag.set(previous));
    }
}

/// The [Block] trait is required for all circuitry that
/// can be simulated by RustHDL.  If you want to be able
/// to simulate a circuit, the corresponding struct must
/// impl [Block].  Normally, this is done via the `#[derive(LogicBlock)]`
/// construct, and you will rarely, if ever, need to
/// impl the [Block] trait yourself.
pub trait Block: Logic {
    /// Connects the internal signals of the circuit - used to initialize the circuit
    fn connect_all(&mut self);
    /// Propogate changes from inputs to outputs within the circuit
    fn update_all(&mut self);
    /// Returns `true` if anything in the circuit has changed (outputs or internal state)
    fn has_changed(&self) -> bool;
    /// The visitor pattern - allows a circuit to be probed by a [Probe] struct.
    fn accept(&self, name: &str, probe: &mut dyn Probe);
    /// neurofab patch 2: whether this field is a signal (or a collection of signals) that
    /// changed in the last pass. A child block answers `false`: what its owner reads of it is
    /// listed by the owner's `Logic::child_reads_changed`. The default is the conservative
    /// [Block::has_changed].
    fn changed_as_own_signal(&self) -> bool {
        self.has_changed()
    }
    /// neurofab patch 4: in an incremental pass, the owner of this field latches the field's
    /// input signals (`Signal<In, _>`, also inside interfaces) *before* its `update()`, so an
    /// input written by the owner's owner earlier in the same pass is seen in this pass, not
    /// the next. Only the owner's owner writes a block's inputs, and it runs first in a pass.
    /// A child block latches its own inputs (the default: nothing here).
    fn latch_inputs(&mut self) {}
    /// neurofab patch 4: latches everything [Block::latch_inputs] did not, after the owner's
    /// `update()` (the default: all of it, as `update_all` does).
    fn latch_rest(&mut self) {
        self.update_all()
    }
    /// neurofab patch 5: latches this field's local signals (`Signal<Local, _>`) and returns
    /// whether any changed, without recording the change for the settle loop (see
    /// `get_block_update_all` in the macros, which re-runs the owner's `update()` until its
    /// locals are stable). The default: no local signals.
    fn latch_locals(&mut self) -> bool {
        false
    }
    /// neurofab patch 6: sets every clock signal in this field low without marking it changed
    /// (see [`crate::simulate::fall_clocks_silently`]). The default: no clock signals.
    fn fall_clock_silently(&mut self) {}
}

impl<B: Block> Block for Vec<B> {
    fn latch_inputs(&mut self) {
        for x in self.iter_mut() {
            x.latch_inputs();
        }
    }

    fn latch_rest(&mut self) {
        for x in self.iter_mut() {
            x.latch_rest();
        }
    }

    fn latch_locals(&mut self) -> bool {
        let mut changed = false;
        for x in self.iter_mut() {
            changed |= x.latch_locals();
        }
        changed
    }

    fn fall_clock_silently(&mut self) {
        for x in self.iter_mut() {
            x.fall_clock_silently();
        }
    }

    fn changed_as_own_signal(&self) -> bool {
        self.iter().any(|x| x.changed_as_own_signal())
    }

    fn connect_all(&mut self) {
        for x in self {
            x.connect_all();
        }
    }

    fn update_all(&mut self) {
        for x in self {
            x.update_all();
        }
    }

    fn has_changed(&self) -> bool {
        for x in self {
            if x.has_changed() {
                return true;
            }
        }
        false
    }

    fn accept(&self, name: &str, probe: &mut dyn Probe) {
        for x in self.iter().enumerate() {
            let name = format!("{}${}", name, x.0);
            x.1.accept(&name, probe);
        }
    }
}

impl<B: Block, const P: usize> Block for [B; P] {
    fn latch_inputs(&mut self) {
        for x in self.iter_mut() {
            x.latch_inputs();
        }
    }

    fn latch_rest(&mut self) {
        for x in self.iter_mut() {
            x.latch_rest();
        }
    }

    fn latch_locals(&mut self) -> bool {
        let mut changed = false;
        for x in self.iter_mut() {
            changed |= x.latch_locals();
        }
        changed
    }

    fn fall_clock_silently(&mut self) {
        for x in self.iter_mut() {
            x.fall_clock_silently();
        }
    }

    fn changed_as_own_signal(&self) -> bool {
        self.iter().any(|x| x.changed_as_own_signal())
    }

    fn connect_all(&mut self) {
        for x in self {
            x.connect_all();
        }
    }

    fn update_all(&mut self) {
        for x in self {
            x.update_all();
        }
    }

    fn has_changed(&self) -> bool {
        for x in self {
            if x.has_changed() {
                return true;
            }
        }
        false
    }

    fn accept(&self, name: &str, probe: &mut dyn Probe) {
        for x in self.iter().enumerate() {
            let name = format!("{}${}", name, x.0);
            x.1.accept(&name, probe);
        }
    }
}
