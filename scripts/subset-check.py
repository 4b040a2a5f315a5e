#!/usr/bin/env python3
"""Held-out check of `irsl evaluate-subset` on the shared real matrices, against the baseline of issue #16.

usage: .venv/bin/python scripts/subset-check.py IRSL_BINARY [--sizes 25,50] [--split-seed S] [NAME ...] [-- EXTRA IRSL OPTIONS]
  NAME: folders of ../shared/data/real-matrices (default: every matrix with >= 2 benchmarks or >= 500 items)

For each matrix: a random quarter of the models is held out (seed 0, or --split-seed S: other splits of
the same matrix, to see how much a ratio moves with the split), the rest calibrate. The baseline is the
linear-calibrated random subset of tinyBenchmarks: draw N questions of each benchmark at random, regress the
full-benchmark score on the subset's mean over the training models, apply the line to the test models
(20 draws, RMSE averaged). Also the raw mean of a random subset (no calibration) and its decision accuracy:
the fraction of test-model pairs ordered as their full scores order them. Then `irsl evaluate-subset` runs at
each size and its rows (RMSE, decision accuracy per method and benchmark) are printed beside the baseline.
The full score of a model on a benchmark is its mean response over the benchmark's questions it answered.
Needs numpy, pandas, h5py (the project's .venv has them).
"""
import os, subprocess, sys, tempfile
import numpy as np, pandas as pd, h5py

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "..", "shared", "data", "real-matrices")
args = sys.argv[1:]
irsl = args.pop(0)
sizes = [25, 50]
if "--sizes" in args:
    i = args.index("--sizes"); sizes = [int(s) for s in args[i + 1].split(",")]; del args[i:i + 2]
split_seed = 0
if "--split-seed" in args:
    i = args.index("--split-seed"); split_seed = int(args[i + 1]); del args[i:i + 2]
extra = []
if "--" in args:
    i = args.index("--"); extra = args[i + 1:]; args = args[:i]
names = args
work = tempfile.mkdtemp(prefix="subset-check-")


def benchmarks_of(name, ids):
    items = os.path.join(data, name, "items.csv")
    if os.path.exists(items):
        t = pd.read_csv(items)
        if "task" in t.columns:
            m = dict(zip(t["item"].astype(str), t["task"].astype(str)))
            return [m[i] for i in ids]
    return [i.split(".")[0] if "." in i else name for i in ids]


def load(name):
    df = pd.read_csv(os.path.join(data, name, "responses.csv"), low_memory=False)
    y = df.iloc[:, 1:].to_numpy(np.float32)
    ids = [str(c) for c in df.columns[1:]]
    return df.iloc[:, 0].astype(str).tolist(), ids, benchmarks_of(name, ids), y


def decision(est, truth):
    """Fraction of pairs (i < j) with different truths that `est` orders as `truth` does (ties count one half)."""
    ok = np.isfinite(est) & np.isfinite(truth)
    e, t = est[ok], truth[ok]
    de = np.sign(e[:, None] - e[None, :]); dt = np.sign(t[:, None] - t[None, :])
    iu = np.triu_indices(len(t), 1)
    de, dt = de[iu], dt[iu]
    keep = dt != 0
    if not keep.any():
        return np.nan, 0
    agree = np.where(de[keep] == 0, 0.5, (de[keep] == dt[keep]).astype(float))
    return agree.sum(), keep.sum()


def baseline(y, bench, train, test, n, draws=20):
    """Per benchmark and pooled: RMSE of the linear-calibrated random subset, of the raw random mean, and
    the decision accuracy of both (means over draws)."""
    names = list(dict.fromkeys(bench))
    bidx = np.array([names.index(b) for b in bench])
    rng = np.random.default_rng(0)
    out = {}
    for k, b in enumerate(names):
        cols = np.where(bidx == k)[0]
        with np.errstate(invalid="ignore"):
            truth = np.nanmean(y[:, cols], 1)
        lin_sq, raw_sq, lin_dec, raw_dec, cnt = [], [], [], [], []
        for _ in range(draws):
            s = rng.choice(cols, size=min(n, len(cols)), replace=False)
            with np.errstate(invalid="ignore"):
                m = np.nanmean(y[:, s], 1)
            tr = train[np.isfinite(m[train]) & np.isfinite(truth[train])]
            if len(tr) >= 2 and np.var(m[tr]) > 0:
                slope, icpt = np.polyfit(m[tr], truth[tr], 1)
            else:
                slope, icpt = 0.0, np.mean(truth[tr]) if len(tr) else np.nan
            pm = np.where(np.isfinite(m), m, np.nanmean(m[tr]) if len(tr) else np.nan)
            lin = icpt + slope * pm
            te = test[np.isfinite(truth[test])]
            lin_sq.append(np.nansum((lin[te] - truth[te]) ** 2)); raw_sq.append(np.nansum((pm[te] - truth[te]) ** 2))
            cnt.append(len(te))
            lin_dec.append(decision(lin[te], truth[te])); raw_dec.append(decision(pm[te], truth[te]))
        c = np.mean(cnt)
        out[b] = dict(lin_sq=np.mean(lin_sq), raw_sq=np.mean(raw_sq), count=c,
                      lin_dec=np.mean([a for a, _ in lin_dec]), raw_dec=np.mean([a for a, _ in raw_dec]),
                      dec_pairs=np.mean([p for _, p in lin_dec]))
    pooled = {key: sum(v[key] for v in out.values()) for key in ["lin_sq", "raw_sq", "count", "lin_dec", "raw_dec", "dec_pairs"]}
    rows = {}
    for b, v in list(out.items()) + [("all", pooled)]:
        rows[b] = dict(linear=np.sqrt(v["lin_sq"] / v["count"]), raw=np.sqrt(v["raw_sq"] / v["count"]),
                       linear_dec=v["lin_dec"] / v["dec_pairs"] if v["dec_pairs"] else np.nan,
                       raw_dec=v["raw_dec"] / v["dec_pairs"] if v["dec_pairs"] else np.nan)
    return names, rows


