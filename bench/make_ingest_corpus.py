#!/usr/bin/env python3
"""Generate the corpus `make bench-ingest` reads: lm-evaluation-harness
samples files shaped like the real exports in ../shared/data/lm-eval-harness
(the same tasks, documents, few-shot prompts, key order and string-typed
scalars), for many synthetic models, until the corpus reaches --bytes.

Each synthetic model re-uses every real line verbatim up to its "resps" field
(doc, target, arguments: the bulk of each line) and gets new log-likelihoods
(the real ones plus Gaussian noise whose size varies by model), a consistent
acc / acc_norm, and exact_match for generation tasks. Output layout is the
harness's: OUT/<org>__<model-k>/samples_<task>_<timestamp>.jsonl.

Usage: make_ingest_corpus.py SOURCE_MODEL_DIR OUT_DIR [--bytes N] [--seed S]
"""
import argparse
import glob
import json
import os
import random
import sys


def gold_index(task, record):
    """Gold choice per the harness's per-task convention (see data README)."""
    if "winogrande" in task:
        return int(record["doc"]["answer"]) - 1
    if "truthfulqa" in task:
        return 0
    return int(record["target"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("out")
    ap.add_argument("--bytes", type=float, default=1e9)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    files = sorted(glob.glob(os.path.join(args.source, "samples_*.jsonl")))
    if not files:
        sys.exit(f"{args.source}: no samples_*.jsonl files")
    # (file name, task, [(raw prefix up to "resps", parsed record)]) per source file.
    sources = []
    for path in files:
        name = os.path.basename(path)
        task = name[len("samples_"):].rsplit("_", 1)[0]
        lines = []
        with open(path, "rb") as f:
            for raw in f:
                raw = raw.rstrip(b"\n")
                if not raw:
                    continue
                cut = raw.index(b', "resps": ')
                lines.append((raw[:cut], json.loads(raw)))
        sources.append((name, task, lines))

    written = 0
    model = 0
    while written < args.bytes:
        model += 1
        directory = os.path.join(args.out, f"synthetic__model-{model:04d}")
        os.makedirs(directory, exist_ok=True)
        noise = 0.2 + 2.0 * rng.random()
        for name, task, lines in sources:
            chunks = []
            for prefix, record in lines:
                tail = {}
                if isinstance(record["filtered_resps"][0], list):
                    lls = [float(x[0]) + rng.gauss(0.0, noise) for x in record["filtered_resps"]]
                    pairs = [[repr(round(v, 5)), "False"] for v in lls]
                    tail["resps"] = [[p] for p in pairs]
                    tail["filtered_resps"] = pairs
                    for key in ("doc_hash", "prompt_hash", "target_hash"):
                        tail[key] = record[key]
                    best = max(range(len(lls)), key=lambda k: (lls[k], -k))
                    tail["acc"] = "1.0" if best == gold_index(task, record) else "0.0"
                    if "acc_norm" in record:
                        tail["acc_norm"] = tail["acc"]
                else:
                    tail["resps"] = record["resps"]
                    tail["filtered_resps"] = record["filtered_resps"]
                    for key in ("doc_hash", "prompt_hash", "target_hash"):
                        tail[key] = record[key]
                    tail["exact_match"] = "1.0" if rng.random() < 0.1 else "0.0"
                body = json.dumps(tail, ensure_ascii=False)
                chunks.append(prefix + b", " + body[1:].encode("utf-8") + b"\n")
            data = b"".join(chunks)
            with open(os.path.join(directory, name), "wb") as f:
                f.write(data)
            written += len(data)
    print(f"{args.out}: {model} models, {written / 1e6:.0f} MB of JSONL")


if __name__ == "__main__":
    main()
