//! A float reference simulation of a NIR graph, written for the tests independently of the
//! importer's mapping code (it shares only the file reader): NIR's ODEs discretised with
//! forward Euler at `dt`, linear nodes evaluated directly (a direct convolution, direct
//! pools), and one tick from a spike to the neuron nodes it reaches, as on the core.

use std::collections::HashMap;

use neurofab::import::graph::{NirGraph, NodeKind, Padding, Tensor};

/// Values with their shape.
#[derive(Clone, Debug)]
pub struct Value {
    pub shape: Vec<usize>,
    pub data: Vec<f64>,
}

/// Direct 2-D convolution of `x` (C, H, W), PyTorch semantics.
#[allow(clippy::too_many_arguments)]
pub fn direct_conv2d(
    x: &Value,
    weight: &Tensor,
    bias: &Tensor,
    stride: [usize; 2],
    padding: Padding,
    dilation: [usize; 2],
    groups: usize,
) -> Value {
    let (c_in, h, w) = (x.shape[0], x.shape[1], x.shape[2]);
    let (c_out, cpg, kh, kw) = (
        weight.shape[0],
        weight.shape[1],
        weight.shape[2],
        weight.shape[3],
    );
    assert_eq!(cpg * groups, c_in);
    let (pad_h, pad_w, extra_h, extra_w) = match padding {
        Padding::Explicit([ph, pw]) => (ph, pw, ph, pw),
        Padding::Same => {
            let th = dilation[0] * (kh - 1);
            let tw = dilation[1] * (kw - 1);
            (th / 2, tw / 2, th - th / 2, tw - tw / 2)
        }
    };
    let oh_n = (h + pad_h + extra_h - dilation[0] * (kh - 1) - 1) / stride[0] + 1;
    let ow_n = (w + pad_w + extra_w - dilation[1] * (kw - 1) - 1) / stride[1] + 1;
    let mut out = vec![0.0; c_out * oh_n * ow_n];
    let opg = c_out / groups;
    for co in 0..c_out {
        for oh in 0..oh_n {
            for ow in 0..ow_n {
                let mut acc = if bias.data.is_empty() {
                    0.0
                } else {
                    bias.data[co]
                };
                for g in 0..cpg {
                    let ci = (co / opg) * cpg + g;
                    for a in 0..kh {
                        for b in 0..kw {
                            let ih = (oh * stride[0] + a * dilation[0]) as i64 - pad_h as i64;
                            let iw = (ow * stride[1] + b * dilation[1]) as i64 - pad_w as i64;
                            if ih < 0 || iw < 0 || ih >= h as i64 || iw >= w as i64 {
                                continue;
                            }
                            let xv = x.data[(ci * h + ih as usize) * w + iw as usize];
                            acc += xv * weight.data[((co * cpg + g) * kh + a) * kw + b];
                        }
                    }
                }
                out[(co * oh_n + oh) * ow_n + ow] = acc;
            }
        }
    }
    Value {
        shape: vec![c_out, oh_n, ow_n],
        data: out,
    }
}

/// Direct pooling: the sum (or, with `average`, the mean over the full window) of each window.
pub fn direct_pool2d(
    x: &Value,
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
    average: bool,
) -> Value {
    let (c, h, w) = (x.shape[0], x.shape[1], x.shape[2]);
    let oh_n = (h + 2 * padding[0] - kernel[0]) / stride[0] + 1;
    let ow_n = (w + 2 * padding[1] - kernel[1]) / stride[1] + 1;
    let mut out = vec![];
    for ch in 0..c {
        for oh in 0..oh_n {
            for ow in 0..ow_n {
                let mut acc = 0.0;
                for a in 0..kernel[0] {
                    for b in 0..kernel[1] {
                        let ih = (oh * stride[0] + a) as i64 - padding[0] as i64;
                        let iw = (ow * stride[1] + b) as i64 - padding[1] as i64;
                        if ih >= 0 && iw >= 0 && (ih as usize) < h && (iw as usize) < w {
                            acc += x.data[(ch * h + ih as usize) * w + iw as usize];
                        }
                    }
                }
                out.push(if average {
                    acc / (kernel[0] * kernel[1]) as f64
                } else {
                    acc
                });
            }
        }
    }
    Value {
        shape: vec![c, oh_n, ow_n],
        data: out,
    }
}

fn matvec(weight: &Tensor, x: &[f64]) -> Vec<f64> {
    let cols = weight.shape[1];
    weight
        .data
        .chunks(cols)
        .map(|row| row.iter().zip(x).map(|(w, v)| w * v).sum())
        .collect()
}

struct NeuronState {
    i: Vec<f64>,
    v: Vec<f64>,
}

/// The float simulation.
pub struct FloatSim<'g> {
    graph: &'g NirGraph,
    dt: f64,
    /// Last tick's spikes of every Input and neuron node.
    previous: HashMap<usize, Value>,
    neurons: HashMap<usize, NeuronState>,
}

impl<'g> FloatSim<'g> {
    pub fn new(graph: &'g NirGraph, dt: f64) -> Self {
        let mut previous = HashMap::new();
        let mut neurons = HashMap::new();
        for (n, node) in graph.nodes.iter().enumerate() {
            let shape = match &node.kind {
                NodeKind::Input { shape } => shape.clone(),
                NodeKind::CubaLif(p) | NodeKind::Lif(p) | NodeKind::If(p) => {
                    let size = p.v_threshold.len();
                    neurons.insert(
                        n,
                        NeuronState {
                            i: vec![0.0; size],
                            v: vec![0.0; size],
                        },
                    );
                    p.v_threshold.shape.clone()
                }
                _ => continue,
            };
            let size = shape.iter().product();
            previous.insert(
                n,
                Value {
                    shape,
                    data: vec![0.0; size],
                },
            );
        }
        FloatSim {
            graph,
            dt,
            previous,
            neurons,
        }
    }

