//! Real time and a tick marker in the rtl engine's VCD (`sim --vcd`).
//!
//! rust-hdl writes `$timescale 1 ps` with one time unit per half clock cycle (`#1` is the first
//! rising edge, `#2` the falling one). [`VcdRetimer`] sits between it and the file and rewrites
//! each `#n` to the real time of that half cycle at the configured clock,
//! `round(n × 10^12 / (2 f))` ps, and adds a `neurofab.tick` integer that takes the tick's
//! number at each rising edge of the top's `start` (the edge that begins a tick), so a viewer
//! shows which tick every cycle belongs to. It works line by line on the text as it streams.

use std::io::{self, Write};

/// The clock the waveform is timed at when none is configured: the iCE40 boards' 12 MHz.
pub const DEFAULT_VCD_CLOCK_HZ: u64 = 12_000_000;

/// The marker's VCD identifier: rust-hdl's are short codes of `!`..`~`, so this cannot clash.
const TICK_ID: &str = "~tick~";

/// Rewrites a rust-hdl VCD stream: real timestamps and a tick marker.
pub struct VcdRetimer<W: Write> {
    out: W,
    clock_hz: u64,
    /// The current partial line.
    line: Vec<u8>,
    /// Inside the header (before `$enddefinitions`).
    header: bool,
    scope_depth: usize,
    /// The VCD id of the top block's `start`.
    start_id: Option<String>,
    /// Ticks begun so far.
    ticks: u64,
}

impl<W: Write> VcdRetimer<W> {
    /// A retimer for a clock of `clock_hz` writing to `out`.
    pub fn new(out: W, clock_hz: u64) -> Self {
        VcdRetimer {
            out,
            clock_hz: clock_hz.max(1),
            line: Vec::new(),
            header: true,
            scope_depth: 0,
            start_id: None,
            ticks: 0,
        }
    }

    fn process_line(&mut self) -> io::Result<()> {
        let line = String::from_utf8_lossy(&self.line).into_owned();
        self.line.clear();
        let trimmed = line.trim();
        if self.header {
            if trimmed.starts_with("$scope") {
                self.scope_depth += 1;
            } else if trimmed.starts_with("$upscope") {
                self.scope_depth = self.scope_depth.saturating_sub(1);
            } else if trimmed.starts_with("$var") && self.scope_depth == 1 {
                // `$var wire 1 <id> start $end` in the top scope.
                let words: Vec<&str> = trimmed.split_whitespace().collect();
                if let ["$var", _, "1", id, "start", "$end"] = words[..] {
                    self.start_id = Some(id.to_string());
                }
            } else if trimmed.starts_with("$enddefinitions") {
                self.header = false;
                writeln!(
                    self.out,
                    "$scope module neurofab $end\n$var integer 32 {TICK_ID} tick $end\n$upscope $end"
                )?;
            }
            return writeln!(self.out, "{line}");
        }
        if let Some(time) = trimmed
            .strip_prefix('#')
            .and_then(|t| t.parse::<u128>().ok())
        {
            // Half cycles to picoseconds, rounded once per timestamp (no drift).
            let half_cycle = 2 * u128::from(self.clock_hz);
            let ps = (time * 1_000_000_000_000 + half_cycle / 2) / half_cycle;
            return writeln!(self.out, "#{ps}");
        }
        writeln!(self.out, "{line}")?;
        if let Some(id) = &self.start_id {
            if trimmed.len() == id.len() + 1 && trimmed.starts_with('1') && &trimmed[1..] == id {
                writeln!(self.out, "b{:b} {TICK_ID}", self.ticks)?;
                self.ticks += 1;
            }
        }
        Ok(())
    }
}

impl<W: Write> Write for VcdRetimer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for &byte in buf {
            if byte == b'\n' {
                self.process_line()?;
            } else {
                self.line.push(byte);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.line.is_empty() {
            self.process_line()?;
        }
        self.out.flush()
    }
}

impl<W: Write> Drop for VcdRetimer<W> {
    fn drop(&mut self) {
        // The last line, if the writer above ended without a line break; a failing file
        // cannot be reported from here (the run's own outputs report their errors).
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_become_picoseconds_and_start_marks_ticks() {
        let input = "$timescale 1 ps $end\n$scope module uut $end\n$var wire 1 ! clock $end\n\
                     $var wire 1 * start $end\n$scope module core $end\n$var wire 1 ? start $end\n\
                     $upscope $end\n$upscope $end\n$enddefinitions $end\n#1\n1!\n1*\n1?\n#2\n0!\n\
                     #3\n0*\n#7\n1*";
        let mut retimer = VcdRetimer::new(Vec::new(), 12_000_000);
        retimer.write_all(input.as_bytes()).unwrap();
        retimer.flush().unwrap();
        let out = String::from_utf8(std::mem::take(&mut retimer.out)).unwrap();
        let body = out.split("$enddefinitions $end\n").nth(1).unwrap();
        // 12 MHz: a half cycle is 41 666.67 ps; #7 is 291 666.67 ps.
        assert_eq!(
            body,
            "#41667\n1!\n1*\nb0 ~tick~\n1?\n#83333\n0!\n#125000\n0*\n#291667\n1*\nb1 ~tick~\n"
        );
        assert!(out.contains("$scope module neurofab $end\n$var integer 32 ~tick~ tick $end"));
    }
}
