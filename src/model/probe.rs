//! State probes: the `(u, v)` of selected neurons after every tick, and their CSV
//! (`tick,population,neuron,u,v`, see `docs/network-format.md`).
//!
//! A run hands a [`StateSink`] the states of its [`probed`](StateSink::probed) neurons once per
//! tick, right after that tick's spikes (see [`SpikeSink::state_probe`]). The golden model
//! reads them from its own state; the hardware engines read them from the cores between ticks
//! through the probe port, so the CSV shows what the hardware holds. Memory is one tick's
//! states: rows are written as ticks complete.
//!
//! [`SpikeSink::state_probe`]: super::sink::SpikeSink::state_probe

use std::io::{self, Write};

use thiserror::Error;

use super::network::Network;
use super::spikes::csv_field;
use crate::fixed::LifState;

/// The state CSV's header, always its first line.
pub const STATE_CSV_HEADER: &str = "tick,population,neuron,u,v";

/// Receives the probed neurons' states tick by tick.
pub trait StateSink {
    /// The `(population, neuron)`s to read after every tick, sorted and unique.
    fn probed(&self) -> &[(usize, usize)];

    /// The states after tick `tick`, one per [`probed`](Self::probed) neuron, in its order.
    fn tick_states(&mut self, tick: u32, states: &[LifState]) -> io::Result<()>;
}

/// A `--probe` argument that does not name neurons of the network.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("--probe {spec:?}: {reason}")]
pub struct ProbeSpecError {
    /// The argument as given.
    pub spec: String,
    /// What is wrong with it.
    pub reason: String,
}

/// The neurons named by `--probe POP[:i,j,a-b,...]` arguments, sorted and unique: a
/// population alone means all its neurons; after the last `:` come indices and inclusive
/// ranges `a-b`. A population name that itself contains `:` is taken whole first.
pub fn parse_probes(
    specs: &[String],
    net: &Network,
) -> Result<Vec<(usize, usize)>, ProbeSpecError> {
    let mut neurons = Vec::new();
    for spec in specs {
        let fail = |reason: String| ProbeSpecError {
            spec: spec.clone(),
            reason,
        };
        let find = |name: &str| net.populations.iter().position(|p| p.name == name);
        let (pop, list) = match (find(spec), spec.rsplit_once(':')) {
            (Some(pop), _) => (pop, None),
            (None, Some((name, list))) => (
                find(name).ok_or_else(|| fail(unknown_population(name, net)))?,
                Some(list),
            ),
            (None, None) => return Err(fail(unknown_population(spec, net))),
        };
        let size = net.populations[pop].size;
        let Some(list) = list else {
            neurons.extend((0..size).map(|n| (pop, n)));
            continue;
        };
        for item in list.split(',') {
            let index = |text: &str| -> Result<usize, ProbeSpecError> {
                let n: usize = text.trim().parse().map_err(|_| {
                    fail(format!(
                        "{text:?} is not a neuron index (POP, POP:i,j,... or POP:a-b)"
                    ))
                })?;
                if n >= size {
                    return Err(fail(format!(
                        "neuron {n} is out of range 0..{size} of {:?}",
                        net.populations[pop].name
                    )));
                }
                Ok(n)
            };
            let (first, last) = match item.split_once('-') {
                Some((a, b)) => (index(a)?, index(b)?),
                None => (index(item)?, index(item)?),
            };
            if first > last {
                return Err(fail(format!("range {item:?} is empty")));
            }
            neurons.extend((first..=last).map(|n| (pop, n)));
        }
    }
    neurons.sort_unstable();
    neurons.dedup();
    Ok(neurons)
}

fn unknown_population(name: &str, net: &Network) -> String {
    let names: Vec<&str> = net.populations.iter().map(|p| p.name.as_str()).collect();
    format!(
        "no population {name:?}; the network's populations: {}",
        names.join(", ")
    )
}

/// Writes the state CSV as ticks complete: the header, then one
/// `tick,population,neuron,u,v` row per probed neuron and tick, in (tick, population,
/// neuron) order. `u` and `v` are the neuron's state at the end of the tick (after a spike's
/// reset of `v`), as signed decimals.
pub struct StateCsvSink<W: Write> {
    out: W,
    probed: Vec<(usize, usize)>,
    names: Vec<String>,
}

impl<W: Write> StateCsvSink<W> {
    /// Writes the header to `out`; `probed` as from [`parse_probes`].
    pub fn new(mut out: W, net: &Network, probed: Vec<(usize, usize)>) -> io::Result<Self> {
        writeln!(out, "{STATE_CSV_HEADER}")?;
        Ok(StateCsvSink {
            out,
            probed,
            names: net
                .populations
                .iter()
                .map(|p| csv_field(&p.name).into_owned())
                .collect(),
        })
    }

    /// Flushes and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> StateSink for StateCsvSink<W> {
    fn probed(&self) -> &[(usize, usize)] {
        &self.probed
    }

    fn tick_states(&mut self, tick: u32, states: &[LifState]) -> io::Result<()> {
        for (&(pop, neuron), state) in self.probed.iter().zip(states) {
            writeln!(
                self.out,
                "{tick},{},{neuron},{},{}",
                self.names[pop], state.u, state.v
            )?;
        }
        Ok(())
    }
}

/// One row of a state CSV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateRow {
    /// Tick after which the state was read.
    pub tick: u32,
    /// Population index.
    pub population: usize,
    /// Neuron index within the population.
    pub neuron: usize,
    /// The state.
    pub state: LifState,
}

