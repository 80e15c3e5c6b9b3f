"""Results JSON -> the Markdown tables shown in tools/bench/README.md (between the two markers)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

START = "<!-- bench:latest:start -->"
END = "<!-- bench:latest:end -->"
BREAKDOWN_START = "<!-- bench:breakdown:start -->"
BREAKDOWN_END = "<!-- bench:breakdown:end -->"
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


def breakdown_markdown(results: dict[str, Any], results_file: str) -> str:
    """The per-request cost breakdown: in-process stages, then CPU per request under waitress."""
    part = results["breakdown"]
    stages = part["in_process"]
    images = list(stages)
    first = stages[images[0]]
    lines = [f"From `{results_file}` ({results['finished_at']}, commit `{results['revision']['commit'][:10]}`"
             f"{' + local changes' if results['revision']['dirty'] else ''}; load average "
             f"{results['load_average']['before']} before, {results['load_average']['after']} after).", "",
             f"In-process: median CPU (`time.process_time_ns`, OPENBLAS_NUM_THREADS={first['openblas_num_threads']}) "
             f"of each stage per request over {first['rounds']} requests, run stage by stage in a request's "
             "order (so each finds the caches as a request leaves them); the model's cost per operator is "
             "`python -m tools.bench.graph_cost --profile`'s; each call timed includes "
             f"~{first['timer_overhead_us']:g} us of the timer itself.", "",
             "| stage | part | " + " | ".join(f"{image} us" for image in images) + " |",
             "|---|---|" + "---:|" * len(images)]
    by_image = {image: {s["stage"]: s for s in stages[image]["stages"]} for image in images}
    names = list(dict.fromkeys(name for image in images for name in by_image[image]))
    for name in names:
        part_of = next(by_image[image][name]["part"] for image in images if name in by_image[image])
        cells = [_fmt(by_image[image][name]["median_us"]) if name in by_image[image] else "" for image in images]
        lines.append(f"| {name} | {part_of} | " + " | ".join(cells) + " |")
    lines += [
        "| **sum of all stages** | | " + " | ".join(f"**{_fmt(stages[i]['request_sum_us'])}**" for i in images) + " |",
        "| sum of the decode and model stages | | "
        + " | ".join(_fmt(stages[i]["pipeline_sum_us"]) for i in images) + " |",
        "| the same unsplit: `model.read(decoder.image(bytes))` | | "
        + " | ".join(_fmt(stages[i]["pipeline_whole_us"]) for i in images) + " |"]
    load = part["under_load"]
    plan = load["plan"]
    lines += ["", f"Under waitress: wrk, {plan['rounds']} interleaved rounds of {plan['duration_s']} s per cell, "
              "medians; CPU per request from `/proc/<pid>/stat`; gap = CPU per request under waitress - the "
              "in-process sum of all stages.", "",
              "| image | conc. | server | req/s | CPU ms/req | in-process sum ms | gap ms |",
              "|---|---:|---|---:|---:|---:|---:|"]
    order = {name: i for i, name in enumerate(load["environments"])}
    rows = sorted(part["rows"], key=lambda r: (images.index(r["image"]), r["concurrency"], order[r["server"]]))
    for r in rows:
        lines.append(f"| {r['image']} | {r['concurrency']} | {r['server']} | {r['req_per_s']:.1f} | "
                     f"{_fmt(r['cpu_ms_per_request'])} | {_fmt(r['in_process_ms'])} | {_fmt(r['gap_ms'])} |")
    for image in images:
        lines += ["", _gap_sentence(image, rows)]
    lines += ["", f"Command: `{results['commands']['bench']}`."]
    return "\n".join(lines)


def _gap_sentence(image: str, rows: list[dict[str, Any]]) -> str:
    """The gaps of one image, read off: what the stack costs at c=1, what threads add at c=8."""
    cell = {(r["server"], r["concurrency"]): r for r in rows if r["image"] == image}
    try:
        ceiling = cell[("ceiling", 1)]["cpu_ms_per_request"]
        ours_1, ours_8 = cell[("ours", 1)]["gap_ms"], cell[("ours", 8)]["gap_ms"]
        added_by_four_threads = cell[("ours, 4 threads", 8)]["gap_ms"] - ours_8
        log = ours_8 - cell[("ours, access log off", 8)]["gap_ms"]
    except (KeyError, TypeError):
        return f"{image}: not every row was measured, so the gap is not read off."
    if ours_1 <= 0:
        stack = "nothing measurable: the in-process sum is already all of it, against"
    elif abs(ours_1 - ceiling) <= ceiling / 2:
        stack = "about what a whole ceiling request costs"
    else:
        stack = f"{ours_1 / ceiling:.1f}x what a whole ceiling request costs"
    threads = (f"4 waitress threads instead of the default 1 add {added_by_four_threads:.2f} ms for the same work, "
               "which is what the threads spend contending (for the GIL)" if added_by_four_threads > 0
               else "4 waitress threads instead of the default 1 add nothing measurable")
    logged = (f"the access log adds {log:.2f} ms" if log > 0
              else f"the access log's cost is within the rounds' spread ({log:+.2f} ms)")
    return (f"**{image}**: at c=1 the real server spends {ours_1:+.2f} ms per request beyond the stages timed "
            f"in-process, {stack} ({_fmt(ceiling)} ms: waitress, WSGI, Flask, sockets). At c=8 the gap is "
            f"{ours_8:.2f} ms; {threads}; {logged} (log on - log off, c=8).")


def update_readme(readme: Path, table: str, start: str = START, end: str = END) -> None:
    text = readme.read_text(encoding="utf-8")
    block = f"{start}\n{table}\n{end}"
    if start not in text:
        raise ValueError(f"{readme} has no {start} ... {end} block")
    readme.write_text(re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S),
                      encoding="utf-8")


def _fmt(value: Any) -> str:
    return "n/a" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
