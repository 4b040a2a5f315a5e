#!/usr/bin/env python3
"""The corruption measurement of docs/reliability.md: N corrupted response
files and N corrupted fit files (1-64 random bytes overwritten, every 20th a
truncation instead) through every reader of each, counting crashes, hangs,
errors that do not name the file, and silent changes.

    nice -n 10 python3 scripts/corruption-corpus.py [--count 1000] [--workers 2] [--out DIR]

Every command runs in a directory of its own, with the corrupted file under
the name the original has (data.h5 or fit.h5) and the other inputs linked to
sound copies, so its output can be compared byte for byte with the output of
the same command on the sound files (the baseline, run twice: an output that
differs between two sound runs is not compared). A run is
- a crash: exit >= 128 other than the time limit's, or a crash report on stderr;
- a hang: the time limit (timeout, exit 124 or 137);
- a clear error: exit 1..127 with the corrupted file named on stderr
  (an error that does not name it is counted apart);
- ok: exit 0; a silent change when its output differs from the baseline's
  (the corruption reached the result without a word).
All files here are written by irsl, so the target is 0 crashes, 0 hangs and
0 silent changes. Standard library only; fixed seed (--seed).
"""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The readers of a response file (data.h5) and of a fit file (fit.h5): (name, arguments, outputs compared).
# "@stdout" compares standard output; `export` after `ingest --append` reads back what the append wrote.
RESPONSE_READERS = [
    ("fit", ["fit", "data.h5", "--output", "out.h5", "--max-iterations", "10"], ["out.h5.abilities.csv", "out.h5.items.csv"]),
    ("info", ["info", "data.h5"], ["@stdout"]),
    ("score", ["score", "fit.h5", "data.h5", "--output", "scores.csv"], ["scores.csv"]),
    ("cat", ["cat", "fit.h5", "data.h5", "--max-items", "10", "--output", "cat.csv"], ["cat.csv"]),
    ("items", ["items", "fit.h5", "--responses", "data.h5", "--output", "items.csv"], ["items.csv"]),
    ("law", ["law", "fit.h5", "--input", "data.h5", "--output", "law-out.h5"], ["law-out.h5.csv"]),
    ("report", ["report", "fit.h5", "--input", "data.h5", "--output", "report.html"], ["report.html"]),
    # (passk reads --input only for count data; on this probability file it uses the fit alone: fit files only.)
    ("backtest", ["backtest", "data.h5", "--split", "split.csv", "--draws", "200", "--max-iterations", "10",
                  "--output", "backtest.csv"], ["backtest.csv"]),
    ("ingest --append", ["ingest", "table", "add.csv", "--output", "data.h5", "--append"], []),
    ("export (after the append)", ["export", "data.h5", "--format", "long-csv", "--output", "export.csv"], ["export.csv"]),
]
FIT_READERS = [
    ("info", ["info", "fit.h5"], ["@stdout"]),
    ("score", ["score", "fit.h5", "data.h5", "--output", "scores.csv"], ["scores.csv"]),
    ("select", ["select", "fit.h5", "--per-benchmark", "5", "--output", "subset.csv"], ["subset.csv"]),
    ("cat", ["cat", "fit.h5", "data.h5", "--max-items", "10", "--output", "cat.csv"], ["cat.csv"]),
    ("items", ["items", "fit.h5", "--output", "items.csv"], ["items.csv"]),
    ("law", ["law", "fit.h5", "--input", "data.h5", "--output", "law-out.h5"], ["law-out.h5.csv"]),
    ("forecast", ["forecast", "law.h5", "--fit", "fit.h5", "--models", "new.csv", "--draws", "200",
                  "--output", "forecast.csv"], ["forecast.csv"]),
    ("report", ["report", "fit.h5", "--input", "data.h5", "--output", "report.html"], ["report.html"]),
    ("passk", ["passk", "fit.h5", "--input", "data.h5", "--output", "passk.csv"], ["passk.csv"]),
]
CRASH_WORDS = ("Program crashed", "Fatal error", "Segmentation fault", "AddressSanitizer", "Illegal instruction")


