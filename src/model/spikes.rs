//! Spike trains and the spike CSV (spec §3).

use std::fmt::Write as _;

use super::network::Network;

/// One output spike: population `population` (index into [`Network::populations`]), neuron
/// `neuron`, in tick `tick`. The derived order is the CSV order: tick, population, neuron.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Spike {
    /// Tick in which the neuron spiked.
    pub tick: u32,
    /// Index of the population in the network file.
    pub population: usize,
    /// Index of the neuron within its population.
    pub neuron: usize,
}

/// The output of a run: all spikes, sorted by (tick, population, neuron), without duplicates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpikeTrain {
    /// The spikes, sorted and unique.
    pub spikes: Vec<Spike>,
}

/// A malformed spike CSV, with the 1-based line number of the problem.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct SpikeCsvError {
    /// 1-based line number (the header is line 1).
    pub line: usize,
    /// What is wrong with the line.
    pub reason: String,
}

/// The CSV header, always the first line.
pub const CSV_HEADER: &str = "tick,population,neuron";

impl SpikeTrain {
    /// Builds a train from spikes in any order (duplicates are dropped).
    pub fn from_unsorted(mut spikes: Vec<Spike>) -> SpikeTrain {
        spikes.sort_unstable();
        spikes.dedup();
        SpikeTrain { spikes }
    }

    /// The spike CSV of spec §3: the header `tick,population,neuron`, then one
    /// `tick,population-name,neuron` row per spike, each line ending in `\n` (including the
    /// last). Population names come from `net`.
    pub fn to_csv(&self, net: &Network) -> String {
        let mut csv = String::with_capacity(CSV_HEADER.len() + 1 + self.spikes.len() * 12);
        csv.push_str(CSV_HEADER);
        csv.push('\n');
        for spike in &self.spikes {
            let name = csv_field(&net.populations[spike.population].name);
            let _ = writeln!(csv, "{},{},{}", spike.tick, name, spike.neuron);
        }
        csv
    }

    /// The first tick in which the two trains have different spikes, or `None` if they are
    /// identical.
    pub fn first_difference(&self, other: &SpikeTrain) -> Option<u32> {
        // Both lists are sorted, so at the first index where they differ, every earlier tick
        // matched; the earlier of the two spikes there is in a tick that one train lacks (or,
        // for equal ticks, a tick whose spike sets differ).
        let mismatch = self
            .spikes
            .iter()
            .zip(&other.spikes)
            .find(|(a, b)| a != b)
            .map(|(a, b)| a.tick.min(b.tick));
        mismatch.or_else(|| {
            let common = self.spikes.len().min(other.spikes.len());
            // One train is a prefix of the other: the longer one's next spike is the difference.
            self.spikes
                .get(common)
                .or_else(|| other.spikes.get(common))
                .map(|s| s.tick)
        })
    }

    /// Parses a spike CSV as written by [`SpikeTrain::to_csv`], resolving population names in
    /// `net`. Strict, as suits tests: the header must be exact, rows must be sorted without
    /// duplicates, and neuron indices must exist. A final line break is optional.
    pub fn parse_csv(text: &str, net: &Network) -> Result<SpikeTrain, SpikeCsvError> {
        let error = |line: usize, reason: String| SpikeCsvError { line, reason };
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        match lines.next() {
            Some((_, header)) if header == CSV_HEADER => {}
            Some((n, header)) => {
                return Err(error(
                    n,
                    format!("expected header {CSV_HEADER:?}, found {header:?}"),
                ))
            }
            None => {
                return Err(error(
                    1,
                    format!("empty file, expected header {CSV_HEADER:?}"),
                ))
            }
        }
        let mut spikes: Vec<Spike> = Vec::new();
        for (n, line) in lines {
            let fields: Vec<&str> = line.split(',').collect();
            let [tick, population, neuron] = fields[..] else {
                return Err(error(
                    n,
                    format!("expected 3 comma-separated fields in {line:?}"),
                ));
            };
            let tick: u32 = tick
                .parse()
                .map_err(|_| error(n, format!("tick {tick:?} is not a non-negative integer")))?;
            let pop_index = net
                .populations
                .iter()
                .position(|p| csv_field(&p.name) == population)
                .ok_or_else(|| error(n, format!("unknown population {population:?}")))?;
            let neuron: usize = neuron.parse().map_err(|_| {
                error(
                    n,
                    format!("neuron {neuron:?} is not a non-negative integer"),
                )
            })?;
            let size = net.populations[pop_index].size;
            if neuron >= size {
                return Err(error(
                    n,
                    format!("neuron {neuron} is out of range 0..{size} of {population:?}"),
                ));
            }
            let spike = Spike {
                tick,
                population: pop_index,
                neuron,
            };
            if let Some(previous) = spikes.last() {
                if *previous >= spike {
                    return Err(error(n, "row is out of order or duplicated".to_string()));
                }
            }
            spikes.push(spike);
        }
        Ok(SpikeTrain { spikes })
    }
}

