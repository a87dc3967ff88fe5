//! The linear nodes of a NIR graph as sparse matrices over C-order (row-major) flattened
//! tensors: `y[row] = Σ value · x[col] + bias[row]`. A chain of them between two spiking
//! layers is composed into one dense projection by `map`; pools and Flatten thereby fold into
//! the next layer's weights.

use super::graph::{NirNode, NodeKind, Padding, Pair};
use super::ImportError;

/// `y = M x + b` with `M` given by its non-zero `(row, col, value)` entries.
#[derive(Clone, Debug, PartialEq)]
pub struct SparseOp {
    /// Output size.
    pub rows: usize,
    /// Input size.
    pub cols: usize,
    /// Non-zero entries; a `(row, col)` pair may repeat (the values add).
    pub entries: Vec<(usize, usize, f64)>,
    /// `rows` constants.
    pub bias: Vec<f64>,
}

impl SparseOp {
    fn identity(n: usize) -> SparseOp {
        SparseOp {
            rows: n,
            cols: n,
            entries: (0..n).map(|i| (i, i, 1.0)).collect(),
            bias: vec![0.0; n],
        }
    }
}

/// The operator of linear node `node` on an input of shape `in_shape`, and its output shape.
/// `None` if the node is not linear.
pub fn linear_op(
    node: &NirNode,
    in_shape: &[usize],
) -> Result<Option<(SparseOp, Vec<usize>)>, ImportError> {
    let size: usize = in_shape.iter().product();
    let err = |reason: String| ImportError::malformed(&node.name, &node.type_name, reason);
    Ok(Some(match &node.kind {
        NodeKind::Identity => (SparseOp::identity(size), in_shape.to_vec()),
        NodeKind::Flatten { start_dim, end_dim } => (
            SparseOp::identity(size),
            flatten_shape(in_shape, *start_dim, *end_dim).map_err(err)?,
        ),
        NodeKind::Affine { weight, .. } | NodeKind::Linear { weight } => {
            let [rows, cols] = weight.shape[..] else {
                return Err(err(format!(
                    "weight of shape {:?} is not a matrix",
                    weight.shape
                )));
            };
            if cols != size {
                return Err(err(format!(
                    "weight has {cols} columns but its input has {size} values (shape {in_shape:?})"
                )));
            }
            let bias = match &node.kind {
                NodeKind::Affine { bias, .. } if bias.len() == rows => bias.data.clone(),
                NodeKind::Affine { bias, .. } => {
                    return Err(err(format!(
                        "bias has {} values for {rows} rows",
                        bias.len()
                    )))
                }
                _ => vec![0.0; rows],
            };
            let entries = (0..rows)
                .flat_map(|r| (0..cols).map(move |c| (r, c)))
                .map(|(r, c)| (r, c, weight.data[r * cols + c]))
                .filter(|&(_, _, w)| w != 0.0)
                .collect();
            (
                SparseOp {
                    rows,
                    cols,
                    entries,
                    bias,
                },
                vec![rows],
            )
        }
        NodeKind::Scale { scale } => {
            if scale.len() != size && scale.len() != 1 {
                return Err(err(format!(
                    "scale has {} values for an input of {size}",
                    scale.len()
                )));
            }
            let at = |i: usize| scale.data[if scale.len() == 1 { 0 } else { i }];
            let entries = (0..size).map(|i| (i, i, at(i))).collect();
            (
                SparseOp {
                    rows: size,
                    cols: size,
                    entries,
                    bias: vec![0.0; size],
                },
                in_shape.to_vec(),
            )
        }
        NodeKind::Conv2d { .. } => conv2d(node, in_shape).map_err(err)?,
        NodeKind::SumPool2d {
            kernel,
            stride,
            padding,
        } => pool2d(in_shape, *kernel, *stride, *padding, 1.0).map_err(err)?,
        NodeKind::AvgPool2d {
            kernel,
            stride,
            padding,
        } => {
            let area = (kernel[0] * kernel[1]) as f64;
            pool2d(in_shape, *kernel, *stride, *padding, 1.0 / area).map_err(err)?
        }
        _ => return Ok(None),
    }))
}

/// PyTorch's `flatten(start_dim, end_dim)` on a shape (negative dims count from the end).
fn flatten_shape(shape: &[usize], start: i64, end: i64) -> Result<Vec<usize>, String> {
    let ndim = shape.len() as i64;
    let norm = |d: i64| if d < 0 { d + ndim } else { d };
    let (s, e) = (norm(start), norm(end));
    if ndim == 0 || s < 0 || e >= ndim || s > e {
        return Err(format!(
            "start_dim {start}, end_dim {end} do not fit an input of shape {shape:?}"
        ));
    }
    let (s, e) = (s as usize, e as usize);
    let mut out = shape[..s].to_vec();
    out.push(shape[s..=e].iter().product());
    out.extend_from_slice(&shape[e + 1..]);
    Ok(out)
}

/// `(C, H, W)` of a 2-D operation's input.
fn chw(in_shape: &[usize]) -> Result<[usize; 3], String> {
    match *in_shape {
        [c, h, w] => Ok([c, h, w]),
        _ => Err(format!(
            "input of shape {in_shape:?} is not (channels, height, width)"
        )),
    }
}

