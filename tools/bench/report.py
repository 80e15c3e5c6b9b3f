"""Results JSON -> the Markdown tables shown in tools/bench/README.md (between the two markers)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

START = "<!-- bench:latest:start -->"
END = "<!-- bench:latest:end -->"
SERVERS = ("ours", "pickle", "ceiling")


def markdown(results: dict[str, Any], results_file: str) -> str:
    lines = [f"Latest run: `{results_file}` ({results['finished_at']}, commit "
             f"`{results['revision']['commit'][:10]}`{' + local changes' if results['revision']['dirty'] else ''})."]
    m, v = results["machine"], results["versions"]
    lines += ["", f"Machine: {m['cpu']}, {m['cpus_usable']} CPUs usable, {m['memory_gib']} GiB, {m['os']}; "
              f"load average {results['load_average']['before']} before, {results['load_average']['after']} after.",
              "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
              f"Server settings (all three servers): {results['settings']}."]
    lines += ["", "### Targets", "", "| target | value | bound | met |", "|---|---:|---|---|"]
    lines += [f"| {t['target']} | {_fmt(t['value'])} | {t['bound']} | {'yes' if t['met'] else '**no**'} |"
              for t in results["targets"]]
    model = results["model_level"]
    lines += ["", f"### Model level (forest of {model['model']['n_estimators']} trees; median per call over "
              f"{model['repetitions']} alternating blocks; \"caches flushed\": single calls after evicting the "
              "CPU caches, as a request finds them)", "",
              "| rows | scikit-learn `predict` | onnxruntime | speed-up |", "|---|---:|---:|---:|"]
    for case, row in model["cases"].items():
        lines.append(f"| {case} | {row['sklearn']['median_ms']:.3f} ms | {row['onnxruntime']['median_ms']:.4f} ms "
                     f"| {row['speedup']:g}x |")
    http = results["http"]
    plan = http["plan"]
    lines += ["", f"### HTTP level (`POST /predict_digit`, wrk, {plan['rounds']} interleaved rounds of "
              f"{plan['duration_s']} s per cell; medians)", "",
              "| image | conc. | server | req/s | p50 ms | p99 ms | CPU ms/req | requests | errors |",
              "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    order = {name: i for i, name in enumerate(SERVERS)}
    for row in sorted(http["medians"], key=lambda r: (r["image"], r["concurrency"], order.get(r["server"], 9))):
        lines.append(f"| {row['image']} | {row['concurrency']} | {row['server']} | {row['req_per_s']:.1f} | "
                     f"{row['p50_ms']:.2f} | {row['p99_ms']:.2f} | {_fmt(row['cpu_ms_per_request'])} | "
                     f"{row['requests']} | {row['errors']} |")
    lines += ["", "Throughput ratios from the medians above; \"by CPU\" is the same ratio predicted from CPU "
              "time per request (less sensitive to other jobs on the machine).", "",
              "| image | conc. | ours/pickle | ours/ceiling | ours p99/p50 | ours/pickle by CPU "
              "| ours/ceiling by CPU |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for r in sorted(http["ratios"], key=lambda r: (r["image"], r["concurrency"])):
        lines.append(f"| {r['image']} | {r['concurrency']} | {_fmt(r['ours_over_pickle'])}x | "
                     f"{_fmt(r['ours_over_ceiling'])} | {_fmt(r['p99_over_p50'])} | "
                     f"{_fmt(r['ours_over_pickle_by_cpu'])}x | {_fmt(r['ours_over_ceiling_by_cpu'])} |")
    cold = results["cold_start"]
    lines += ["", "### Cold start and memory", "",
              f"`python -m server`, process start to first good answer: median {cold['median_s']} s "
              f"(runs {cold['runs_s']}; `python -c pass` alone takes {cold['interpreter_s']} s).", "",
              "| stage (fresh interpreter, in order) | seconds |", "|---|---:|"]
    lines += [f"| {stage} | {seconds} |" for stage, seconds in cold["stages"].items()]
    lines += ["", "| server | RSS idle MiB | RSS after load MiB | peak RSS MiB |", "|---|---:|---:|---:|"]
    for name, mem in results["memory"].items():
        idle = cold["idle_rss_mib"] if name == "ours" else mem.get("idle_rss_mib", "")
        lines.append(f"| {name} | {idle} | {mem['rss_mib']} | {mem['peak_rss_mib']} |")
    image = results["image_size"]
    lines += ["", f"Docker image: {image['name']}: "
              + (f"{image['image_mb']} MB ({image['mib']} MiB), the whole image."
                 if image.get("mib") is not None else f"not measured ({image['why']}).")]
    started = results["container_start"]
    lines += ["", f"Container start to ready (`docker run --detach --read-only --publish` to the first good "
              f"answer): median {started['median_s']} s (runs {started['runs_s']}; `docker run` of the image "
              f"doing `python -c pass` takes {started['docker_run_python_pass_s']} s)."
              if started["median_s"] is not None else f"Container start to ready: not measured ({started['why']})."]
    lines += ["", "Commands: `" + results["commands"]["bench"] + "`; load: `" + results["commands"]["wrk"] + "`."]
    return "\n".join(lines)


def update_readme(readme: Path, table: str) -> None:
    text = readme.read_text(encoding="utf-8")
    if START not in text:
        raise ValueError(f"{readme} has no {START} ... {END} block")
    block = f"{START}\n{table}\n{END}"
    readme.write_text(re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S),
                      encoding="utf-8")


def _fmt(value: Any) -> str:
    return "n/a" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