def main():
    chosen = names
    if not chosen:
        chosen = []
        for name in sorted(os.listdir(data)):
            if not os.path.exists(os.path.join(data, name, "responses.csv")):
                continue
            models, ids, bench, _ = load(name)
            if len(set(bench)) >= 2 or len(ids) >= 500:
                chosen.append(name)
    summary = []
    for name in chosen:
        models, ids, bench, y = load(name)
        binary = bool(np.isin(y[np.isfinite(y)], [0, 1]).all())
        rng = np.random.default_rng(split_seed)
        order = rng.permutation(len(models))
        test = np.sort(order[: len(models) // 4]); train = np.sort(order[len(models) // 4:])
        s = h5py.string_dtype(); path = os.path.join(work, name + ".h5")
        with h5py.File(path, "w") as f:
            f["responses"] = y
            f["models/name"] = np.array(models, dtype=object).astype(s)
            f["items/id"] = np.array(ids, dtype=object).astype(s)
            f["items/benchmark"] = np.array(bench, dtype=object).astype(s)
            f.attrs["response_kind"] = "binary" if binary else "probability"
        split = os.path.join(work, name + ".split.csv")
        with open(split, "w") as f:
            f.write("model,role\n")
            for i, m in enumerate(models):
                f.write(f"{m},{'test' if i in set(test) else 'train'}\n")
        for n in sizes:
            bnames, base = baseline(y, bench, train, test, n)
            out = os.path.join(work, f"{name}-{n}.csv")
            cmd = [irsl, "evaluate-subset", path, "--split", split, "--per-benchmark", str(n), "--seed", "0",
                   "--output", out] + extra
            r = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
            if r.returncode:
                print(f"{name} n={n}: irsl evaluate-subset failed:\n{r.stderr}{r.stdout[-2000:]}")
                continue
            ev = pd.read_csv(out)
            for line in r.stdout.splitlines():
                if line.strip().startswith("auto:"):
                    print(f"{name} n={n} {line.strip()}")
            methods = list(dict.fromkeys(ev["method"]))
            print(f"\n## {name}: {len(train)} train / {len(test)} test models, {len(ids)} items, {len(bnames)} benchmarks, "
                  f"{n} per benchmark; RMSE in points (decision accuracy)")
            head = ["benchmark", "linear-random", "raw-random"] + methods
            print("| " + " | ".join(head) + " |")
            print("|" + "---|" * len(head))
            for b in bnames + ["all"]:
                cells = [b, f"{100 * base[b]['linear']:.2f} ({base[b]['linear_dec']:.3f})",
                         f"{100 * base[b]['raw']:.2f} ({base[b]['raw_dec']:.3f})"]
                for m in methods:
                    row = ev[(ev["method"] == m) & (ev["benchmark"] == b)]
                    if len(row) == 0:
                        cells.append("-"); continue
                    dec = row["decision"].iloc[0] if "decision" in row else np.nan
                    cells.append(f"{100 * row['rmse'].iloc[0]:.2f} ({dec:.3f})")
                print("| " + " | ".join(cells) + " |")
            for m in methods:
                per = [ev[(ev.method == m) & (ev.benchmark == b)]["rmse"].iloc[0] / base[b]["linear"] for b in bnames]
                allr = ev[(ev.method == m) & (ev.benchmark == "all")]["rmse"].iloc[0] / base["all"]["linear"]
                dec = ev[(ev.method == m) & (ev.benchmark == "all")]["decision"].iloc[0] if "decision" in ev else np.nan
                summary.append((name, n, m, allr, np.mean(np.array(per) <= 0.85), dec, base["all"]["raw_dec"]))
            sys.stdout.flush()
    print("\n## summary: RMSE ratio to linear-calibrated random (pooled), share of benchmarks at <= 0.85, "
          "pooled decision accuracy vs the raw random mean's")
    print("| data | N | method | ratio pooled | benchmarks <= 0.85 | decision | raw random decision |")
    print("|---|---|---|---|---|---|---|")
    for s in summary:
        print(f"| {s[0]} | {s[1]} | {s[2]} | {s[3]:.3f} | {100 * s[4]:.0f} % | {s[5]:.3f} | {s[6]:.3f} |")


main()
