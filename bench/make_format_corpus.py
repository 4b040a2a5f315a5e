"""Generates Inspect AI .eval and HELM run-directory corpora for `make bench-ingest`.

Inspect: LOGS logs, each a zip with header.json, summaries.json and one
samples/<id>_epoch_<n>.json member per (sample, epoch) carrying ~30 KB of
poorly compressible message text (as real transcripts are most of a log's
bytes); 2 epochs, scores C/I/P. HELM: run directories with run_spec.json and a
per_instance_stats.json of the real files' shape (about 30 stats per instance).
Inspect JSON (inspect-json): the same samples in `.json` logs (one EvalLog
document each, samples with their messages inline, bare NaN in the results),
1,000 samples × 2 epochs per log, so each log is ~60 MB.
Usage: make_format_corpus.py inspect|inspect-json|helm OUT --bytes N
"""
import base64, json, os, random, sys, zipfile

kind, out = sys.argv[1], sys.argv[2]
target = int(sys.argv[sys.argv.index("--bytes") + 1])
rng = random.Random(7)
os.makedirs(out, exist_ok=True)
written = 0
k = 0
while written < target:
    if kind == "inspect":
        path = os.path.join(out, f"2025-01-01T00-00-{k:04d}_bench_{k}.eval")
        model = f"bench/model-{k % 50}"
        task = f"bench_task_{k // 50}"
        summaries = []
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            ev = {"task": task, "model": model, "created": f"2025-01-01T00:00:{k:05d}", "task_args": {}, "config": {"epochs": 2}}
            z.writestr("_journal/start.json", json.dumps({"version": 2, "eval": ev, "plan": {}}))
            for i in range(100):
                for epoch in (1, 2):
                    value = rng.choice(["C", "I", "C", "P"])
                    sid = f"cat_{i % 7}/q_{i}"
                    text = base64.b64encode(os.urandom(22000)).decode()
                    sample = {"id": sid, "epoch": epoch, "input": "question " + sid, "target": "x",
                              "messages": [{"role": "assistant", "content": text}], "scores": {"match": {"value": value}}}
                    z.writestr(f"samples/{sid}_epoch_{epoch}.json", json.dumps(sample))
                    summaries.append({"id": sid, "epoch": epoch, "input": "question " + sid, "target": "x",
                                      "scores": {"match": {"value": value, "answer": "a", "explanation": "e" * 200}}})
            z.writestr("summaries.json", json.dumps(summaries))
            z.writestr("header.json", json.dumps({"version": 2, "status": "success", "eval": ev,
                                                  "results": {"scores": [{"name": "match", "metrics": {}}]}}))
        written += os.path.getsize(path)
    elif kind == "inspect-json":
        path = os.path.join(out, f"2025-01-01T00-00-{k:04d}_bench_{k}.json")
        ev = {"task": f"bench_task_{k // 50}", "model": f"bench/model-{k % 50}", "created": f"2025-01-01T00:00:{k:05d}",
              "task_args": {}, "config": {"epochs": 2}}
        with open(path, "w") as f:
            f.write(json.dumps({"version": 2, "status": "success", "eval": ev, "plan": {"steps": []},
                                "results": {"scores": [{"name": "match", "metrics": {"stderr": {"value": float("nan")}}}]}})[:-1])
            f.write(', "samples": [')
            for i in range(1000):
                for epoch in (1, 2):
                    sid = f"cat_{i % 7}/q_{i}"
                    text = base64.b64encode(os.urandom(22000)).decode()
                    sample = {"id": sid, "epoch": epoch, "input": "question " + sid, "target": "x",
                              "messages": [{"role": "assistant", "content": text}],
                              "scores": {"match": {"value": rng.choice(["C", "I", "C", "P"]), "explanation": "e" * 200}}}
                    f.write(("" if i == 0 and epoch == 1 else ", ") + json.dumps(sample))
            f.write("]}")
        written += os.path.getsize(path)
    else:
        d = os.path.join(out, f"bench:k={k},model=org_m{k % 50}")
        os.makedirs(d, exist_ok=True)
        json.dump({"name": f"bench:k={k}", "scenario_spec": {"class_name": "bench.BenchScenario", "args": {"part": k // 50}},
                   "adapter_spec": {"model": f"org/m{k % 50}"}}, open(os.path.join(d, "run_spec.json"), "w"))
        entries = []
        names = ["exact_match", "quasi_exact_match", "prefix_exact_match", "num_prompt_tokens", "num_output_tokens",
                 "inference_runtime", "logprob", "num_references", "finish_reason_length", "finish_reason_stop"]
        names = names + [n + "@5" for n in names] + [n + "_norm" for n in names]
        for i in range(2000):
            stats = []
            for split in ("test",):
                for n in names:
                    v = float(rng.random() < 0.5) if "match" in n else rng.random() * 100
                    stats.append({"name": {"name": n, "split": split}, "count": 1, "sum": v, "sum_squared": v * v,
                                  "min": v, "max": v, "mean": v, "variance": 0.0, "stddev": 0.0})
            entries.append({"instance_id": f"id{i}", "train_trial_index": 0, "stats": stats})
        with open(os.path.join(d, "per_instance_stats.json"), "w") as f:
            json.dump(entries, f, indent=2)
        written += os.path.getsize(os.path.join(d, "per_instance_stats.json"))
    k += 1
print(f"{kind}: {k} {'runs' if kind == 'helm' else 'logs'}, {written / 1e6:.0f} MB in {out}")
