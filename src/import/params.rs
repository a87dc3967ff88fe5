//! One NIR node's parameters, read from its HDF5 group with errors that name the node, its
//! type and the parameter.

use hdf5_pure::{DType, Group};

use super::graph::{NeuronParams, NodeKind, Padding, Pair, Tensor};
use super::read::{read_strings, ReadError, MAX_PARAM_ELEMENTS};
use super::ImportError;

/// Reads one (non-graph) node's parameters.
pub(super) fn read_node(group: &Group, node: &str, type_name: &str) -> Result<NodeKind, ReadError> {
    let p = Params {
        group,
        node,
        kind: type_name,
    };
    Ok(match type_name {
        "Input" => NodeKind::Input {
            shape: p.shape("shape")?,
        },
        "Output" => NodeKind::Output {
            shape: p.shape("shape")?,
        },
        "Affine" => NodeKind::Affine {
            weight: p.tensor("weight")?,
            bias: p.tensor("bias")?,
        },
        "Linear" => NodeKind::Linear {
            weight: p.tensor("weight")?,
        },
        "Scale" => NodeKind::Scale {
            scale: p.tensor("scale")?,
        },
        "Conv2d" => NodeKind::Conv2d {
            weight: p.tensor("weight")?,
            bias: p.tensor("bias")?,
            stride: p.pair("stride")?,
            padding: p.padding()?,
            dilation: p.pair("dilation")?,
            groups: p.integer("groups")?,
            input_shape: match p.optional_tensor("input_shape")? {
                Some(_) => Some(p.pair("input_shape")?),
                None => None,
            },
        },
        "SumPool2d" | "AvgPool2d" => {
            let (kernel, stride, padding) = (
                p.pair("kernel_size")?,
                p.pair("stride")?,
                p.pair("padding")?,
            );
            if type_name == "SumPool2d" {
                NodeKind::SumPool2d {
                    kernel,
                    stride,
                    padding,
                }
            } else {
                NodeKind::AvgPool2d {
                    kernel,
                    stride,
                    padding,
                }
            }
        }
        "Flatten" => NodeKind::Flatten {
            start_dim: p.signed("start_dim")?,
            end_dim: p.signed("end_dim")?,
        },
        "CubaLIF" => NodeKind::CubaLif(p.neuron(&["tau_syn", "tau_mem", "r", "v_leak", "w_in"])?),
        "LIF" => NodeKind::Lif(p.neuron(&["tau", "r", "v_leak"])?),
        "IF" => NodeKind::If(p.neuron(&["r"])?),
        _ => NodeKind::Unsupported {
            reason: unsupported_reason(type_name).to_string(),
        },
    })
}

fn unsupported_reason(type_name: &str) -> &'static str {
    match type_name {
        "Delay" => "the core delivers every spike in the next tick; it has no axonal delays",
        "LI" | "CubaLI" | "I" => {
            "a non-spiking integrator: the core's neurons output spikes only, not potentials"
        }
        "Threshold" => "a stateless threshold has no CUBA-LIF counterpart",
        "Conv1d" => "only 2-D convolutions (Conv2d) are mapped; a Conv1d is not supported",
        _ => "unknown NIR node type",
    }
}

/// Whether a dataset of this type holds numbers (read as `f64`).
pub(super) fn is_numeric(dtype: &DType) -> bool {
    matches!(
        dtype,
        DType::F32
            | DType::F64
            | DType::I8
            | DType::I16
            | DType::I32
            | DType::I64
            | DType::U8
            | DType::U16
            | DType::U32
            | DType::U64
    )
}

/// Typed access to one node's parameter datasets, with errors naming the node.
struct Params<'a> {
    group: &'a Group,
    node: &'a str,
    kind: &'a str,
}

