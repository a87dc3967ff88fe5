//! The network file (spec §1): parsing, validation, typed representation and writing.
//!
//! Parsing happens in two stages. First serde reads the JSON into loosely typed `Raw*`
//! structures (`deny_unknown_fields`, integers as `i64`); `serde_path_to_error` records where
//! in the document a syntax, type or unknown-key error happened. Then [`validate`] checks the
//! semantics (ranges, sizes, names) and builds the strongly typed [`Network`], naming the JSON
//! path of the offending value in every error.

use std::collections::HashMap;
use std::fmt;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

pub use super::declared::{DeclaredSizes, SizeLimit};
mod learning;

use crate::fixed::stdp::StdpRule;
use crate::fixed::{
    self, LifParams, BIAS_EXP_MAX, BIAS_MANT_MAX, BIAS_MANT_MIN, DU_MAX, DV_MAX, VTH_MAX,
    WEIGHT_EXP_MAX, WEIGHT_EXP_MIN, WEIGHT_MAX, WEIGHT_MIN,
};

/// Largest `size` accepted for an input group or a population.
///
/// The spec sets no limit; this implementation limit keeps a mistyped size (say `1000000000`)
/// from allocating gigabytes of per-neuron state before anything else is checked.
pub const MAX_GROUP_SIZE: usize = 1 << 20;

/// What kind of problem a [`NetworkError`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkErrorKind {
    /// The file could not be read (missing, unreadable, not UTF-8).
    Io,
    /// The text is not well-formed JSON (or ends early / has trailing characters).
    Syntax,
    /// Well-formed JSON of the wrong shape: wrong type, unknown key, missing required key.
    Schema,
    /// The right shape but invalid content: a value out of range, a wrong row length,
    /// an unknown or duplicate name.
    Invalid,
    /// Valid sizes that exceed where the network is to run (a core, a mesh, a board, or the
    /// golden model's memory), found from the declared sizes before anything per neuron or
    /// per synapse was allocated.
    TooLarge,
}

/// An error in a network file. It names the file (when known), the JSON path of the offending
/// value (e.g. `projections[0].weights[2][5]`) and the reason.
///
/// Displays as `file: path: reason`, leaving out the parts that are not known, e.g.
/// `net.json: populations[1].neuron.du[3]: 5000 is out of range 0..=4095`. Syntax and schema
/// errors found by the JSON parser also give the position as `at line L column C` in the
/// reason, and in [`line`](Self::line) / [`column`](Self::column).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct NetworkError {
    /// The file the network was read from, if it came from a file.
    pub file: Option<PathBuf>,
    /// JSON path of the offending value (`ticks`, `inputs[0].spikes[3][1]`, ...); empty when
    /// the error concerns the whole document (or file).
    pub path: String,
    /// 1-based line of the error, for errors found by the JSON parser.
    pub line: Option<usize>,
    /// 1-based column of the error, for errors found by the JSON parser.
    pub column: Option<usize>,
    /// What kind of problem this is.
    pub kind: NetworkErrorKind,
    /// Human-readable reason, e.g. `5000 is out of range 0..=4095`.
    pub reason: String,
}

impl NetworkError {
    fn render(&self) -> String {
        let mut parts = Vec::with_capacity(3);
        if let Some(file) = &self.file {
            parts.push(file.display().to_string());
        }
        if !self.path.is_empty() {
            parts.push(self.path.clone());
        }
        parts.push(self.reason.clone());
        parts.join(": ")
    }

    /// A semantic ([`NetworkErrorKind::Invalid`]) error at `path`; the file is added later.
    fn invalid(path: impl Into<String>, reason: impl Into<String>) -> Self {
        NetworkError {
            file: None,
            path: path.into(),
            line: None,
            column: None,
            kind: NetworkErrorKind::Invalid,
            reason: reason.into(),
        }
    }
}

/// A validated network: input spike sources, CUBA-LIF populations and dense projections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Network {
    /// Number of ticks to run.
    pub ticks: u32,
    /// Spike sources, in file order.
    pub inputs: Vec<InputGroup>,
    /// Neuron populations, in file order (this order is the CSV sort order).
    pub populations: Vec<Population>,
    /// Weight matrices between groups, in file order.
    pub projections: Vec<Projection>,
}

/// A group of input channels with a fixed spike schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputGroup {
    /// Unique name (shared namespace with populations).
    pub name: String,
    /// Number of channels, `>= 1`.
    pub size: usize,
    /// `(tick, index)` pairs, sorted and without duplicates; every index is `< size`.
    /// Ticks at or beyond [`Network::ticks`] are kept but have no effect on the run.
    pub spikes: Vec<(u32, usize)>,
}

/// A population of CUBA-LIF neurons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Population {
    /// Unique name (shared namespace with inputs).
    pub name: String,
    /// Number of neurons, `>= 1`.
    pub size: usize,
    /// Parameters of each neuron; `params.len() == size`.
    pub params: Vec<LifParams>,
}

/// The pre-synaptic side of a projection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// Index into [`Network::inputs`].
    Input(usize),
    /// Index into [`Network::populations`].
    Population(usize),
}

/// A dense weight matrix from a source group to a population.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Projection {
    /// Pre-synaptic group.
    pub from: Source,
    /// Post-synaptic population, index into [`Network::populations`].
    pub to: usize,
    /// Exponent applied to each neuron's summed weights, `-8..=7` (see [`fixed::shift_exp`]).
    pub weight_exp: i32,
    /// `weights[post][pre]`, each in `-128..=127` (a learning projection: in its sign mode's
    /// range, and even in mixed mode); `size(to)` rows of `size(from)` columns.
    pub weights: Vec<Vec<i32>>,
    /// The STDP rule of a learning projection (spec §5); `None` for fixed weights.
    pub learning: Option<StdpRule>,
}

impl Network {
    /// Parses and validates a network from JSON text. `file` is only used to name the file in
    /// errors.
    pub fn from_json_str(text: &str, file: Option<&Path>) -> Result<Network, NetworkError> {
        Network::from_json_str_within(text, file, &|_| Ok(()))
    }

