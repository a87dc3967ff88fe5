#!/usr/bin/env python3
"""Write the NIR test fixtures of tests/data/nir/ with Python `nir` 1.0's own API and writer.

    python3 -m venv .tools/nir-venv && .tools/nir-venv/bin/pip install "nir==1.0.*" numpy h5py
    .tools/nir-venv/bin/python tools/nir_fixtures.py tests/data/nir

Every file is written by `nir.write` (HDF5 through h5py: gzip-compressed chunked datasets,
variable-length string datasets for `type` and `version`, one group per node, nested groups
for subgraphs). Random values come from a fixed seed, so rerunning reproduces the same
numbers (HDF5 bytes may still differ between h5py versions: the tests read the files, not
their bytes).

The CubaLIF and LIF nodes follow snnTorch's exporter (snntorch/export_nir.py): it writes
`tau = dt / (1 - beta)`, `r = tau_mem / dt` and `w_in = tau_syn / dt`, so that NIR's equations,
discretised with forward Euler at the exporter's `dt`, are snnTorch's
`syn = alpha*syn + x; mem = beta*mem + syn`. DT below is the `dt` the tests import with.
"""
import sys
from pathlib import Path

import h5py
import nir
import numpy as np

DT = 1e-3
rng = np.random.default_rng(20261130)


def snntorch_cuba(alpha, beta, threshold, n):
    """A CubaLIF the way snnTorch's Synaptic is exported (snntorch/export_nir.py)."""
    tau_syn = np.full(n, DT / (1.0 - alpha))
    tau_mem = np.full(n, DT / (1.0 - beta))
    return nir.CubaLIF(
        tau_syn=tau_syn,
        tau_mem=tau_mem,
        r=tau_mem / DT,
        v_leak=np.zeros(n),
        v_threshold=np.full(n, threshold),
        w_in=tau_syn / DT,
    )


def snntorch_lif(beta, threshold, shape):
    """A LIF the way snnTorch's Leaky is exported: tau = dt/(1-beta), r = tau/dt."""
    tau = np.full(shape, DT / (1.0 - beta))
    return nir.LIF(
        tau=tau,
        r=tau / DT,
        v_leak=np.zeros(shape),
        v_threshold=np.full(shape, threshold),
    )


def cuba_chain():
    """Input(6) -> Affine -> CubaLIF(8) -> Linear -> CubaLIF(4) -> Output."""
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([6])),
            "fc1": nir.Affine(
                weight=rng.uniform(-0.3, 0.9, (8, 6)), bias=np.zeros(8)
            ),
            "lif1": snntorch_cuba(alpha=0.5, beta=0.875, threshold=1.0, n=8),
            "fc2": nir.Linear(weight=rng.uniform(-0.5, 1.2, (4, 8))),
            "lif2": snntorch_cuba(alpha=0.75, beta=0.9375, threshold=1.5, n=4),
            "output": nir.Output(output_type=np.array([4])),
        },
        edges=[
            ("input", "fc1"),
            ("fc1", "lif1"),
            ("lif1", "fc2"),
            ("fc2", "lif2"),
            ("lif2", "output"),
        ],
    )


def lif_if_scale():
    """Input(5) -> Affine (with bias) -> LIF (v_leak, per-neuron tau) -> Scale -> Linear -> IF."""
    n = 7
    tau = rng.uniform(4e-3, 20e-3, n)
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([5])),
            "fc1": nir.Affine(
                weight=rng.uniform(-0.5, 1.5, (n, 5)), bias=rng.uniform(0.0, 0.2, n)
            ),
            "lif": nir.LIF(
                tau=tau,
                r=np.full(n, 2.0),
                v_leak=np.full(n, 0.1),
                v_threshold=rng.uniform(0.5, 1.0, n),
            ),
            "scale": nir.Scale(scale=rng.uniform(0.5, 2.0, n)),
            "fc2": nir.Linear(weight=rng.uniform(-0.2, 0.8, (3, n))),
            "if": nir.IF(r=np.full(3, 100.0), v_threshold=np.full(3, 0.5)),
            "output": nir.Output(output_type=np.array([3])),
        },
        edges=[
            ("input", "fc1"),
            ("fc1", "lif"),
            ("lif", "scale"),
            ("scale", "fc2"),
            ("fc2", "if"),
            ("if", "output"),
        ],
    )


