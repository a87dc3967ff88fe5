#!/usr/bin/env python3
"""Train the spiking digits classifier of `neurofab demo digits` with Spyx and write it as NIR.

    python3 -m venv /tmp/train && /tmp/train/bin/pip install "spyx==1.0.0" "nir==1.0.8"
    /tmp/train/bin/python tools/train_digits.py        # ~3 min on 2 CPU cores

Not part of CI: the outputs are checked in beside this script (tools/digits/):
  digits.nir   the trained network (Python `nir` 1.0.8's writer)
  model.json   the split (a seeded held-out third), the encoder, dt, ticks, the architecture,
               the framework's float accuracy on the held-out images and its prediction for
               each of them (in the order of "test")

Data: assets/digits/digits.csv (scikit-learn's copy of the UCI optdigits test set, see the
README there): 1797 images of 8x8 pixels with grey levels 0..16.

Encoder (the same in src/demo/digits.rs): pixel p with grey level g in 0..=16 spikes in tick t
(0 <= t < TICKS = 16) when floor((t+1)*g/16) > floor(t*g/16): g evenly spaced spikes, a black
pixel never, a white one every tick.

Network: 64 inputs -> Linear (no bias) -> 48 CubaLIF -> Linear (no bias) -> 10 CubaLIF; the
class is the output neuron with the most spikes (ties: the lowest index). The neuron is Spyx's
stateful-layer contract with the core's arithmetic (docs/spec.md §2) in float:
    I = ALPHA*I + x;  V = BETA*V + I;  s = V > 1;  V = 0 where s
(Spyx's own CuBaLIF emits the spike of the previous step's V and resets by subtraction, which
the core does not do; the surrogate gradient is Spyx's superspike). ALPHA = 0.5 and BETA =
0.875 are exactly representable on the core (du = 2047, dv = 512).

NIR: written with `nir` in snnTorch's convention (docs/nir.md): tau_syn = DT/(1-ALPHA),
tau_mem = DT/(1-BETA), r = tau_mem/DT, w_in = tau_syn/DT, so that NIR's equations under forward
Euler at DT are exactly the dynamics above. (spyx.nir.to_nir writes r = beta and w_in = 1,
whose NIR meaning scales the input by (1-alpha)(1-beta)beta; it also cannot know this neuron.)
"""
import json
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import nir
import numpy as np
import optax
import spyx
from flax import nnx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tools" / "digits"
TICKS = 16
LEVELS = 16
DT = 1e-3
ALPHA = 0.5
BETA = 0.875
HIDDEN = 48
SPLIT_SEED = 20261130
TRAIN_SEED = 7
EPOCHS = 120
BATCH = 64


def load_digits():
    rows = np.loadtxt(ROOT / "assets" / "digits" / "digits.csv", delimiter=",", skiprows=1, dtype=np.int64)
    return rows[:, 1:], rows[:, 0]