    /// [`from_json_str`](Self::from_json_str), refusing a network whose [`DeclaredSizes`]
    /// `limit` rejects before anything per neuron or per synapse is allocated: the error is
    /// [`NetworkErrorKind::TooLarge`] with `limit`'s reason. The JSON text itself is parsed
    /// first (memory in proportion to the file).
    pub fn from_json_str_within(
        text: &str,
        file: Option<&Path>,
        limit: &SizeLimit<'_>,
    ) -> Result<Network, NetworkError> {
        let with_file = |mut err: NetworkError| {
            err.file = file.map(Path::to_path_buf);
            err
        };
        let raw = parse_raw(text).map_err(with_file)?;
        validate(raw, limit).map_err(with_file)
    }

    /// Reads, parses and validates a network file. A missing or unreadable file is a
    /// [`NetworkErrorKind::Io`] error naming the file and the operating system's reason.
    pub fn load(path: &Path) -> Result<Network, NetworkError> {
        Network::load_within(path, &|_| Ok(()))
    }

    /// [`load`](Self::load) with a size limit (see
    /// [`from_json_str_within`](Self::from_json_str_within)).
    pub fn load_within(path: &Path, limit: &SizeLimit<'_>) -> Result<Network, NetworkError> {
        let text = std::fs::read_to_string(path).map_err(|err| NetworkError {
            file: Some(path.to_path_buf()),
            path: String::new(),
            line: None,
            column: None,
            kind: NetworkErrorKind::Io,
            reason: format!("cannot read file: {err}"),
        })?;
        Network::from_json_str_within(&text, Some(path), limit)
    }

    /// Writes the network as pretty JSON in the spec's format. A neuron field is written as a
    /// single integer when it is the same for the whole population, else as an array.
    /// The result parses back (with [`Network::from_json_str`]) to an equal network.
    pub fn to_json(&self) -> String {
        // Hand-formatted rather than `serde_json::to_string_pretty`, which would put every
        // weight on its own line; here a weight row or a neuron array is one line.
        let mut out = String::new();
        let _ = writeln!(out, "{{\n  \"ticks\": {},", self.ticks);

        out.push_str("  \"inputs\": [");
        for (i, input) in self.inputs.iter().enumerate() {
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            let _ = write!(
                out,
                "    {{\"name\": {}, \"size\": {}, \"spikes\": [",
                json_string(&input.name),
                input.size
            );
            for (k, (tick, index)) in input.spikes.iter().enumerate() {
                if k > 0 {
                    // Break long spike lists every 16 pairs to keep lines readable.
                    out.push_str(if k % 16 == 0 { ",\n      " } else { ", " });
                }
                let _ = write!(out, "[{tick}, {index}]");
            }
            out.push_str("]}");
        }
        out.push_str(if self.inputs.is_empty() {
            "],\n"
        } else {
            "\n  ],\n"
        });

        out.push_str("  \"populations\": [");
        for (i, pop) in self.populations.iter().enumerate() {
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            let _ = write!(
                out,
                "    {{\"name\": {}, \"size\": {},\n     \"neuron\": {{",
                json_string(&pop.name),
                pop.size
            );
            let fields: [(&str, FieldGetter); 5] = [
                ("du", |p| p.du),
                ("dv", |p| p.dv),
                ("vth", |p| p.vth),
                ("bias_mant", |p| p.bias_mant),
                ("bias_exp", |p| p.bias_exp),
            ];
            for (f, (key, get)) in fields.iter().enumerate() {
                if f > 0 {
                    out.push_str(", ");
                }
                let values: Vec<i64> = pop.params.iter().map(get).collect();
                let _ = write!(out, "\"{key}\": ");
                if values.iter().all(|&v| v == values[0]) {
                    let _ = write!(out, "{}", values[0]);
                } else {
                    write_int_array(&mut out, &values);
                }
            }
            out.push_str("}}");
        }
        out.push_str(if self.populations.is_empty() {
            "],\n"
        } else {
            "\n  ],\n"
        });

        out.push_str("  \"projections\": [");
        for (i, proj) in self.projections.iter().enumerate() {
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            let _ = write!(
                out,
                "    {{\"from\": {}, \"to\": {}, \"weight_exp\": {},\n     \"weights\": [",
                json_string(self.source_name(proj.from)),
                json_string(&self.populations[proj.to].name),
                proj.weight_exp
            );
            for (r, row) in proj.weights.iter().enumerate() {
                out.push_str(if r == 0 { "\n       " } else { ",\n       " });
                let row: Vec<i64> = row.iter().map(|&w| i64::from(w)).collect();
                write_int_array(&mut out, &row);
            }
            out.push_str("\n     ]");
            if let Some(rule) = &proj.learning {
                let _ = write!(
                    out,
                    ",\n     \"learning\": {}",
                    learning::learning_json(rule)
                );
            }
            out.push('}');
        }
        out.push_str(if self.projections.is_empty() {
            "]\n"
        } else {
            "\n  ]\n"
        });
        out.push_str("}\n");
        out
    }

    /// Number of channels (input) or neurons (population) of a projection source.
    pub fn source_size(&self, s: Source) -> usize {
        match s {
            Source::Input(i) => self.inputs[i].size,
            Source::Population(p) => self.populations[p].size,
        }
    }

    /// Name of a projection source, as written in the file.
    pub fn source_name(&self, s: Source) -> &str {
        match s {
            Source::Input(i) => &self.inputs[i].name,
            Source::Population(p) => &self.populations[p].name,
        }
    }

    /// The learning projections (spec §5), as `(index in projections, projection, rule)`.
    pub fn learning_projections(&self) -> impl Iterator<Item = (usize, &Projection, &StdpRule)> {
        self.projections
            .iter()
            .enumerate()
            .filter_map(|(j, proj)| proj.learning.as_ref().map(|rule| (j, proj, rule)))
    }

    /// Whether any projection learns.
    pub fn learns(&self) -> bool {
        self.learning_projections().next().is_some()
    }

    /// Number of neurons over all populations (inputs are not neurons).
    pub fn total_neurons(&self) -> usize {
        self.populations.iter().map(|p| p.size).sum()
    }

