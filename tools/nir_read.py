#!/usr/bin/env python3
"""Read a .nir file with Python `nir`'s own reader and print what it holds as JSON.

    .tools/venv/bin/python tools/nir_read.py MODEL.nir

`nir.read` (with its type check: every edge's output and input shapes must agree) builds the
graph; the output lists, per node, its NIR type, its parameters as nested lists and its
metadata, plus the edges and the graph's metadata. tests/nir_export.rs runs it on files written
by `neurofab export-nir` (tools/install.sh installs `nir` 1.0.8 into .tools/venv).
"""
import json
import sys

import nir
import nir.serialization
import numpy as np


def plain(value):
    """numpy arrays and scalars as JSON-able lists and numbers."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def main(path):
    graph = nir.read(path)
    nodes = {}
    for name, node in graph.nodes.items():
        params = {
            k: plain(v)
            for k, v in vars(node).items()
            if k not in ("metadata", "input_type", "output_type")
        }
        nodes[name] = {
            "type": type(node).__name__,
            "params": params,
            "input_type": plain(node.input_type),
            "output_type": plain(node.output_type),
            "metadata": plain(node.metadata),
        }
    print(
        json.dumps(
            {
                "version": nir.serialization.read_version(path),
                "nodes": nodes,
                "edges": [list(e) for e in graph.edges],
                "metadata": plain(graph.metadata),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
