"""irsl's joint ML against girth's (twopl_jml) on one binary response file.

usage: girth_compare.py DATA.h5 FIT.h5 IRSL_SECONDS CACHE.json

girth's run is the slow part (minutes), and its answer depends only on the
data file, so it is cached in CACHE.json next to the file's size and mtime and
rerun only when the file changes. girth returns item parameters only; its
abilities are the ML abilities given its items (Newton on each row, the same
θ ∈ [−6, 6] box girth searches), which is what its own θ step computes.
Recovery is the Pearson r of θ and a against the file's /truth.
"""
import json
import os
import sys
import time

import h5py
import numpy as np

data, fit, irsl_seconds, cache = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]

with h5py.File(data, "r") as f:
    y = f["/responses"][:]
    theta_true = f["/truth/theta"][:, 0]
    a_true = f["/truth/a"][:, 0]
with h5py.File(fit, "r") as f:
    theta_irsl = f["/models/theta"][:, 0]
    a_irsl = f["/items/a"][:, 0]


def r(x, t):
    return float(np.corrcoef(x, t)[0, 1])


stamp = [os.path.getsize(data), os.path.getmtime(data)]
result = None
if os.path.exists(cache):
    result = json.load(open(cache))
    if result.get("stamp") != stamp:
        result = None
if result is None:
    from girth import twopl_jml

    start = time.time()
    est = twopl_jml((y.T > 0.5).astype(int))
    seconds = time.time() - start
    a, b = est["Discrimination"], est["Difficulty"]
    # ML ability of every row given girth's items (Newton in θ, clipped to girth's box).
    th = np.zeros(y.shape[0])
    for _ in range(30):
        p = 1 / (1 + np.exp(-a[None, :] * (th[:, None] - b[None, :])))
        g = ((y - p) * a[None, :]).sum(1)
        h = (p * (1 - p) * a[None, :] ** 2).sum(1)
        th = np.clip(th + g / h, -6, 6)
    result = {"stamp": stamp, "seconds": seconds, "r_theta": r(th, theta_true), "r_a": r(a, a_true)}
    json.dump(result, open(cache, "w"))

ours = {"r_theta": r(theta_irsl, theta_true), "r_a": r(a_irsl, a_true)}
speedup = result["seconds"] / irsl_seconds
print(f"girth twopl_jml: {result['seconds']:.1f} s   r(theta) {result['r_theta']:.4f}   r(a) {result['r_a']:.4f}")
print(f"irsl (mpirun wall): {irsl_seconds:.1f} s   r(theta) {ours['r_theta']:.4f}   r(a) {ours['r_a']:.4f}")
ok_speed = speedup >= 50
ok_rec = ours["r_theta"] >= result["r_theta"] - 0.002 and ours["r_a"] >= result["r_a"] - 0.005
print(f"speed-up over girth: {speedup:.1f}x   target >= 50x: {'met' if ok_speed else 'NOT met'};"
      f" recovery no worse (r(theta) within 0.002, r(a) within 0.005): {'met' if ok_rec else 'NOT met'}")
