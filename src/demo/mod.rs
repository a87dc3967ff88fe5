//! Demonstrations from the source material, as library functions the `demo` command and the
//! tests share: each builds its network, runs it on an engine and returns what it measured.

pub mod crossover;
pub mod digits;
pub mod hidden_pattern;
pub mod stdp_window;