/// Keeps every probed state in memory (tests).
#[derive(Clone, Debug, Default)]
pub struct StateCollector {
    /// The neurons to probe.
    pub probed: Vec<(usize, usize)>,
    /// Every row so far.
    pub rows: Vec<StateRow>,
}

impl StateSink for StateCollector {
    fn probed(&self) -> &[(usize, usize)] {
        &self.probed
    }

    fn tick_states(&mut self, tick: u32, states: &[LifState]) -> io::Result<()> {
        let rows = self
            .probed
            .iter()
            .zip(states)
            .map(|(&(p, n), &state)| StateRow {
                tick,
                population: p,
                neuron: n,
                state,
            });
        self.rows.extend(rows);
        Ok(())
    }
}

/// A malformed CSV row (state or spike CSV): the 1-based line and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("line {line}: {reason}")]
pub struct CsvRowError {
    /// 1-based line number (the header is line 1).
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// A parsed state CSV: population names in order of first appearance, and the rows (with
/// `population` indexing those names).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateTable {
    /// Population names as written (CSV quoting removed).
    pub populations: Vec<String>,
    /// The rows, in file order.
    pub rows: Vec<StateRow>,
}

/// Parses a state CSV as [`StateCsvSink`] writes it.
pub fn parse_state_csv(text: &str) -> Result<StateTable, CsvRowError> {
    let error = |line: usize, reason: String| CsvRowError { line, reason };
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    match lines.next() {
        Some((_, header)) if header == STATE_CSV_HEADER => {}
        Some((n, header)) => {
            return Err(error(
                n,
                format!("expected header {STATE_CSV_HEADER:?}, found {header:?}"),
            ))
        }
        None => {
            return Err(error(
                1,
                format!("empty file, expected {STATE_CSV_HEADER:?}"),
            ))
        }
    }
    let mut table = StateTable::default();
    for (n, line) in lines {
        let fields = split_csv_line(line).map_err(|reason| error(n, reason))?;
        let [tick, population, neuron, u, v] = &fields[..] else {
            return Err(error(
                n,
                format!("expected 5 comma-separated fields in {line:?}"),
            ));
        };
        let number = |what: &str, text: &str| -> Result<i64, CsvRowError> {
            text.parse()
                .map_err(|_| error(n, format!("{what} {text:?} is not an integer")))
        };
        let tick = u32::try_from(number("tick", tick)?)
            .map_err(|_| error(n, format!("tick {tick} is out of range")))?;
        let neuron = usize::try_from(number("neuron", neuron)?)
            .map_err(|_| error(n, format!("neuron {neuron} is negative")))?;
        let population = match table.populations.iter().position(|p| p == population) {
            Some(index) => index,
            None => {
                table.populations.push(population.clone());
                table.populations.len() - 1
            }
        };
        let state = LifState {
            u: number("u", u)?,
            v: number("v", v)?,
        };
        table.rows.push(StateRow {
            tick,
            population,
            neuron,
            state,
        });
    }
    Ok(table)
}

/// Splits one CSV line into fields, undoing RFC 4180 quoting (as [`csv_field`] writes it).
pub fn split_csv_line(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (_, c) => field.push(c),
        }
    }
    if quoted {
        return Err(format!("unterminated quote in {line:?}"));
    }
    fields.push(field);
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net() -> Network {
        Network::from_json_str(
            r#"{"ticks": 2, "populations": [
                {"name": "a", "size": 4, "neuron": {"vth": 1}},
                {"name": "x:y", "size": 2, "neuron": {"vth": 1}}]}"#,
            None,
        )
        .unwrap()
    }

    #[test]
    fn probe_specs_select_sorted_unique_neurons() {
        let net = net();
        let specs = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_probes(&specs(&["x:y", "a:3,1-2", "a:1"]), &net).unwrap(),
            vec![(0, 1), (0, 2), (0, 3), (1, 0), (1, 1)]
        );
        assert_eq!(
            parse_probes(&specs(&["x:y:1"]), &net).unwrap(),
            vec![(1, 1)]
        );
        let error = parse_probes(&specs(&["a:4"]), &net).unwrap_err();
        assert_eq!(error.reason, "neuron 4 is out of range 0..4 of \"a\"");
        let error = parse_probes(&specs(&["b"]), &net).unwrap_err();
        assert!(error.to_string().contains("no population \"b\""), "{error}");
        assert!(parse_probes(&specs(&["a:2-1"]), &net).is_err());
        assert!(parse_probes(&specs(&["a:x"]), &net).is_err());
    }

    #[test]
    fn state_csv_round_trips() {
        let net = net();
        let mut sink = StateCsvSink::new(Vec::new(), &net, vec![(0, 2), (1, 0)]).unwrap();
        let states = [
            LifState { u: -5, v: 7 },
            LifState {
                u: 3,
                v: -8_388_608,
            },
        ];
        sink.tick_states(0, &states).unwrap();
        sink.tick_states(1, &states[..]).unwrap();
        let text = String::from_utf8(sink.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "tick,population,neuron,u,v\n0,a,2,-5,7\n0,x:y,0,3,-8388608\n1,a,2,-5,7\n1,x:y,0,3,-8388608\n"
        );
        let table = parse_state_csv(&text).unwrap();
        assert_eq!(table.populations, vec!["a", "x:y"]);
        assert_eq!(table.rows.len(), 4);
        assert_eq!(table.rows[1].state, states[1]);
        let bad = parse_state_csv("tick,population,neuron,u,v\n0,a,1,2\n").unwrap_err();
        assert_eq!(bad.line, 2);
        assert_eq!(
            split_csv_line(r#"1,"say ""b""",2"#).unwrap(),
            ["1", "say \"b\"", "2"]
        );
    }
}