def conv_net():
    """Input(2,6,6) -> Conv2d(stride 1, pad 1) -> LIF -> SumPool2d(2) -> Conv2d(groups 2,
    dilation 2, stride 2, pad (1,2)) -> IF -> AvgPool2d(2, stride 1) -> Flatten -> Affine ->
    CubaLIF -> Output. snnTorch convention for the LIF and CubaLIF."""
    c1 = nir.Conv2d(
        input_shape=(6, 6),
        weight=rng.uniform(-0.4, 1.0, (4, 2, 3, 3)),
        stride=1,
        padding=1,
        dilation=1,
        groups=1,
        bias=rng.uniform(-0.05, 0.05, 4),
    )
    # after c1: (4,6,6); SumPool2d 2x2 stride 2 -> (4,3,3)
    # input_shape=None: nir 1.0 derives a Conv2d's input channels from weight.shape[1], which is
    # C_in / groups, so a grouped conv with a given input_shape fails nir's own type check.
    c2 = nir.Conv2d(
        input_shape=None,
        weight=rng.uniform(-0.5, 1.0, (4, 2, 2, 2)),
        stride=(2, 1),
        padding=(1, 2),
        dilation=(2, 2),
        groups=2,
        bias=np.zeros(4),
    )
    # c2: H' = (3 + 2 - 2*(2-1) - 1)//2 + 1 = 2, W' = (3 + 4 - 2 - 1)//1 + 1 = 5 -> (4,2,5)
    # AvgPool2d 2x2 stride 1 -> (4,1,4) -> Flatten -> 16
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([2, 6, 6])),
            "conv1": c1,
            "lif1": snntorch_lif(beta=0.75, threshold=1.0, shape=(4, 6, 6)),
            "pool1": nir.SumPool2d(
                kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0])
            ),
            "conv2": c2,
            "if2": nir.IF(r=np.full((4, 2, 5), 1000.0), v_threshold=np.full((4, 2, 5), 1.0)),
            "pool2": nir.AvgPool2d(
                kernel_size=np.array([2, 2]), stride=np.array([1, 1]), padding=np.array([0, 0])
            ),
            "flat": nir.Flatten(input_type={"input": np.array([4, 1, 4])}, start_dim=0, end_dim=-1),
            "fc": nir.Affine(weight=rng.uniform(-0.3, 1.0, (5, 16)), bias=np.zeros(5)),
            "out_lif": snntorch_cuba(alpha=0.5, beta=0.75, threshold=1.0, n=5),
            "output": nir.Output(output_type=np.array([5])),
        },
        edges=[
            ("input", "conv1"),
            ("conv1", "lif1"),
            ("lif1", "pool1"),
            ("pool1", "conv2"),
            ("conv2", "if2"),
            ("if2", "pool2"),
            ("pool2", "flat"),
            ("flat", "fc"),
            ("fc", "out_lif"),
            ("out_lif", "output"),
        ],
    )


def nested_recurrent():
    """Input(4) -> Affine -> rsyn (a subgraph shaped like snnTorch's RSynaptic export: input ->
    lif, lif -> w_rec -> lif, lif -> output) -> Linear -> CubaLIF -> Output."""
    n = 6
    cuba = snntorch_cuba(alpha=0.5, beta=0.875, threshold=1.0, n=n)
    sub = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([n])),
            "lif": cuba,
            "w_rec": nir.Linear(weight=rng.uniform(-0.6, 0.4, (n, n))),
            "output": nir.Output(output_type=np.array([n])),
        },
        edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
    )
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([4])),
            "fc_in": nir.Affine(weight=rng.uniform(-0.2, 1.0, (n, 4)), bias=np.zeros(n)),
            "rsyn": sub,
            "fc_out": nir.Linear(weight=rng.uniform(-0.3, 1.0, (3, n))),
            "lif_out": snntorch_cuba(alpha=0.75, beta=0.875, threshold=1.0, n=3),
            "output": nir.Output(output_type=np.array([3])),
        },
        edges=[
            ("input", "fc_in"),
            ("fc_in", "rsyn"),
            ("rsyn", "fc_out"),
            ("fc_out", "lif_out"),
            ("lif_out", "output"),
        ],
    )