/// Output length of a window sweep: `(n + pad_total - dilation·(k - 1) - 1) / stride + 1`.
fn out_len(
    n: usize,
    pad_total: usize,
    k: usize,
    stride: usize,
    dilation: usize,
) -> Result<usize, String> {
    let span = dilation * (k - 1) + 1;
    if stride == 0 || k == 0 {
        return Err("kernel size and stride must be at least 1".into());
    }
    if n + pad_total < span {
        return Err(format!(
            "a window of {span} does not fit an input of {n} padded by {pad_total}"
        ));
    }
    Ok((n + pad_total - span) / stride + 1)
}

/// Conv2d unrolled: output `(co, oh, ow)` takes input `(ci, oh·s - pad + kh·d, ow·s - pad + kw·d)`
/// for every `ci` of its group (`co / (C_out / groups)`), out-of-range positions being the
/// zero padding.
fn conv2d(node: &NirNode, in_shape: &[usize]) -> Result<(SparseOp, Vec<usize>), String> {
    let NodeKind::Conv2d {
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        input_shape,
    } = &node.kind
    else {
        unreachable!("conv2d is called on Conv2d nodes only");
    };
    let [c_in, h, w] = chw(in_shape)?;
    let [c_out, c_per_group, kh, kw] = weight.shape[..] else {
        return Err(format!(
            "weight of shape {:?} is not (C_out, C_in/groups, kH, kW)",
            weight.shape
        ));
    };
    if *groups == 0 || c_in % groups != 0 || c_out % groups != 0 || c_in / groups != c_per_group {
        return Err(format!(
            "weight {:?} with groups {groups} does not fit {c_in} input channels",
            weight.shape
        ));
    }
    if let Some(shape) = input_shape {
        if *shape != [h, w] {
            return Err(format!("input_shape {shape:?} but the input is {h}x{w}"));
        }
    }
    if bias.len() != c_out && !bias.is_empty() {
        return Err(format!(
            "bias has {} values for {c_out} output channels",
            bias.len()
        ));
    }
    if dilation.contains(&0) {
        return Err("dilation must be at least 1".into());
    }
    // (before, total) padding per axis; 'same' puts the odd extra pixel after (PyTorch).
    let pads: [(usize, usize); 2] = match padding {
        Padding::Explicit(p) => [(p[0], 2 * p[0]), (p[1], 2 * p[1])],
        Padding::Same => {
            if *stride != [1, 1] {
                return Err("padding 'same' needs stride 1".into());
            }
            let total = |axis: usize, k: usize| dilation[axis] * (k - 1);
            [
                (total(0, kh) / 2, total(0, kh)),
                (total(1, kw) / 2, total(1, kw)),
            ]
        }
    };
    let oh_n = out_len(h, pads[0].1, kh, stride[0], dilation[0])?;
    let ow_n = out_len(w, pads[1].1, kw, stride[1], dilation[1])?;
    let co_per_group = c_out / groups;
    let mut entries = Vec::new();
    for co in 0..c_out {
        let group = co / co_per_group;
        for oh in 0..oh_n {
            for ow in 0..ow_n {
                let row = (co * oh_n + oh) * ow_n + ow;
                for cg in 0..c_per_group {
                    let ci = group * c_per_group + cg;
                    for (a, b) in (0..kh).flat_map(|a| (0..kw).map(move |b| (a, b))) {
                        let ih = (oh * stride[0] + a * dilation[0]).checked_sub(pads[0].0);
                        let iw = (ow * stride[1] + b * dilation[1]).checked_sub(pads[1].0);
                        let (Some(ih), Some(iw)) = (ih, iw) else {
                            continue;
                        };
                        if ih >= h || iw >= w {
                            continue;
                        }
                        let value = weight.data[((co * c_per_group + cg) * kh + a) * kw + b];
                        if value != 0.0 {
                            entries.push((row, (ci * h + ih) * w + iw, value));
                        }
                    }
                }
            }
        }
    }
    let rows = c_out * oh_n * ow_n;
    let per_row = |r: usize| {
        if bias.is_empty() {
            0.0
        } else {
            bias.data[r / (oh_n * ow_n)]
        }
    };
    let op = SparseOp {
        rows,
        cols: c_in * h * w,
        entries,
        bias: (0..rows).map(per_row).collect(),
    };
    Ok((op, vec![c_out, oh_n, ow_n]))
}

/// A pool as a convolution with one `value` per window position, channel by channel.
fn pool2d(
    in_shape: &[usize],
    kernel: Pair,
    stride: Pair,
    padding: Pair,
    value: f64,
) -> Result<(SparseOp, Vec<usize>), String> {
    let [c, h, w] = chw(in_shape)?;
    let oh_n = out_len(h, 2 * padding[0], kernel[0], stride[0], 1)?;
    let ow_n = out_len(w, 2 * padding[1], kernel[1], stride[1], 1)?;
    let mut entries = Vec::new();
    for ch in 0..c {
        for oh in 0..oh_n {
            for ow in 0..ow_n {
                let row = (ch * oh_n + oh) * ow_n + ow;
                for a in 0..kernel[0] {
                    for b in 0..kernel[1] {
                        let ih = (oh * stride[0] + a).checked_sub(padding[0]);
                        let iw = (ow * stride[1] + b).checked_sub(padding[1]);
                        if let (Some(ih), Some(iw)) = (ih, iw) {
                            if ih < h && iw < w {
                                entries.push((row, (ch * h + ih) * w + iw, value));
                            }
                        }
                    }
                }
            }
        }
    }
    let rows = c * oh_n * ow_n;
    Ok((
        SparseOp {
            rows,
            cols: c * h * w,
            entries,
            bias: vec![0.0; rows],
        },
        vec![c, oh_n, ow_n],
    ))
}
