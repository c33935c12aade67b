"""Winograd F(4x4, 3x3): the transforms for a choice of interpolation points, and their float32
rounding error against a direct convolution's, emulated on ResNet-50's four 3x3 shapes.

CGraftKernels/winograd.c uses the points 0, 1, -1, 1/2, -2 (and infinity) that this script
prints first; Lavin's 0, 1, -1, 2, -2 are the comparison. The emulation rounds where the kernel
does: U once from double, V after each pass of B, M as a float32 sum over input channels, the
output after each pass of A. Its order of additions is numpy's, not the kernel's, so it gives
ratios, not the kernel's exact figures.

    python3 benchmarks/winograd_points.py      (numpy and sympy)
"""
import argparse

import numpy as np
import sympy as sp

OUTPUTS, TAPS = 4, 3
POINTS = OUTPUTS + TAPS - 1  # the last is infinity


def transforms(points):
    """A^T (4x6), G (6x3) and B^T (6x6), exact, for five finite points: A^T and G from the points
    (Toom-Cook), B^T solved from the identity y_i = sum_k g_k d_(i+k)."""
    a = [sp.Rational(p) for p in points]
    at, g = sp.zeros(OUTPUTS, POINTS), sp.zeros(POINTS, TAPS)
    for j, aj in enumerate(a):
        scale = sp.prod([aj - al for l, al in enumerate(a) if l != j])
        for i in range(OUTPUTS):
            at[i, j] = aj**i
        for k in range(TAPS):
            g[j, k] = aj**k / scale
    at[OUTPUTS - 1, POINTS - 1] = 1
    g[POINTS - 1, TAPS - 1] = 1
    bt = sp.Matrix(POINTS, POINTS, lambda i, j: sp.Symbol(f"b{i}_{j}"))
    identity = [sum(at[i, j] * g[j, k] * bt[j, l] for j in range(POINTS)) - (1 if l == i + k else 0)
                for i in range(OUTPUTS) for k in range(TAPS) for l in range(POINTS)]
    return at, g, bt.subs(sp.solve(identity, list(bt), dict=True)[0])


def exact_convolution(d, w):
    """Valid cross-correlation of d (C, H, W) with w (O, C, 3, 3), in double."""
    _, h, wd = d.shape
    return sum(np.einsum("oc,chw->ohw", w[:, :, y, x], d[:, y:y + h - 2, x:x + wd - 2]) for y in range(3) for x in range(3))


def direct_float32(d, w):
    c, h, wd = d.shape
    columns = np.stack([d[:, y:y + h - 2, x:x + wd - 2] for y in range(3) for x in range(3)], 1).astype(np.float32)
    return np.einsum("ock,ckhw->ohw", w.reshape(w.shape[0], c, 9).astype(np.float32), columns)


def winograd_float32(d, w, at, g, bt):
    f32 = np.float32
    at, g, bt = (np.array(m, dtype=np.float64) for m in (at, g, bt))
    _, h, wd = d.shape
    rows, cols = (h - 2) // OUTPUTS, (wd - 2) // OUTPUTS
    u = np.einsum("ak,ockl,bl->ocab", g, w, g).astype(f32)
    tiles = np.stack([np.stack([d[:, 4 * i:4 * i + 6, 4 * j:4 * j + 6] for j in range(cols)], 1) for i in range(rows)], 1)
    bt32, at32 = bt.astype(f32), at.astype(f32)
    v = np.einsum("ak,ctukl->ctual", bt32, tiles.astype(f32)).astype(f32)
    v = np.einsum("ctual,bl->ctuab", v, bt32).astype(f32)
    m = np.einsum("ocab,ctuab->otuab", u, v).astype(f32)
    y = np.einsum("ia,otuab->otuib", at32, m).astype(f32)
    y = np.einsum("otuib,jb->otuij", y, at32).astype(f32)
    return y.transpose(0, 1, 3, 2, 4).reshape(w.shape[0], rows * OUTPUTS, cols * OUTPUTS)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    choices = {"0, 1, -1, 1/2, -2 (Graft)": ["0", "1", "-1", "1/2", "-2"], "0, 1, -1, 2, -2 (Lavin)": ["0", "1", "-1", "2", "-2"]}
    matrices = {name: transforms(points) for name, points in choices.items()}
    for name, (at, g, bt) in matrices.items():
        print(f"points {name}:\nA^T = {at.tolist()}\nG = {g.tolist()}\nB^T = {bt.tolist()}\n")
    rng = np.random.default_rng(args.seed)
    print("channels, map | direct | " + " | ".join(choices) + "   (RMS error / largest output; x direct's)")
    for channels, size in [(64, 56), (128, 28), (256, 14), (512, 7)]:
        side = (size + 3) // OUTPUTS * OUTPUTS + 2  # whole tiles; valid output covers the map
        d = np.maximum(rng.standard_normal((channels, side, side)), 0).astype(np.float32).astype(np.float64)
        w = (rng.standard_normal((channels, channels, 3, 3)) / np.sqrt(9 * channels)).astype(np.float32).astype(np.float64)
        exact = exact_convolution(d, w)
        error = lambda y: float(np.sqrt(np.mean((y - exact) ** 2)) / np.abs(exact).max())
        direct = error(direct_float32(d, w))
        errors = [error(winograd_float32(d, w, *m)) for m in matrices.values()]
        cells = [f"{e:.2e} ({e / direct:.1f}x)" for e in errors]
        print(f"{channels}, {size}x{size} | {direct:.2e} | " + " | ".join(cells))


if __name__ == "__main__":
    main()