    /// For each population and each of its neurons, an upper bound on `|a|` (spec §2 step 1)
    /// that holds for every possible pattern of pre-synaptic spikes; hardware uses it to size
    /// the synaptic accumulator.
    ///
    /// For one projection into neuron `n`, let `P` be the sum of the positive weights in row
    /// `n` and `N` the sum of the magnitudes of its negative weights. Whatever subset of
    /// pre-synaptic neurons spikes, the row sum `S` satisfies `-N <= S <= P`. Both `x << e` and
    /// the floor shift `x >> -e` are monotone non-decreasing in `x`, so
    /// `shift_exp(-N, e) <= shift_exp(S, e) <= shift_exp(P, e)` and therefore
    /// `|shift_exp(S, e)| <= max(shift_exp(P, e), |shift_exp(-N, e)|)`. Summing this over the
    /// projections into the population bounds `|a|`. Each projection's term is reached (all
    /// positive or all negative pre-synaptic weights firing), so the bound is tight per
    /// projection; summed over projections it is tight unless the spike patterns of the
    /// projections are correlated (e.g. two projections from the same source).
    ///
    /// A learning projection's weights can become any value of its sign mode's range, so its
    /// row counts as if every weight sat at the range's bounds: `P = columns · w_max`,
    /// `N = columns · |w_min|` (e.g. `-256` for every weight of a mixed row).
    pub fn max_abs_synaptic_input(&self) -> Vec<Vec<i64>> {
        let mut bounds: Vec<Vec<i64>> = self.populations.iter().map(|p| vec![0; p.size]).collect();
        for proj in &self.projections {
            for (post, row) in proj.weights.iter().enumerate() {
                // A row has at most 2^20 weights of magnitude <= 256, so these sums and their
                // shifts (<< 7 at most) stay below 2^36; only the total over any number of
                // projections can grow without bound, and saturates instead of wrapping.
                let (positive, negative) = match &proj.learning {
                    Some(rule) => {
                        let columns = row.len() as i64;
                        (
                            columns * rule.sign_mode.weight_max(),
                            columns * -rule.sign_mode.weight_min(),
                        )
                    }
                    None => (
                        row.iter().filter(|&&w| w > 0).map(|&w| i64::from(w)).sum(),
                        row.iter().filter(|&&w| w < 0).map(|&w| -i64::from(w)).sum(),
                    ),
                };
                let high = fixed::shift_exp(positive, proj.weight_exp);
                let low = fixed::shift_exp(-negative, proj.weight_exp);
                let bound = &mut bounds[proj.to][post];
                *bound = bound.saturating_add(high.max(low.abs()));
            }
        }
        bounds
    }
}

/// Reads one neuron field out of [`LifParams`], for [`Network::to_json`].
type FieldGetter = fn(&LifParams) -> i64;

fn write_int_array(out: &mut String, values: &[i64]) {
    out.push('[');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{v}");
    }
    out.push(']');
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("serialising a string cannot fail")
}

// ---------------------------------------------------------------------------------------------
// Stage 1: JSON -> raw structures.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNetwork {
    ticks: i64,
    #[serde(default)]
    inputs: Vec<Object<RawInput>>,
    populations: Vec<Object<RawPopulation>>,
    #[serde(default)]
    projections: Vec<Object<RawProjection>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInput {
    name: String,
    size: i64,
    #[serde(default)]
    spikes: Vec<(i64, i64)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPopulation {
    name: String,
    size: i64,
    neuron: Object<RawNeuron>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNeuron {
    #[serde(default)]
    du: Option<RawField>,
    #[serde(default)]
    dv: Option<RawField>,
    // Optional here so that a missing `vth` is reported by `validate` with a clear reason.
    #[serde(default)]
    vth: Option<RawField>,
    #[serde(default)]
    bias_mant: Option<RawField>,
    #[serde(default)]
    bias_exp: Option<RawField>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProjection {
    from: String,
    to: String,
    #[serde(default)]
    weight_exp: i64,
    weights: Vec<Vec<i64>>,
    #[serde(default)]
    learning: Option<Object<learning::RawLearning>>,
}

/// A neuron field: one integer for the whole population, or one per neuron.
enum RawField {
    Uniform(i64),
    PerNeuron(Vec<i64>),
}

impl<'de> Deserialize<'de> for RawField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A hand-written visitor instead of `#[serde(untagged)]`: untagged enums report
        // "did not match any variant" and lose the index of a bad array element.
        struct FieldVisitor;

        impl<'de> Visitor<'de> for FieldVisitor {
            type Value = RawField;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer or an array of integers")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawField, E> {
                Ok(RawField::Uniform(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawField, E> {
                i64::try_from(v)
                    .map(RawField::Uniform)
                    .map_err(|_| E::custom(format!("{v} is too large")))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawField, A::Error> {
                let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(v) = seq.next_element::<i64>()? {
                    values.push(v);
                }
                Ok(RawField::PerNeuron(values))
            }
        }

        deserializer.deserialize_any(FieldVisitor)
    }
}

fn parse_raw(text: &str) -> Result<RawNetwork, NetworkError> {
    // serde would read a top-level array as the fields of the struct in order and complain
    // about its elements ("[1]: expected a sequence"); say what the file is instead.
    let found = match text.trim_start().chars().next() {
        Some('[') => Some("an array"),
        Some('"') => Some("a string"),
        Some('t' | 'f') => Some("a boolean"),
        Some('n') => Some("null"),
        Some(c) if c == '-' || c.is_ascii_digit() => Some("a number"),
        _ => None,
    };
    if let Some(found) = found {
        return Err(NetworkError {
            file: None,
            path: String::new(),
            line: Some(1),
            column: Some(1),
            kind: NetworkErrorKind::Schema,
            reason: format!(
                "a network file is a JSON object ({{\"ticks\": ..., \"populations\": [...], ...}}), \
                 found {found}"
            ),
        });
    }
    let mut json = serde_json::Deserializer::from_str(text);
    let raw: RawNetwork = serde_path_to_error::deserialize(&mut json).map_err(|err| {
        let inner = err.inner();
        if let Some(mut object_error) = not_an_object(err.path(), &inner.to_string()) {
            (object_error.line, object_error.column) = (Some(inner.line()), Some(inner.column()));
            return object_error;
        }
        let path = if err.path().iter().next().is_none() {
            String::new()
        } else {
            err.path().to_string()
        };
        json_error(path, err.into_inner(), text)
    })?;
    // Reject trailing characters after the top-level object.
    json.end()
        .map_err(|err| json_error(String::new(), err, text))?;
    Ok(raw)
}

/// What each object of the file looks like, for the error when an array stands in its place.
const OBJECT_SHAPES: [(&str, &str); 5] = [
    (
        "inputs",
        r#"{"name": "in", "size": 8, "spikes": [[tick, index], ...]}"#,
    ),
    (
        "populations",
        r#"{"name": "p0", "size": 4, "neuron": {"vth": 100, ...}}"#,
    ),
    (
        "neuron",
        r#"{"du": 410, "dv": 256, "vth": 100, "bias_mant": 0, "bias_exp": 0}"#,
    ),
    (
        "projections",
        r#"{"from": "in", "to": "p0", "weight_exp": 0, "weights": [[...], ...]}"#,
    ),
    (
        "learning",
        r#"{"rule": "stdp", "x_impulse": 48, "x_decay": 456, ...}"#,
    ),
];

/// When `message` says one of [`OBJECT_SHAPES`] was something else (see [`Object`]), an error
/// that shows what the object looks like.
fn not_an_object(path: &serde_path_to_error::Path, message: &str) -> Option<NetworkError> {
    use serde_path_to_error::Segment;
    // serde_json's text: "invalid type: sequence, expected a JSON object at line 1 column 24".
    let (found, _) = message
        .strip_prefix("invalid type: ")?
        .split_once(&format!(", expected {}", Object::<()>::EXPECTING))?;
    let found = if found == "sequence" {
        "an array"
    } else {
        found
    };
    let segments: Vec<&Segment> = path.iter().collect();
    let name = match segments.as_slice() {
        [.., Segment::Map { key }, Segment::Seq { .. }] => key.as_str(),
        [.., Segment::Map { key }] => key.as_str(),
        _ => return None,
    };
    let (name, shape) = OBJECT_SHAPES.iter().find(|(n, _)| *n == name)?;
    let what = if matches!(*name, "neuron" | "learning") {
        format!("`{name}`")
    } else {
        format!("an entry of `{name}`")
    };
    Some(NetworkError::invalid(
        path.to_string(),
        format!("{what} is a JSON object such as {shape}, found {found}"),
    ))
}

/// A JSON object read into `T`, and nothing else. A derived `Deserialize` also accepts an array
/// as the struct's fields in order, so `"neuron": [1, 2, 100]` would silently mean `du = 1,
/// dv = 2, vth = 100`; the spec has objects only.
struct Object<T>(T);

impl<T> Object<T> {
    const EXPECTING: &'static str = "a JSON object";
}

impl<T> std::ops::Deref for Object<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = Object<T>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(Object::<T>::EXPECTING)
            }

            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Object<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Object)
            }
        }

        deserializer.deserialize_map(ObjectVisitor(std::marker::PhantomData))
    }
}

