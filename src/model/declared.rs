//! A network's sizes as its file declares them, and the golden model's memory limit.
//!
//! A 4 KB file can declare 64 populations of 2^20 neurons: gigabytes once every neuron has its
//! parameters and state. [`Network::load_within`](super::Network::load_within) hands the
//! declared sizes to a [`SizeLimit`] before validation allocates anything per neuron or per
//! synapse; the command line passes the limit of the engine that will run the network (a
//! core, a mesh, a board: `map::fit`; the golden model: [`golden_memory_limit`]).

/// The sizes a network file declares (see [`SizeLimit`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeclaredSizes {
    /// Each population's name and size, in file order.
    pub populations: Vec<(String, usize)>,
    /// Each input group's size, in file order.
    pub inputs: Vec<usize>,
    /// Each projection as (size of its source, index of its target population).
    pub projections: Vec<(usize, usize)>,
    /// Input spikes listed in the file (duplicates included).
    pub input_spikes: usize,
}

/// Accepts or refuses declared sizes, with the reason (naming the numbers) when it refuses.
pub type SizeLimit<'a> = dyn Fn(&DeclaredSizes) -> Result<(), String> + 'a;

impl DeclaredSizes {
    /// Neurons over all populations.
    pub fn neurons(&self) -> u64 {
        self.populations.iter().map(|(_, size)| *size as u64).sum()
    }

    /// Synapses (weights) over all projections: source size x target size each.
    pub fn synapses(&self) -> u64 {
        self.projections
            .iter()
            .map(|&(from, to)| from as u64 * self.populations[to].1 as u64)
            .sum()
    }

    /// Post-synaptic neurons over all projections (one weight sum each in the golden model).
    pub fn projection_targets(&self) -> u64 {
        self.projections
            .iter()
            .map(|&(_, to)| self.populations[to].1 as u64)
            .sum()
    }
}

/// Bytes the golden model holds per neuron at its peak, counted from the code: the network's
/// parameters (5 x i64 = 40) and, while a population is validated, its five per-neuron field
/// arrays (40); the model's copy of the parameters (40), its state `u, v` (16) and synaptic
/// input (8); the final states returned by a run (16). 160 in all.
pub const GOLDEN_BYTES_PER_NEURON: u64 = 160;

/// Bytes per synapse: the parsed JSON value (i64, 8), the network's weight (i32, 4) and the
/// synapse stage's copy (i64, 8), rounded up for the row vectors.
pub const GOLDEN_BYTES_PER_SYNAPSE: u64 = 24;

/// Bytes per post-synaptic neuron of a projection (the model's per-tick weight sum, i64).
pub const GOLDEN_BYTES_PER_PROJECTION_TARGET: u64 = 8;

/// Bytes per listed input spike: the parsed pair (16), the network's (16) and the model's
/// sorted copy (24).
pub const GOLDEN_BYTES_PER_INPUT_SPIKE: u64 = 56;

/// Memory assumed available where the operating system does not say (no `/proc/meminfo`).
pub const DEFAULT_AVAILABLE_MEMORY: u64 = 4 << 30;

/// The golden model's memory for a network of these sizes, in bytes (see the constants).
pub fn golden_memory_estimate(sizes: &DeclaredSizes) -> u64 {
    sizes.neurons() * GOLDEN_BYTES_PER_NEURON
        + sizes.synapses() * GOLDEN_BYTES_PER_SYNAPSE
        + sizes.projection_targets() * GOLDEN_BYTES_PER_PROJECTION_TARGET
        + sizes.input_spikes as u64 * GOLDEN_BYTES_PER_INPUT_SPIKE
}