    /// What node `n` outputs this tick (sources: their spikes of the previous tick).
    fn eval(&self, n: usize, memo: &mut HashMap<usize, Value>) -> Value {
        if let Some(v) = self.previous.get(&n) {
            return v.clone();
        }
        if let Some(v) = memo.get(&n) {
            return v.clone();
        }
        let x = self.input(n, memo);
        let y = match &self.graph.nodes[n].kind {
            NodeKind::Identity | NodeKind::Output { .. } => x,
            NodeKind::Flatten { .. } => Value {
                shape: vec![x.data.len()],
                data: x.data,
            },
            NodeKind::Affine { weight, bias } => {
                let mut y = matvec(weight, &x.data);
                y.iter_mut().zip(&bias.data).for_each(|(a, b)| *a += b);
                Value {
                    shape: vec![y.len()],
                    data: y,
                }
            }
            NodeKind::Linear { weight } => {
                let y = matvec(weight, &x.data);
                Value {
                    shape: vec![y.len()],
                    data: y,
                }
            }
            NodeKind::Scale { scale } => Value {
                shape: x.shape.clone(),
                data: x.data.iter().zip(&scale.data).map(|(a, s)| a * s).collect(),
            },
            NodeKind::Conv2d {
                weight,
                bias,
                stride,
                padding,
                dilation,
                groups,
                ..
            } => direct_conv2d(&x, weight, bias, *stride, *padding, *dilation, *groups),
            NodeKind::SumPool2d {
                kernel,
                stride,
                padding,
            } => direct_pool2d(&x, *kernel, *stride, *padding, false),
            NodeKind::AvgPool2d {
                kernel,
                stride,
                padding,
            } => direct_pool2d(&x, *kernel, *stride, *padding, true),
            other => panic!("the reference has no rule for {other:?}"),
        };
        memo.insert(n, y.clone());
        y
    }

    /// Sum of the predecessors' outputs.
    fn input(&self, n: usize, memo: &mut HashMap<usize, Value>) -> Value {
        let mut sum: Option<Value> = None;
        for p in self.graph.predecessors(n) {
            let v = self.eval(p, memo);
            match &mut sum {
                None => sum = Some(v),
                Some(s) => s.data.iter_mut().zip(&v.data).for_each(|(a, b)| *a += b),
            }
        }
        sum.expect("every evaluated node has an input")
    }

    /// One tick: `inputs` are this tick's spikes of each Input node (by node index); returns
    /// the spikes of each neuron node.
    pub fn step(&mut self, inputs: &HashMap<usize, Vec<f64>>) -> HashMap<usize, Vec<bool>> {
        let mut memo = HashMap::new();
        let mut spikes = HashMap::new();
        let neuron_nodes: Vec<usize> = self.neurons.keys().copied().collect();
        let drive: Vec<(usize, Vec<f64>)> = neuron_nodes
            .iter()
            .map(|&n| {
                let size = self.neurons[&n].v.len();
                let s = if self.graph.predecessors(n).is_empty() {
                    vec![0.0; size]
                } else {
                    self.input(n, &mut memo).data
                };
                (n, s)
            })
            .collect();
        let dt = self.dt;
        for (n, s) in drive {
            let kind = &self.graph.nodes[n].kind;
            let state = self.neurons.get_mut(&n).unwrap();
            let mut out = vec![false; s.len()];
            for k in 0..s.len() {
                let v = match kind {
                    NodeKind::CubaLif(p) => {
                        let (ts, tm) = (p.tau_syn.data[k], p.tau_mem.data[k]);
                        state.i[k] += dt / ts * (-state.i[k] + p.w_in.data[k] * s[k]);
                        state.v[k]
                            + dt / tm * (p.v_leak.data[k] - state.v[k] + p.r.data[k] * state.i[k])
                    }
                    NodeKind::Lif(p) => {
                        let tm = p.tau_mem.data[k];
                        state.v[k] + dt / tm * (p.v_leak.data[k] - state.v[k] + p.r.data[k] * s[k])
                    }
                    NodeKind::If(p) => state.v[k] + dt * p.r.data[k] * s[k],
                    _ => unreachable!(),
                };
                let p = match kind {
                    NodeKind::CubaLif(p) | NodeKind::Lif(p) | NodeKind::If(p) => p,
                    _ => unreachable!(),
                };
                out[k] = v > p.v_threshold.data[k];
                state.v[k] = if out[k] { p.v_reset.data[k] } else { v };
            }
            spikes.insert(n, out);
        }
        for (n, out) in &spikes {
            let prev = self.previous.get_mut(n).unwrap();
            prev.data = out.iter().map(|&b| f64::from(u8::from(b))).collect();
        }
        for (n, x) in inputs {
            self.previous.get_mut(n).unwrap().data = x.clone();
        }
        // Inputs without spikes this tick are silent.
        for (n, node) in self.graph.nodes.iter().enumerate() {
            if matches!(node.kind, NodeKind::Input { .. }) && !inputs.contains_key(&n) {
                self.previous
                    .get_mut(&n)
                    .unwrap()
                    .data
                    .iter_mut()
                    .for_each(|x| *x = 0.0);
            }
        }
        spikes
    }
}