fn json_error(path: String, err: serde_json::Error, text: &str) -> NetworkError {
    let kind = match err.classify() {
        serde_json::error::Category::Io => NetworkErrorKind::Io,
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            NetworkErrorKind::Syntax
        }
        serde_json::error::Category::Data => NetworkErrorKind::Schema,
    };
    let (line, column) = if err.line() == 0 {
        (None, None)
    } else {
        (Some(err.line()), Some(err.column()))
    };
    NetworkError {
        file: None,
        path,
        line,
        column,
        kind,
        // serde_json's message already ends in "at line L column C".
        reason: integer_beyond_64_bits(&err, text).unwrap_or_else(|| err.to_string()),
    }
}

/// serde_json reads an integer literal beyond 64 bits as a float and reports "invalid type:
/// floating point `1e+23`"; this names the literal as written instead.
fn integer_beyond_64_bits(err: &serde_json::Error, text: &str) -> Option<String> {
    if !err.to_string().starts_with("invalid type: floating point") || err.line() == 0 {
        return None;
    }
    // The error's column is that of the literal's last character (1-based).
    let line = text.lines().nth(err.line() - 1)?;
    let end = line
        .char_indices()
        .nth(err.column() - 1)
        .map(|(i, c)| i + c.len_utf8())?;
    let start = line[..end]
        .rfind(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
        .map_or(0, |i| i + 1);
    let literal = &line[start..end];
    let digits = literal.strip_prefix('-').unwrap_or(literal);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!(
        "integer {literal} is out of range (beyond 64 bits) at line {} column {}",
        err.line(),
        err.column()
    ))
}

// ---------------------------------------------------------------------------------------------
// Stage 2: raw structures -> validated network.