/// Memory this process may still allocate, in bytes, and where the figure comes from: the
/// smaller of the machine's `MemAvailable` (`/proc/meminfo`) and what the address-space limit
/// (`ulimit -v`, `/proc/self/limits`) leaves above the process's current size (`VmSize`);
/// [`DEFAULT_AVAILABLE_MEMORY`] when neither is known.
pub fn available_memory() -> (u64, &'static str) {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok();
    let available = meminfo
        .as_deref()
        .and_then(|text| kib_field(text, "MemAvailable:"));
    let limits = std::fs::read_to_string("/proc/self/limits").ok();
    let address_space = limits.as_deref().and_then(address_space_limit);
    let status = std::fs::read_to_string("/proc/self/status").ok();
    let used = status
        .as_deref()
        .and_then(|text| kib_field(text, "VmSize:"))
        .unwrap_or(0);
    let headroom = address_space.map(|limit| limit.saturating_sub(used));
    match (available, headroom) {
        (Some(a), Some(h)) if h < a => (h, "left under the address-space limit (ulimit -v)"),
        (Some(a), _) => (a, "available (MemAvailable)"),
        (None, Some(h)) => (h, "left under the address-space limit (ulimit -v)"),
        (None, None) => (
            DEFAULT_AVAILABLE_MEMORY,
            "assumed available (no /proc/meminfo)",
        ),
    }
}

/// The golden model's [`SizeLimit`]: refuses a network whose
/// [`golden_memory_estimate`] exceeds [`available_memory`].
pub fn golden_memory_limit(sizes: &DeclaredSizes) -> Result<(), String> {
    let needed = golden_memory_estimate(sizes);
    let (available, source) = available_memory();
    check_golden_memory(sizes, needed, available, source)
}

fn check_golden_memory(
    sizes: &DeclaredSizes,
    needed: u64,
    available: u64,
    source: &str,
) -> Result<(), String> {
    if needed <= available {
        return Ok(());
    }
    const MIB: u64 = 1 << 20;
    Err(format!(
        "the golden model would need about {} MiB for {} neurons ({GOLDEN_BYTES_PER_NEURON} B \
         each) and {} synapses ({GOLDEN_BYTES_PER_SYNAPSE} B each), but {} MiB are {source}",
        needed.div_ceil(MIB),
        sizes.neurons(),
        sizes.synapses(),
        available / MIB
    ))
}

/// The value of a `Name:   N kB` line of a `/proc` file, in bytes.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    let kib: u64 = line[name.len()..].split_whitespace().next()?.parse().ok()?;
    Some(kib * 1024)
}

/// The soft limit of the `Max address space` line of `/proc/self/limits`, in bytes (`None`
/// when unlimited).
fn address_space_limit(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("Max address space"))?;
    line["Max address space".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_fields_parse() {
        let meminfo = "MemTotal:       24684360 kB\nMemFree:        20010000 kB\n\
                       MemAvailable:   23814000 kB\n";
        assert_eq!(kib_field(meminfo, "MemAvailable:"), Some(23_814_000 * 1024));
        assert_eq!(kib_field(meminfo, "SwapTotal:"), None);
        let limits = "Limit                     Soft Limit           Hard Limit           Units\n\
                      Max stack size            8388608              unlimited            bytes\n\
                      Max address space         1073741824           unlimited            bytes\n";
        assert_eq!(address_space_limit(limits), Some(1 << 30));
        let unlimited = limits.replace("1073741824  ", "unlimited   ");
        assert_eq!(address_space_limit(&unlimited), None);
    }

    #[test]
    fn the_estimate_counts_neurons_synapses_and_spikes() {
        let sizes = DeclaredSizes {
            populations: vec![("a".into(), 1000), ("b".into(), 10)],
            inputs: vec![4],
            projections: vec![(4, 0), (1000, 1)],
            input_spikes: 3,
        };
        assert_eq!(sizes.neurons(), 1010);
        assert_eq!(sizes.synapses(), 4 * 1000 + 1000 * 10);
        assert_eq!(sizes.projection_targets(), 1010);
        assert_eq!(
            golden_memory_estimate(&sizes),
            1010 * 160 + 14_000 * 24 + 1010 * 8 + 3 * 56
        );
        let needed = golden_memory_estimate(&sizes);
        assert!(check_golden_memory(&sizes, needed, needed, "available").is_ok());
        let refused = check_golden_memory(&sizes, needed, needed - 1, "available").unwrap_err();
        assert!(
            refused.contains("1010 neurons") && refused.contains("14000 synapses"),
            "{refused}"
        );
    }
}