impl Params<'_> {
    fn err(&self, reason: String) -> ReadError {
        ImportError::malformed(self.node, self.kind, reason).into()
    }

    fn optional_tensor(&self, field: &str) -> Result<Option<Tensor>, ReadError> {
        let Ok(ds) = self.group.dataset(field) else {
            return Ok(None);
        };
        let dtype = ds.dtype()?;
        if !is_numeric(&dtype) {
            return Err(self.err(format!(
                "parameter '{field}' should be numeric, found {dtype}"
            )));
        }
        let shape: Vec<usize> = ds.shape()?.iter().map(|&d| d as usize).collect();
        let elements = ds
            .shape()?
            .iter()
            .try_fold(1u64, |acc, &d| acc.checked_mul(d));
        if elements.is_none_or(|n| n > MAX_PARAM_ELEMENTS) {
            return Err(self.err(format!(
                "parameter '{field}' of shape {shape:?} is too large"
            )));
        }
        let data = ds.read_f64()?;
        if data.len() != shape.iter().product::<usize>() {
            return Err(self.err(format!(
                "parameter '{field}' holds {} values for shape {shape:?}",
                data.len()
            )));
        }
        if let Some(bad) = data.iter().find(|v| !v.is_finite()) {
            return Err(self.err(format!("parameter '{field}' holds {bad}")));
        }
        Ok(Some(Tensor::new(shape, data)))
    }

    fn tensor(&self, field: &str) -> Result<Tensor, ReadError> {
        self.optional_tensor(field)?
            .ok_or_else(|| self.err(format!("missing parameter '{field}'")))
    }

    fn integers(&self, field: &str) -> Result<Vec<i64>, ReadError> {
        let t = self.tensor(field)?;
        t.data
            .iter()
            .map(|&v| {
                if v.fract() == 0.0 && v.abs() < 1e9 {
                    Ok(v as i64)
                } else {
                    Err(self.err(format!(
                        "parameter '{field}' should hold integers, found {v}"
                    )))
                }
            })
            .collect()
    }

    fn signed(&self, field: &str) -> Result<i64, ReadError> {
        match self.integers(field)?.as_slice() {
            [v] => Ok(*v),
            other => Err(self.err(format!(
                "parameter '{field}' should be one integer, found {other:?}"
            ))),
        }
    }

    fn integer(&self, field: &str) -> Result<usize, ReadError> {
        let v = self.signed(field)?;
        usize::try_from(v).map_err(|_| self.err(format!("parameter '{field}' is negative ({v})")))
    }

    /// A `(height, width)` pair; one value stands for both.
    fn pair(&self, field: &str) -> Result<Pair, ReadError> {
        let values = self.integers(field)?;
        let pair = match values.as_slice() {
            [v] => [*v, *v],
            [h, w] => [*h, *w],
            other => {
                return Err(self.err(format!(
                    "parameter '{field}' should be 1 or 2 integers, found {other:?}"
                )))
            }
        };
        if pair.iter().any(|&v| v < 0) {
            return Err(self.err(format!("parameter '{field}' is negative ({pair:?})")));
        }
        Ok([pair[0] as usize, pair[1] as usize])
    }

    fn padding(&self) -> Result<Padding, ReadError> {
        let ds = self
            .group
            .dataset("padding")
            .map_err(|_| self.err("missing parameter 'padding'".into()))?;
        if matches!(ds.dtype()?, DType::String | DType::VariableLengthString) {
            return match read_strings(&ds, self.node, self.kind, "padding")?
                .first()
                .map(String::as_str)
            {
                Some("valid") => Ok(Padding::Explicit([0, 0])),
                Some("same") => Ok(Padding::Same),
                other => Err(self.err(format!(
                    "padding {other:?} is not 'same', 'valid' or integers"
                ))),
            };
        }
        Ok(Padding::Explicit(self.pair("padding")?))
    }

    fn shape(&self, field: &str) -> Result<Vec<usize>, ReadError> {
        let values = self.integers(field)?;
        if values.is_empty() || values.iter().any(|&v| v <= 0) {
            return Err(self.err(format!(
                "'{field}' should be positive integers, found {values:?}"
            )));
        }
        Ok(values.into_iter().map(|v| v as usize).collect())
    }

    /// Neuron parameters: the named ones are required (`tau` is stored as `tau_mem`);
    /// `v_threshold` always, `v_reset` defaults to 0 and `w_in` to 1 (as `nir` does). A
    /// one-element parameter is broadcast to the neuron shape (`v_threshold`'s).
    fn neuron(&self, required: &[&str]) -> Result<NeuronParams, ReadError> {
        let v_threshold = self.tensor("v_threshold")?;
        let shape = v_threshold.shape.clone();
        let n = v_threshold.len();
        let fit = |field: &str, t: Tensor| -> Result<Tensor, ReadError> {
            if t.len() == n {
                Ok(Tensor::new(shape.clone(), t.data))
            } else if t.len() == 1 {
                Ok(Tensor::new(shape.clone(), vec![t.data[0]; n]))
            } else {
                Err(self.err(format!(
                    "parameter '{field}' has shape {:?}, v_threshold {shape:?}",
                    t.shape
                )))
            }
        };
        let get = |field: &str, default: f64| -> Result<Tensor, ReadError> {
            match self.optional_tensor(field)? {
                Some(t) => fit(field, t),
                None if required.contains(&field) => {
                    Err(self.err(format!("missing parameter '{field}'")))
                }
                None => Ok(Tensor::new(shape.clone(), vec![default; n])),
            }
        };
        let empty = Tensor::new(vec![0], vec![]);
        let tau_mem = if required.contains(&"tau") {
            get("tau", 0.0)?
        } else {
            get("tau_mem", 0.0)?
        };
        Ok(NeuronParams {
            tau_syn: if required.contains(&"tau_syn") {
                get("tau_syn", 0.0)?
            } else {
                empty.clone()
            },
            tau_mem: if required.contains(&"tau") || required.contains(&"tau_mem") {
                tau_mem
            } else {
                empty.clone()
            },
            r: get("r", 1.0)?,
            v_leak: if required.contains(&"v_leak") {
                get("v_leak", 0.0)?
            } else {
                empty.clone()
            },
            v_reset: get("v_reset", 0.0)?,
            w_in: if required.contains(&"w_in") {
                get("w_in", 1.0)?
            } else {
                empty
            },
            v_threshold,
        })
    }
}