/// Checks `value` against `range` and converts it; the error names `path`.
fn in_range<T: TryFrom<i64>>(
    path: &str,
    value: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<T, NetworkError> {
    if range.contains(&value) {
        if let Ok(converted) = T::try_from(value) {
            return Ok(converted);
        }
    }
    Err(NetworkError::invalid(
        path,
        format!(
            "{value} is out of range {}..={}",
            range.start(),
            range.end()
        ),
    ))
}

/// Group names end up in CSV rows and reports, so they must be non-empty and free of commas
/// and control characters (the spec's CSV has no quoting).
fn check_name(path: &str, name: &str) -> Result<(), NetworkError> {
    if name.is_empty() {
        return Err(NetworkError::invalid(path, "name is empty"));
    }
    if name.chars().any(|c| c == ',' || c.is_control()) {
        return Err(NetworkError::invalid(
            path,
            format!("name {name:?} contains a comma or a control character"),
        ));
    }
    Ok(())
}

/// The sizes `raw` declares, as far as they are valid: a size out of range, a projection with
/// an unknown end or into an input is left out (validation reports it afterwards, in its usual
/// order), so the limit sees a lower bound of what validation would allocate.
fn declared_sizes(raw: &RawNetwork) -> DeclaredSizes {
    let valid = |size: i64| {
        usize::try_from(size)
            .ok()
            .filter(|s| (1..=MAX_GROUP_SIZE).contains(s))
    };
    // Name -> (size if valid, population index). Names are unique by now.
    let mut by_name: HashMap<&str, (Option<usize>, Option<usize>)> = HashMap::new();
    for group in &raw.inputs {
        by_name.insert(&group.name, (valid(group.size), None));
    }
    for (p, pop) in raw.populations.iter().enumerate() {
        by_name.insert(&pop.name, (valid(pop.size), Some(p)));
    }
    let projections = raw
        .projections
        .iter()
        .filter_map(|proj| {
            let (to_size, to) = by_name.get(proj.to.as_str())?;
            let (from_size, _) = by_name.get(proj.from.as_str())?;
            to_size
                .and(*to)
                .zip(*from_size)
                .map(|(to, from)| (from, to))
        })
        .collect();
    DeclaredSizes {
        populations: raw
            .populations
            .iter()
            .map(|p| (p.name.clone(), valid(p.size).unwrap_or(0)))
            .collect(),
        inputs: raw
            .inputs
            .iter()
            .map(|g| valid(g.size).unwrap_or(0))
            .collect(),
        projections,
        input_spikes: raw.inputs.iter().map(|g| g.spikes.len()).sum(),
    }
}

fn validate(raw: RawNetwork, limit: &SizeLimit<'_>) -> Result<Network, NetworkError> {
    let ticks: u32 = in_range("ticks", raw.ticks, 0..=i64::from(u32::MAX))?;
    let max_size = MAX_GROUP_SIZE as i64;

    // Names first, so that projections can be resolved below.
    let mut names: HashMap<&str, (Source, String)> = HashMap::new();
    let groups = raw
        .inputs
        .iter()
        .enumerate()
        .map(|(i, g)| (&g.name, Source::Input(i), format!("inputs[{i}]")))
        .chain(
            raw.populations
                .iter()
                .enumerate()
                .map(|(p, g)| (&g.name, Source::Population(p), format!("populations[{p}]"))),
        );
    for (name, source, group_path) in groups {
        let name_path = format!("{group_path}.name");
        check_name(&name_path, name)?;
        if let Some((_, first_path)) = names.get(name.as_str()) {
            return Err(NetworkError::invalid(
                name_path,
                format!("name {name:?} is already used by {first_path}"),
            ));
        }
        names.insert(name, (source, group_path));
    }
    // Before anything per neuron (or per synapse) is allocated below.
    limit(&declared_sizes(&raw)).map_err(|reason| NetworkError {
        kind: NetworkErrorKind::TooLarge,
        ..NetworkError::invalid("", reason)
    })?;

    let mut inputs = Vec::with_capacity(raw.inputs.len());
    for (i, input) in raw.inputs.iter().enumerate() {
        let size: usize = in_range(&format!("inputs[{i}].size"), input.size, 1..=max_size)?;
        let mut spikes = Vec::with_capacity(input.spikes.len());
        for (k, &(tick, index)) in input.spikes.iter().enumerate() {
            let tick: u32 = in_range(
                &format!("inputs[{i}].spikes[{k}][0]"),
                tick,
                0..=i64::from(u32::MAX),
            )?;
            let index: usize = in_range(
                &format!("inputs[{i}].spikes[{k}][1]"),
                index,
                0..=size as i64 - 1,
            )?;
            spikes.push((tick, index));
        }
        // Order and duplicates do not matter in the file; a duplicate is one spike.
        spikes.sort_unstable();
        spikes.dedup();
        inputs.push(InputGroup {
            name: input.name.clone(),
            size,
            spikes,
        });
    }

    let mut populations = Vec::with_capacity(raw.populations.len());
    for (p, pop) in raw.populations.iter().enumerate() {
        let size: usize = in_range(&format!("populations[{p}].size"), pop.size, 1..=max_size)?;
        let neuron_path = format!("populations[{p}].neuron");
        let field = |name: &str, raw: &Option<RawField>, lo: i64, hi: i64| {
            neuron_field(&format!("{neuron_path}.{name}"), raw, size, lo..=hi)
        };
        let du = field("du", &pop.neuron.du, 0, DU_MAX)?;
        let dv = field("dv", &pop.neuron.dv, 0, DV_MAX)?;
        if pop.neuron.vth.is_none() {
            return Err(NetworkError::invalid(
                neuron_path,
                "missing field `vth` (the threshold is required)",
            ));
        }
        let vth = field("vth", &pop.neuron.vth, 0, VTH_MAX)?;
        let bias_mant = field(
            "bias_mant",
            &pop.neuron.bias_mant,
            BIAS_MANT_MIN,
            BIAS_MANT_MAX,
        )?;
        let bias_exp = field("bias_exp", &pop.neuron.bias_exp, 0, BIAS_EXP_MAX)?;
        let params = (0..size)
            .map(|n| LifParams {
                du: du[n],
                dv: dv[n],
                vth: vth[n],
                bias_mant: bias_mant[n],
                bias_exp: bias_exp[n],
            })
            .collect();
        populations.push(Population {
            name: pop.name.clone(),
            size,
            params,
        });
    }

    let size_of = |s: Source| match s {
        Source::Input(i) => inputs[i].size,
        Source::Population(p) => populations[p].size,
    };
    let describe = |s: Source| match s {
        Source::Input(i) => format!("input {:?}", inputs[i].name),
        Source::Population(p) => format!("population {:?}", populations[p].name),
    };
    let known_names = || {
        let mut all: Vec<&str> = names.keys().copied().collect();
        all.sort_unstable();
        all.join(", ")
    };

    let mut projections = Vec::with_capacity(raw.projections.len());
    for (j, proj) in raw.projections.iter().enumerate() {
        let path = format!("projections[{j}]");
        let from = match names.get(proj.from.as_str()) {
            Some((source, _)) => *source,
            None => {
                return Err(NetworkError::invalid(
                    format!("{path}.from"),
                    format!("unknown name {:?} (known: {})", proj.from, known_names()),
                ))
            }
        };
        let to = match names.get(proj.to.as_str()) {
            Some((Source::Population(p), _)) => *p,
            Some((Source::Input(_), _)) => {
                return Err(NetworkError::invalid(
                    format!("{path}.to"),
                    format!(
                        "{:?} is an input; a projection must target a population",
                        proj.to
                    ),
                ))
            }
            None => {
                return Err(NetworkError::invalid(
                    format!("{path}.to"),
                    format!("unknown name {:?} (known: {})", proj.to, known_names()),
                ))
            }
        };
        let weight_exp: i32 = in_range(
            &format!("{path}.weight_exp"),
            proj.weight_exp,
            i64::from(WEIGHT_EXP_MIN)..=i64::from(WEIGHT_EXP_MAX),
        )?;
        let learning = proj
            .learning
            .as_ref()
            .map(|raw| learning::validate_learning(&format!("{path}.learning"), raw))
            .transpose()?;
        // A learning projection's weights live in its sign mode's range (spec §5).
        let (weight_min, weight_max) = match &learning {
            Some(rule) => (rule.sign_mode.weight_min(), rule.sign_mode.weight_max()),
            None => (WEIGHT_MIN, WEIGHT_MAX),
        };
        let rows = populations[to].size;
        let columns = size_of(from);
        if proj.weights.len() != rows {
            return Err(NetworkError::invalid(
                format!("{path}.weights"),
                format!(
                    "has {} rows, expected {rows} (one per neuron of {})",
                    proj.weights.len(),
                    describe(Source::Population(to))
                ),
            ));
        }
        let mut weights = Vec::with_capacity(rows);
        for (r, row) in proj.weights.iter().enumerate() {
            if row.len() != columns {
                return Err(NetworkError::invalid(
                    format!("{path}.weights[{r}]"),
                    format!(
                        "has {} columns, expected {columns} (one per neuron of {})",
                        row.len(),
                        describe(from)
                    ),
                ));
            }
            let checked = row
                .iter()
                .enumerate()
                .map(|(c, &w)| {
                    let weight_path = format!("{path}.weights[{r}][{c}]");
                    match &learning {
                        // Mixed mode floors an odd initial weight to even (spec §5).
                        Some(rule) => in_range::<i64>(&weight_path, w, weight_min..=weight_max)
                            .map(|w| rule.sign_mode.initial_weight(w) as i32)
                            .map_err(|mut err| {
                                err.reason.push_str(&format!(
                                    " (sign_mode {:?} of this learning projection)",
                                    rule.sign_mode.name()
                                ));
                                err
                            }),
                        None => in_range::<i32>(&weight_path, w, weight_min..=weight_max),
                    }
                })
                .collect::<Result<Vec<i32>, _>>()?;
            weights.push(checked);
        }
        projections.push(Projection {
            from,
            to,
            weight_exp,
            weights,
            learning,
        });
    }

    let net = Network {
        ticks,
        inputs,
        populations,
        projections,
    };
    check_exact_input_range(&net.max_abs_synaptic_input())?;
    Ok(net)
}

/// Rejects a network in which some neuron's synaptic input could exceed
/// [`fixed::EXACT_INPUT_LIMIT`] (`2^44`), beyond which the `i64` arithmetic of the golden model
/// would no longer be exact (the derivation is at the constant). The bound is the static one of
/// [`Network::max_abs_synaptic_input`] (`bounds`); every network the hardware holds is far
/// inside it.
fn check_exact_input_range(bounds: &[Vec<i64>]) -> Result<(), NetworkError> {
    for (p, bounds) in bounds.iter().enumerate() {
        if let Some((n, &bound)) = bounds
            .iter()
            .enumerate()
            .find(|&(_, &bound)| bound > fixed::EXACT_INPUT_LIMIT)
        {
            return Err(NetworkError::invalid(
                format!("populations[{p}]"),
                format!(
                    "neuron {n} can receive a synaptic input of magnitude {bound} in one tick \
                     (the sum over its projections of max(positive, |negative|) weights, \
                     shifted); more than 2^44 = {} is beyond what the golden model computes \
                     exactly",
                    fixed::EXACT_INPUT_LIMIT
                ),
            ));
        }
    }
    Ok(())
}

/// Expands a neuron field to one value per neuron, checking its length and range.
/// A missing field is 0 for every neuron (spec §1).
fn neuron_field(
    path: &str,
    raw: &Option<RawField>,
    size: usize,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Vec<i64>, NetworkError> {
    match raw {
        None => in_range::<i64>(path, 0, range).map(|zero| vec![zero; size]),
        Some(RawField::Uniform(v)) => in_range::<i64>(path, *v, range).map(|v| vec![v; size]),
        Some(RawField::PerNeuron(values)) => {
            if values.len() != size {
                return Err(NetworkError::invalid(
                    path,
                    format!(
                        "array has {} entries, expected {size} (the population's size)",
                        values.len()
                    ),
                ));
            }
            values
                .iter()
                .enumerate()
                .map(|(n, &v)| in_range::<i64>(&format!("{path}[{n}]"), v, range.clone()))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"{
  "ticks": 64,
  "inputs": [
    {"name": "in", "size": 8, "spikes": [[2, 1], [0, 3], [2, 1]]}
  ],
  "populations": [
    {"name": "p0", "size": 4,
     "neuron": {"du": 410, "dv": [1, 2, 3, 4], "vth": 100, "bias_mant": -3, "bias_exp": 2}},
    {"name": "p1", "size": 2, "neuron": {"vth": 7}}
  ],
  "projections": [
    {"from": "in", "to": "p0", "weight_exp": -2, "weights": [
      [0, 12, -4, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 0],
      [1, 2, 3, 4, 5, 6, 7, 8],
      [-128, 127, 0, 0, 0, 0, 0, -1]]},
    {"from": "p0", "to": "p1", "weights": [[1, 2, 3, 4], [5, 6, 7, 8]]},
    {"from": "p1", "to": "p1", "weight_exp": 7, "weights": [[0, -1], [1, 0]]}
  ]
}"#;

    fn parse(text: &str) -> Result<Network, NetworkError> {
        Network::from_json_str(text, Some(Path::new("net.json")))
    }

    /// Replaces the first occurrence of `from` in the small network and parses the result.
    fn parse_edited(from: &str, to: &str) -> NetworkError {
        assert!(SMALL.contains(from), "test edit {from:?} does not apply");
        parse(&SMALL.replacen(from, to, 1)).expect_err("edited network should be rejected")
    }

    #[test]
    fn parses_the_small_network() {
        let net = parse(SMALL).unwrap();
        assert_eq!(net.ticks, 64);
        assert_eq!(net.inputs[0].spikes, vec![(0, 3), (2, 1)]); // sorted, deduplicated
        assert_eq!(net.populations[0].params[2].dv, 3);
        assert_eq!(net.populations[0].params[2].du, 410);
        assert_eq!(net.populations[0].params[0].bias(), -12);
        // Missing fields are 0 except vth.
        assert_eq!(
            net.populations[1].params[1],
            LifParams {
                vth: 7,
                ..LifParams::default()
            }
        );
        assert_eq!(net.projections[0].from, Source::Input(0));
        assert_eq!(net.projections[1].from, Source::Population(0));
        assert_eq!(net.projections[1].weight_exp, 0); // default
        assert_eq!(net.projections[2].to, 1);
        assert_eq!(net.total_neurons(), 6);
        assert_eq!(net.source_size(Source::Input(0)), 8);
        assert_eq!(net.source_name(Source::Population(1)), "p1");
    }

    #[test]
    fn to_json_round_trips() {
        let net = parse(SMALL).unwrap();
        let text = net.to_json();
        assert!(
            text.contains("\"du\": 410,"),
            "uniform field written as an integer:\n{text}"
        );
        assert!(
            text.contains("\"dv\": [1, 2, 3, 4]"),
            "per-neuron field as an array:\n{text}"
        );
        assert_eq!(Network::from_json_str(&text, None).unwrap(), net);
        // An empty network section round-trips too.
        let empty = Network {
            ticks: 3,
            inputs: vec![],
            populations: vec![],
            projections: vec![],
        };
        assert_eq!(
            Network::from_json_str(&empty.to_json(), None).unwrap(),
            empty
        );
    }

    #[test]
    fn max_abs_synaptic_input_bounds() {
        let net = parse(SMALL).unwrap();
        let bounds = net.max_abs_synaptic_input();
        // p0 row 0: P = 12, N = 4, e = -2: max(12 >> 2, |-4 >> 2|) = max(3, 1) = 3.
        // p0 row 2: P = 36: 36 >> 2 = 9. Row 3: P = 127 -> 31; N = 129 -> -129 >> 2 = -33 -> 33.
        assert_eq!(bounds[0], vec![3, 0, 9, 33]);
        // p1 row 0: from p0 P = 10 (e = 0) plus from p1 N = 1, e = 7: 128. Total 138.
        // p1 row 1: 26 + (1 << 7) = 154.
        assert_eq!(bounds[1], vec![138, 154]);
    }

    #[test]
    fn an_array_in_place_of_an_object_says_what_the_object_looks_like() {
        let cases = [
            (
                r#"{"ticks": 3, "inputs": [[0, 0]], "populations": []}"#,
                "inputs[0]",
                "an entry of `inputs`",
                r#""spikes": [[tick, index], ...]"#,
            ),
            (
                r#"{"ticks": 3, "populations": [["p", 1]]}"#,
                "populations[0]",
                "an entry of `populations`",
                r#""neuron": {"vth": 100"#,
            ),
            (
                r#"{"ticks": 3, "populations": [{"name": "p", "size": 1, "neuron": [1, 2]}]}"#,
                "populations[0].neuron",
                "`neuron`",
                r#""bias_exp": 0"#,
            ),
            (
                r#"{"ticks": 3, "populations": [], "projections": [["a", "b"]]}"#,
                "projections[0]",
                "an entry of `projections`",
                r#""weights": [[...], ...]"#,
            ),
        ];
        for (text, path, what, shape) in cases {
            let err = Network::from_json_str(text, None).unwrap_err();
            assert_eq!(err.path, path, "{err}");
            assert!(err.reason.starts_with(what), "{err}");
            assert!(
                err.reason.contains(shape) && err.reason.ends_with("found an array"),
                "{err}"
            );
        }
        // Arrays where arrays belong are not affected: a bad spike pair is still named exactly.
        let err = Network::from_json_str(
            r#"{"ticks": 3, "inputs": [{"name": "in", "size": 1, "spikes": [[0, "x"]]}], "populations": []}"#,
            None,
        )
        .unwrap_err();
        assert_eq!(err.path, "inputs[0].spikes[0][1]", "{err}");
    }

    #[test]
    fn inputs_beyond_the_exact_range_are_rejected_by_name() {
        // A network this large (over 2^30 synapses into one neuron) cannot be built in a test,
        // so the check is driven with bounds; `huge_fan_in_stays_exact` in the golden model
        // checks a network that is computed.
        let limit = fixed::EXACT_INPUT_LIMIT;
        assert!(check_exact_input_range(&[vec![0, limit], vec![limit, 7]]).is_ok());
        let err = check_exact_input_range(&[vec![0, limit], vec![5, limit + 1]]).unwrap_err();
        assert_eq!(err.kind, NetworkErrorKind::Invalid);
        assert_eq!(err.path, "populations[1]");
        assert!(
            err.reason
                .starts_with("neuron 1 can receive a synaptic input of magnitude 17592186044417"),
            "{}",
            err.reason
        );
        // The largest term one projection row can contribute (2^20 weights of -128 at exp 7) is
        // 2^34, so 1024 such rows into one neuron are needed to pass the limit.
        let row = vec![-128; 1 << 20];
        let mut net = parse(SMALL).unwrap();
        net.inputs[0].size = 1 << 20;
        net.projections = vec![
            Projection {
                from: Source::Input(0),
                to: 0,
                weight_exp: 7,
                weights: vec![row],
                learning: None,
            };
            1
        ];
        assert_eq!(net.max_abs_synaptic_input()[0][0], 1 << 34);
    }

    #[test]
    fn a_file_that_is_not_an_object_or_has_huge_integers_is_named_so() {
        let err = Network::from_json_str("[1, 2]", None).unwrap_err();
        assert_eq!(err.kind, NetworkErrorKind::Schema);
        assert!(err.reason.contains("is a JSON object"), "{}", err.reason);
        assert!(err.reason.ends_with("found an array"), "{}", err.reason);
        let err = Network::from_json_str("  17", None).unwrap_err();
        assert!(err.reason.ends_with("found a number"), "{}", err.reason);
        let err = Network::from_json_str(
            r#"{"ticks": 99999999999999999999999, "populations": []}"#,
            None,
        )
        .unwrap_err();
        assert_eq!(err.path, "ticks");
        assert_eq!(
            err.reason,
            "integer 99999999999999999999999 is out of range (beyond 64 bits) at line 1 column 33"
        );
        let err = parse_edited("\"bias_exp\": 2", "\"bias_exp\": -123456789012345678901234");
        assert_eq!(err.path, "populations[0].neuron.bias_exp");
        assert!(
            err.reason
                .starts_with("integer -123456789012345678901234 is out of range"),
            "{}",
            err.reason
        );
        // A real float is still a type error.
        let err = parse_edited("\"bias_exp\": 2", "\"bias_exp\": 2.5");
        assert!(err.reason.contains("floating point"), "{}", err.reason);
    }

    #[test]
    fn out_of_range_weight_names_its_path() {
        let err = parse_edited("[1, 2, 3, 4, 5, 6, 7, 8]", "[1, 2, 300, 4, 5, 6, 7, 8]");
        assert_eq!(err.kind, NetworkErrorKind::Invalid);
        assert_eq!(err.path, "projections[0].weights[2][2]");
        assert_eq!(
            err.to_string(),
            "net.json: projections[0].weights[2][2]: 300 is out of range -128..=127"
        );
        let err = parse_edited("[0, 0, 0, 0, 0, 0, 0, 0]", "[0, 0, -129, 0, 0, 0, 0, 0]");
        assert_eq!(
            err.to_string(),
            "net.json: projections[0].weights[1][2]: -129 is out of range -128..=127"
        );
    }

    #[test]
    fn out_of_range_neuron_fields_name_their_path() {
        let err = parse_edited("\"dv\": [1, 2, 3, 4]", "\"dv\": [1, 2, 3, 5000]");
        assert_eq!(
            err.to_string(),
            "net.json: populations[0].neuron.dv[3]: 5000 is out of range 0..=4095"
        );
        let err = parse_edited("\"bias_exp\": 2", "\"bias_exp\": 8");
        assert_eq!(
            err.to_string(),
            "net.json: populations[0].neuron.bias_exp: 8 is out of range 0..=7"
        );
        let err = parse_edited("\"weight_exp\": 7", "\"weight_exp\": -9");
        assert_eq!(
            err.to_string(),
            "net.json: projections[2].weight_exp: -9 is out of range -8..=7"
        );
        let err = parse_edited("\"dv\": [1, 2, 3, 4]", "\"dv\": [1, 2, 3]");
        assert_eq!(err.path, "populations[0].neuron.dv");
        assert!(err.reason.contains("3 entries, expected 4"), "{err}");
    }

    #[test]
    fn unknown_key_is_rejected_with_its_path() {
        let err = parse_edited("\"vth\": 7", "\"vth\": 7, \"tau\": 3");
        assert_eq!(err.kind, NetworkErrorKind::Schema);
        assert!(err.path.starts_with("populations[1].neuron"), "{err}");
        assert!(err.reason.contains("unknown field `tau`"), "{err}");
        assert!(err.line.is_some(), "{err}");
        let err = parse_edited("\"ticks\": 64,", "\"ticks\": 64, \"seed\": 1,");
        assert!(err.reason.contains("unknown field `seed`"), "{err}");
    }

    #[test]
    fn type_errors_carry_a_path() {
        let err = parse_edited("\"dv\": [1, 2, 3, 4]", "\"dv\": [1, 2, \"x\", 4]");
        assert_eq!(err.kind, NetworkErrorKind::Schema);
        assert_eq!(err.path, "populations[0].neuron.dv[2]");
        let err = parse_edited("\"du\": 410", "\"du\": 4.5");
        assert_eq!(err.path, "populations[0].neuron.du");
        assert!(
            err.reason
                .contains("expected an integer or an array of integers"),
            "{err}"
        );
    }

    #[test]
    fn wrong_row_length_is_rejected() {
        let err = parse_edited("[1, 2, 3, 4], [5, 6, 7, 8]", "[1, 2, 3, 4], [5, 6, 7]");
        assert_eq!(err.path, "projections[1].weights[1]");
        assert_eq!(
            err.to_string(),
            "net.json: projections[1].weights[1]: has 3 columns, expected 4 \
             (one per neuron of population \"p0\")"
        );
        let err = parse_edited("[[0, -1], [1, 0]]", "[[0, -1]]");
        assert_eq!(err.path, "projections[2].weights");
        assert!(err.reason.contains("has 1 rows, expected 2"), "{err}");
    }

    #[test]
    fn unknown_and_duplicate_names_are_rejected() {
        let err = parse_edited("\"from\": \"p0\"", "\"from\": \"p9\"");
        assert_eq!(err.path, "projections[1].from");
        assert!(err.reason.contains("unknown name \"p9\""), "{err}");
        let err = parse_edited("\"to\": \"p1\"", "\"to\": \"in\"");
        assert_eq!(err.path, "projections[1].to");
        assert!(err.reason.contains("is an input"), "{err}");
        let err = parse_edited("\"name\": \"p1\"", "\"name\": \"in\"");
        assert_eq!(err.path, "populations[1].name");
        assert!(err.reason.contains("already used by inputs[0]"), "{err}");
        let err = parse_edited("\"name\": \"p1\"", "\"name\": \"a,b\"");
        assert_eq!(err.path, "populations[1].name");
    }

    #[test]
    fn missing_vth_is_an_error() {
        let err = parse_edited("{\"vth\": 7}", "{\"du\": 7}");
        assert_eq!(err.path, "populations[1].neuron");
        assert!(err.reason.contains("missing field `vth`"), "{err}");
    }

    #[test]
    fn spikes_and_sizes_are_checked() {
        let err = parse_edited("[0, 3]", "[0, 8]");
        assert_eq!(
            err.to_string(),
            "net.json: inputs[0].spikes[1][1]: 8 is out of range 0..=7"
        );
        let err = parse_edited("[0, 3]", "[-1, 3]");
        assert_eq!(err.path, "inputs[0].spikes[1][0]");
        let err = parse_edited("\"size\": 2", "\"size\": 0");
        assert_eq!(err.path, "populations[1].size");
        // Ticks beyond the run are allowed.
        let net = parse(&SMALL.replacen("[0, 3]", "[1000, 3]", 1)).unwrap();
        assert_eq!(net.inputs[0].spikes, vec![(2, 1), (1000, 3)]);
    }

    #[test]
    fn malformed_json_reports_line_and_column() {
        // Drop the comma after `"ticks": 64` (line 2).
        let err = parse_edited("\"ticks\": 64,", "\"ticks\": 64");
        assert_eq!(err.kind, NetworkErrorKind::Syntax);
        assert_eq!(err.line, Some(3));
        assert!(err.column.is_some());
        assert!(err.to_string().starts_with("net.json: "), "{err}");
        assert!(err.to_string().contains("at line 3 column"), "{err}");
        let err = parse("{\"ticks\": 1, \"populations\": []} x").unwrap_err();
        assert_eq!(err.kind, NetworkErrorKind::Syntax);
        assert!(err.reason.contains("trailing characters"), "{err}");
        let err = parse("{\"ticks\": 1, \"populations\": [").unwrap_err();
        assert_eq!(err.kind, NetworkErrorKind::Syntax);
    }

    #[test]
    fn missing_file_names_the_file() {
        let path = Path::new("/nonexistent/neurofab/net.json");
        let err = Network::load(path).unwrap_err();
        assert_eq!(err.kind, NetworkErrorKind::Io);
        assert_eq!(err.file.as_deref(), Some(path));
        let message = err.to_string();
        assert!(message.starts_with("/nonexistent/neurofab/net.json: cannot read file: "));
        assert!(message.contains("No such file"), "{message}");
    }
}