def encode(pixels):
    """(N, 64) grey levels -> (TICKS, N, 64) spikes, the regular rate code above."""
    t = np.arange(TICKS)[:, None, None]
    g = pixels[None, :, :]
    return ((t + 1) * g // LEVELS > t * g // LEVELS).astype(np.float32)


class HwCubaLif(nnx.Module):
    """CUBA-LIF with the core's order of operations and reset to zero (Spyx stateful layer)."""

    def __init__(self, size):
        self.size = size
        self.spike = spyx.axn.superspike()

    def __call__(self, x, state):
        v, i = jnp.split(state, 2, -1)
        i = ALPHA * i + x
        v = BETA * v + i
        s = self.spike(v - 1.0)
        v = v * (1.0 - jax.lax.stop_gradient(s))
        return s, jnp.concatenate([v, i], axis=-1)

    def initial_state(self, batch):
        return jnp.zeros((batch, 2 * self.size))


def build(rngs):
    return spyx.nn.Sequential(
        nnx.Linear(64, HIDDEN, use_bias=False, rngs=rngs),
        HwCubaLif(HIDDEN),
        nnx.Linear(HIDDEN, 10, use_bias=False, rngs=rngs),
        HwCubaLif(10),
    )


def counts(model, spikes):
    out, _ = spyx.nn.run(model, spikes)
    return out.sum(axis=0)


def accuracy(model, spikes, labels):
    c = np.asarray(counts(model, spikes))
    return float((c.argmax(axis=1) == labels).mean())


def main():
    pixels, labels = load_digits()
    perm = np.random.default_rng(SPLIT_SEED).permutation(len(labels))
    n_test = len(labels) // 3
    test_idx, train_idx = np.sort(perm[:n_test]), np.sort(perm[n_test:])
    x_train, y_train = jnp.asarray(encode(pixels[train_idx])), jnp.asarray(labels[train_idx])
    x_test = jnp.asarray(encode(pixels[test_idx]))

    model = build(nnx.Rngs(TRAIN_SEED))
    schedule = optax.cosine_decay_schedule(5e-3, EPOCHS * (len(train_idx) // BATCH))
    optimizer = nnx.Optimizer(model, optax.adam(schedule), wrt=nnx.Param)

    @nnx.jit
    def step(model, optimizer, x, y):
        def loss_fn(model):
            c = counts(model, x)
            return optax.softmax_cross_entropy_with_integer_labels(c, y).mean()

        loss, grads = nnx.value_and_grad(loss_fn)(model)
        optimizer.update(model, grads)
        return loss

    rng = np.random.default_rng(TRAIN_SEED)
    started = time.time()
    for epoch in range(EPOCHS):
        order = rng.permutation(len(train_idx))
        for b in range(len(order) // BATCH):
            sel = order[b * BATCH : (b + 1) * BATCH]
            loss = step(model, optimizer, x_train[:, sel], y_train[sel])
        if epoch % 20 == 19:
            print(f"epoch {epoch + 1}: loss {float(loss):.3f}, train {accuracy(model, x_train, labels[train_idx]):.4f}, "
                  f"held-out {accuracy(model, x_test, labels[test_idx]):.4f} ({time.time() - started:.0f} s)")
    float_acc = accuracy(model, x_test, labels[test_idx])
    train_acc = accuracy(model, x_train, labels[train_idx])
    print(f"float accuracy: held-out {float_acc:.4f} ({len(test_idx)} images), train {train_acc:.4f}")

    w1 = np.asarray(model.layers[0].kernel[...]).T.astype(np.float64)  # (48, 64)
    w2 = np.asarray(model.layers[2].kernel[...]).T.astype(np.float64)  # (10, 48)

    def cuba(n):
        tau_syn, tau_mem = DT / (1 - ALPHA), DT / (1 - BETA)
        return nir.CubaLIF(
            tau_syn=np.full(n, tau_syn), tau_mem=np.full(n, tau_mem),
            r=np.full(n, tau_mem / DT), w_in=np.full(n, tau_syn / DT),
            v_leak=np.zeros(n), v_threshold=np.ones(n), v_reset=np.zeros(n),
        )

    graph = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type={"input": np.array([64])}),
            "fc1": nir.Linear(weight=w1),
            "hidden": cuba(HIDDEN),
            "fc2": nir.Linear(weight=w2),
            "output": cuba(10),
            "out": nir.Output(output_type={"output": np.array([10])}),
        },
        edges=[("input", "fc1"), ("fc1", "hidden"), ("hidden", "fc2"), ("fc2", "output"), ("output", "out")],
    )
    OUT.mkdir(parents=True, exist_ok=True)
    nir.write(OUT / "digits.nir", graph)
    meta = {
        "framework": f"spyx {spyx.__version__} (jax {jax.__version__}, flax nnx), nir {nir.version}",
        "dt": DT,
        "ticks": TICKS,
        "levels": LEVELS,
        "alpha": ALPHA,
        "beta": BETA,
        "hidden": HIDDEN,
        "input_node": "input",
        "output_node": "output",
        "split_seed": SPLIT_SEED,
        "train_seed": TRAIN_SEED,
        "epochs": EPOCHS,
        "float_accuracy": float_acc,
        "float_train_accuracy": train_acc,
        "float_correct": int(round(float_acc * len(test_idx))),
        "float_predictions": np.asarray(counts(model, x_test)).argmax(axis=1).tolist(),
        "test": test_idx.tolist(),
        "train": train_idx.tolist(),
    }
    (OUT / "model.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"wrote {OUT / 'digits.nir'} and {OUT / 'model.json'}")


if __name__ == "__main__":
    main()