def cuba_exact():
    """One CubaLIF layer whose parameters are exact on the core: dt/tau_syn = 1/2 (du = 2047),
    dt/tau_mem = 1/8 (dv = 512), weights multiples of 1/16, threshold 1."""
    n = 5
    tau_syn = np.full(n, 2 * DT)
    tau_mem = np.full(n, 8 * DT)
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([3])),
            "fc": nir.Linear(weight=rng.integers(-4, 13, (n, 3)) / 16.0),
            "lif": nir.CubaLIF(
                tau_syn=tau_syn,
                tau_mem=tau_mem,
                r=tau_mem / DT,
                v_leak=np.zeros(n),
                v_threshold=np.ones(n),
                w_in=tau_syn / DT,
            ),
            "output": nir.Output(output_type=np.array([n])),
        },
        edges=[("input", "fc"), ("fc", "lif"), ("lif", "output")],
    )


def unsupported_li():
    """A non-spiking leaky-integrator readout (LI): the core has no way to output it."""
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([3])),
            "fc": nir.Linear(weight=rng.uniform(0, 1, (2, 3))),
            "readout": nir.LI(tau=np.full(2, 5e-3), r=np.ones(2), v_leak=np.zeros(2)),
            "output": nir.Output(output_type=np.array([2])),
        },
        edges=[("input", "fc"), ("fc", "readout"), ("readout", "output")],
    )


def reset_nonzero():
    """A CubaLIF resetting to 0.25: the core resets to 0 only."""
    g = cuba_exact()
    lif = g.nodes["lif"]
    lif.v_reset = np.full(lif.v_threshold.shape, 0.25)
    return g


def delay():
    """A Delay node between input and a LIF: the core has no axonal delays."""
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([3])),
            "delay": nir.Delay(delay=np.full(3, 2e-3)),
            "fc": nir.Linear(weight=np.eye(3)),
            "lif": snntorch_lif(beta=0.5, threshold=1.0, shape=(3,)),
            "output": nir.Output(output_type=np.array([3])),
        },
        edges=[("input", "delay"), ("delay", "fc"), ("fc", "lif"), ("lif", "output")],
    )


def cyclic():
    """Two Linear nodes feeding each other with no neuron on the loop (nir's type check needs
    type_check-free construction: the loop has no defined input type)."""
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([2])),
            "a": nir.Linear(weight=np.eye(2)),
            "b": nir.Linear(weight=np.eye(2)),
            "lif": snntorch_lif(beta=0.5, threshold=1.0, shape=(2,)),
            "output": nir.Output(output_type=np.array([2])),
        },
        edges=[("input", "a"), ("a", "b"), ("b", "a"), ("b", "lif"), ("lif", "output")],
        type_check=False,
    )


# Files nir.write produces, then damaged with h5py the way a broken exporter or a bad copy
# would: a missing parameter, a parameter of the wrong type.
def damage_missing_param(path):
    with h5py.File(path, "r+") as f:
        del f["node/nodes/lif1/tau_mem"]


def damage_wrong_type(path):
    with h5py.File(path, "r+") as f:
        del f["node/nodes/fc1/weight"]
        f["node/nodes/fc1"].create_dataset("weight", data="not a matrix", dtype=h5py.string_dtype())


DAMAGED = {
    "missing_param": (cuba_chain, damage_missing_param),
    "wrong_type": (cuba_chain, damage_wrong_type),
}

FIXTURES = {
    "cuba_chain": cuba_chain,
    "lif_if_scale": lif_if_scale,
    "conv": conv_net,
    "nested_recurrent": nested_recurrent,
    "cuba_exact": cuba_exact,
    "unsupported_li": unsupported_li,
    "reset_nonzero": reset_nonzero,
    "delay": delay,
    "cyclic": cyclic,
}


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/nir")
    out.mkdir(parents=True, exist_ok=True)
    for name, build in FIXTURES.items():
        graph = build()
        path = out / f"{name}.nir"
        nir.write(path, graph)
        # type_check=False: nir 1.0.8 re-derives the grouped Conv2d's input channels wrongly
        # (see conv_net) when it type-checks the file it just wrote.
        back = nir.read(path, type_check=False)
        print(f"{path}: {len(graph.nodes)} nodes, {len(graph.edges)} edges -> {type(back).__name__}")
    for name, (build, damage) in DAMAGED.items():
        path = out / f"{name}.nir"
        nir.write(path, build())
        damage(path)
        print(f"{path}: damaged")


if __name__ == "__main__":
    main()
