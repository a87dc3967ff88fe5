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
}

impl<B: Block> Block for Vec<B> {
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