def run(binary, arguments, cwd, limit):
    started = time.time()
    p = subprocess.run(["timeout", "-k", "5", str(limit), binary] + arguments, cwd=cwd,
                       stdin=subprocess.DEVNULL, capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace"), time.time() - started


# The one line of a report that differs between two runs: when it was written.
STAMP = re.compile(rb"(Written by irsl \S+ on )[0-9T:.-]+Z")


def outputs(cwd, stdout, names):
    """The compared outputs of a run, a report's time stamp blanked."""
    result = {}
    for name in names:
        if name == "@stdout":
            result[name] = stdout
        else:
            path = os.path.join(cwd, name)
            result[name] = STAMP.sub(rb"\1(time)", open(path, "rb").read()) if os.path.exists(path) else None
    return result


def setup(binary, base):
    """The sound files every job starts from."""
    os.makedirs(base, exist_ok=True)
    steps = [
        ["simulate", "--models", "60", "--items", "80", "--benchmarks", "4", "--families", "4",
         "--response", "beta", "--seed", "7", "--output", "data.h5"],  # probability: what ingest table appends
        ["fit", "data.h5", "--output", "fit.h5", "--max-iterations", "10"],
        ["law", "fit.h5", "--output", "law.h5"],
    ]
    for step in steps:
        code, _, err, _ = run(binary, step, base, 300)
        if code != 0:
            sys.exit(f"setup failed: irsl {' '.join(step)}: {err}")
    code, out, err, _ = run(binary, ["export", "data.h5", "--format", "long-csv", "--output", "long.csv"], base, 300)
    if code != 0:
        sys.exit(f"setup failed: export: {err}")
    lines = open(os.path.join(base, "long.csv")).read().splitlines()
    header = lines[0].split(",")
    model_column, item_column = header.index("model"), header.index("item")
    models = sorted({l.split(",")[model_column] for l in lines[1:]})
    items = sorted({l.split(",")[item_column] for l in lines[1:]})[:10]
    with open(os.path.join(base, "split.csv"), "w") as f:
        f.write("model,role\n" + "".join(f"{m},{'test' if i % 5 == 0 else 'train'}\n" for i, m in enumerate(models)))
    with open(os.path.join(base, "add.csv"), "w") as f:
        f.write("model," + ",".join(items) + "\nadded-model," + ",".join("0.5" for _ in items) + "\n")
    with open(os.path.join(base, "new.csv"), "w") as f:
        f.write("name,family,flops\nnew-small,,1e22\nnew-large,family0,3e25\n")
    os.remove(os.path.join(base, "long.csv"))


def prepare(job_dir, base, corrupted_name, corrupted_bytes):
    os.makedirs(job_dir, exist_ok=True)
    for name in ["data.h5", "fit.h5", "law.h5", "split.csv", "add.csv", "new.csv"]:
        target = os.path.join(job_dir, name)
        if name == corrupted_name:
            open(target, "wb").write(corrupted_bytes)
        elif name == "data.h5":
            shutil.copyfile(os.path.join(base, name), target)  # ingest --append writes it: a copy
        else:
            os.symlink(os.path.join(base, name), target)


def corrupt(original, rng, index):
    data = bytearray(original)
    if index % 20 == 19:
        return bytes(data[: rng.randrange(1, len(data))]), "truncated"
    n = rng.randint(1, 64)
    for _ in range(n):
        at = rng.randrange(len(data))
        data[at] ^= rng.randint(1, 255)  # always a different byte
    return bytes(data), f"{n} bytes"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="corrupted files of each kind")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--timeout", type=int, default=40, help="seconds per command before it counts as a hang")
    parser.add_argument("--check-timeout", default="10",
                        help="IRSL_HDF5_CHECK_TIMEOUT: seconds the guard's child may take (a libhdf5 loop then is a clear error)")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "out", "corruption"))
    parser.add_argument("--max-seconds", type=float, default=None,
                        help="start no new file after this long; the summary says how many were run")
    parser.add_argument("--keep", action="store_true", help="keep every job's directory (default: only those with a finding)")
    args = parser.parse_args()
    binary = os.environ.get("IRSL_BIN", os.path.join(ROOT, ".build", "release", "irsl"))
    os.environ["IRSL_HDF5_CHECK_TIMEOUT"] = args.check_timeout
    if not os.access(binary, os.X_OK):
        sys.exit(f"no irsl binary at {binary} (swift build -c release --product irsl, or set IRSL_BIN)")
    shutil.rmtree(args.out, ignore_errors=True)
    base = os.path.join(args.out, "sound")
    setup(binary, base)

    # The baseline, twice: what every reader outputs on sound files; outputs that differ between the two are not compared.
    readers = {"data.h5": RESPONSE_READERS, "fit.h5": FIT_READERS}
    baseline = {}
    for kind, commands in readers.items():
        runs = []
        for attempt in range(2):
            job = os.path.join(args.out, f"baseline-{kind}-{attempt}")
            prepare(job, base, None, None)
            results = []
            for name, command, names in commands:
                code, out, err, _ = run(binary, command, job, 300)
                results.append((code, outputs(job, out, names), err))
            runs.append(results)
        kept = []
        for (name, command, names), first, second in zip(commands, runs[0], runs[1]):
            if first[0] != 0:
                print(f"note: {kind} reader '{name}' fails on the sound files ({first[2].strip()[:200]}); left out")
                continue
            stable = [n for n in names if first[1][n] == second[1][n]]
            for n in names:
                if n not in stable:
                    print(f"note: {kind} reader '{name}': {n} differs between two sound runs; not compared")
            kept.append((name, command, stable, first[1]))
        baseline[kind] = kept
        for attempt in range(2):
            shutil.rmtree(os.path.join(args.out, f"baseline-{kind}-{attempt}"))

    # Response and fit files alternate, so a run cut short by --max-seconds covers both alike.
    rng = {kind: random.Random(f"{args.seed}-{kind}") for kind in readers}
    originals = {kind: open(os.path.join(base, kind), "rb").read() for kind in readers}
    jobs = [(kind, i) for i in range(args.count) for kind in readers]

    tally = {k: {"files": 0, "runs": 0, "ok": 0, "errors": 0, "crashes": [], "hangs": [], "unnamed": [],
                 "silent": [], "rejected by every reader": 0, "slowest": 0.0} for k in readers}

    started = time.time()
    corrupted = {}
    for kind, i in jobs:  # made in order, whatever order the workers take them in
        corrupted[(kind, i)] = corrupt(originals[kind], rng[kind], i)

    def do(job):
        kind, i = job
        if args.max_seconds is not None and time.time() - started > args.max_seconds:
            return None
        damaged, how = corrupted.pop((kind, i))
        job_dir = os.path.join(args.out, "jobs", f"{kind.split('.')[0]}-{i:04d}")
        prepare(job_dir, base, kind, damaged)
        findings, counts, slowest, any_ok = [], {"runs": 0, "ok": 0, "errors": 0}, 0.0, False
        for name, command, names, expected in baseline[kind]:
            code, out, err, seconds = run(binary, command, job_dir, args.timeout)
            slowest = max(slowest, seconds)
            counts["runs"] += 1
            label = f"{os.path.basename(job_dir)} ({how}): irsl {' '.join(command)}"
            if code in (124, 137):
                findings.append(("hangs", label))
            elif code >= 128 or code < 0 or any(w in err for w in CRASH_WORDS):
                findings.append(("crashes", f"{label}: exit {code}: {err.strip()[-300:]}"))
            elif code != 0:
                counts["errors"] += 1
                if kind not in err:
                    findings.append(("unnamed", f"{label}: {err.strip()[:300]}"))
            else:
                counts["ok"] += 1
                any_ok = True
                got = outputs(job_dir, out, names)
                changed = [n for n in names if got[n] != expected[n]]
                if changed:
                    findings.append(("silent", f"{label}: {', '.join(changed)} differ from the sound file's"))
        if not findings and not args.keep:
            shutil.rmtree(job_dir)
        return kind, counts, findings, slowest, any_ok

    done = 0
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        for result in pool.map(do, jobs):
            if result is None:
                continue
            kind, counts, findings, slowest, any_ok = result
            t = tally[kind]
            t["files"] += 1
            for k, v in counts.items():
                t[k] += v
            for what, text in findings:
                t[what].append(text)
            t["slowest"] = max(t["slowest"], slowest)
            if not any_ok:
                t["rejected by every reader"] += 1
            done += 1
            if done % 100 == 0:
                print(f"{done}/{len(jobs)} files, {time.time() - started:.0f} s", flush=True)

    files = {kind: tally[kind]["files"] for kind in readers}
    print(f"\ncorruption corpus: {files['data.h5']} + {files['fit.h5']} of {args.count} + {args.count} files run, "
          f"seed {args.seed}, {time.time() - started:.0f} s, irsl {binary}")
    failed = False
    for kind, t in tally.items():
        names = ", ".join(n for n, _, _, _ in baseline[kind])
        print(f"{'response' if kind == 'data.h5' else 'fit'} files ({kind}) through {names}:")
        print(f"  {t['files']} files, {t['runs']} runs: {t['ok']} ok, {t['errors']} clear errors, "
              f"{len(t['crashes'])} crashes, {len(t['hangs'])} hangs, {len(t['unnamed'])} errors not naming the file, "
              f"{len(t['silent'])} silent changes; {t['rejected by every reader']} files rejected by every reader; "
              f"slowest run {t['slowest']:.1f} s")
        for what in ["crashes", "hangs", "unnamed", "silent"]:
            for text in t[what][:10]:
                print(f"    {what}: {text}")
            failed |= bool(t[what])
    print(f"directories of runs with a finding are kept under {os.path.join(args.out, 'jobs')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