/// A CSV field (RFC 4180): quoted, with `"` doubled, when it contains a quote, a comma or a
/// line break of any kind (network validation already refuses commas and control characters
/// in names, but `"` and the Unicode line and paragraph separators are valid names).
pub fn csv_field(text: &str) -> std::borrow::Cow<'_, str> {
    let needs_quotes = text
        .chars()
        .any(|c| matches!(c, '"' | ',' | '\u{2028}' | '\u{2029}') || c.is_control());
    if needs_quotes {
        format!("\"{}\"", text.replace('"', "\"\"")).into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net() -> Network {
        Network::from_json_str(
            r#"{"ticks": 4, "populations": [
                {"name": "a", "size": 2, "neuron": {"vth": 1}},
                {"name": "b", "size": 3, "neuron": {"vth": 1}}]}"#,
            None,
        )
        .unwrap()
    }

    fn spike(tick: u32, population: usize, neuron: usize) -> Spike {
        Spike {
            tick,
            population,
            neuron,
        }
    }

    #[test]
    fn names_with_quotes_or_line_separators_are_quoted() {
        let net = Network::from_json_str(
            r#"{"ticks": 2, "populations": [
                {"name": "say \"hi\"", "size": 1, "neuron": {"vth": 1}},
                {"name": "a\u2028b", "size": 1, "neuron": {"vth": 1}}]}"#,
            None,
        )
        .unwrap();
        let train = SpikeTrain::from_unsorted(vec![spike(0, 0, 0), spike(1, 1, 0)]);
        let csv = train.to_csv(&net);
        assert_eq!(
            csv,
            "tick,population,neuron\n0,\"say \"\"hi\"\"\",0\n1,\"a\u{2028}b\",0\n"
        );
        assert_eq!(SpikeTrain::parse_csv(&csv, &net).unwrap(), train);
    }

    #[test]
    fn csv_format_and_round_trip() {
        let net = net();
        let train = SpikeTrain::from_unsorted(vec![spike(1, 1, 2), spike(0, 0, 1), spike(1, 0, 0)]);
        let csv = train.to_csv(&net);
        assert_eq!(csv, "tick,population,neuron\n0,a,1\n1,a,0\n1,b,2\n");
        assert_eq!(SpikeTrain::parse_csv(&csv, &net).unwrap(), train);
        assert_eq!(
            SpikeTrain::default().to_csv(&net),
            "tick,population,neuron\n"
        );
    }

    #[test]
    fn parse_csv_is_strict() {
        let net = net();
        let bad = |text: &str| SpikeTrain::parse_csv(text, &net).unwrap_err().line;
        assert_eq!(bad("tick,pop,neuron\n"), 1);
        assert_eq!(bad("tick,population,neuron\n0,c,0\n"), 2);
        assert_eq!(bad("tick,population,neuron\n0,a,2\n"), 2);
        assert_eq!(bad("tick,population,neuron\n1,a,0\n0,a,0\n"), 3);
        assert_eq!(bad("tick,population,neuron\n0,a,0\n0,a,0\n"), 3);
        assert_eq!(bad("tick,population,neuron\n0,a\n"), 2);
    }

    #[test]
    fn first_difference_finds_the_earliest_tick() {
        let a = SpikeTrain::from_unsorted(vec![spike(1, 0, 0), spike(3, 0, 1)]);
        assert_eq!(a.first_difference(&a.clone()), None);
        let b = SpikeTrain::from_unsorted(vec![spike(1, 0, 0), spike(2, 1, 0), spike(3, 0, 1)]);
        assert_eq!(a.first_difference(&b), Some(2));
        assert_eq!(b.first_difference(&a), Some(2));
        let c = SpikeTrain::from_unsorted(vec![spike(1, 0, 0)]);
        assert_eq!(a.first_difference(&c), Some(3));
        assert_eq!(c.first_difference(&a), Some(3));
        let d = SpikeTrain::from_unsorted(vec![spike(1, 0, 0), spike(3, 1, 1)]);
        assert_eq!(a.first_difference(&d), Some(3));
        assert_eq!(SpikeTrain::default().first_difference(&c), Some(1));
    }
}
