"""Results out: ``latest.json`` (every sample), ``latest.md`` (the tables), ``ratios.png``."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.stats import Measure, Results

CASES = {
    "1": "log_metric per call inside a run",
    "2": "log_param, log_metrics, log_batch",
    "3": "many runs and search",
    "4": "one metric with many points",
    "5": "cold start",
    "6": "server API behind the sidebar",
    "7": "serving the random forest",
    "8": "autolog overhead on fit",
    "9": "log-batch ingest through MLflow's REST API",
    "x": "labtrack only",
}

# The headline figure of each case: one bar on the plot.
HEADLINES = {
    "1": "log_metric.caller",
    "2": "calls.log_metrics",
    "3": "search.10k.frame",
    "4": "history.downsampled",
    "5": "cold.import",
    "6": "api.first_page",
    "7": "serve.r1.c1.p50",
    "8": "autolog.overhead",
    "9": "ingest.sqlite.c4",
}


@dataclass
class Target:
    text: str
    key: str
    check: Callable[..., tuple[bool, str] | None]
    # Also shown for labtrack on PostgreSQL (the same check, its value beside; no status).
    postgres: bool = False


def _lt(key: str, limit: float, unit: str, scale: float = 1.0) -> Callable[..., Any]:
    def check(r: Results, side: str = "labtrack") -> tuple[bool, str] | None:
        v = r.median(key, side)
        return None if v is None else (v < limit, f"{v * scale:.3g} {unit}")

    return check


def _ge(key: str, limit: float, unit: str) -> Callable[..., Any]:
    def check(r: Results, side: str = "labtrack") -> tuple[bool, str] | None:
        v = r.median(key, side)
        return None if v is None else (v >= limit, f"{fmt(v)} {unit}")

    return check


def _predict_plus_1ms(r: Results, side: str = "labtrack") -> tuple[bool, str] | None:
    # The server's own report of each request's predict time, so load on the machine, which
    # slows the model as much as the server, does not count as server overhead.
    over = r.median("serve.overhead")
    if over is not None:
        return over <= 1.0, f"+{over:.3g} ms over the model's predict (p50)"
    p50, own = r.median("serve.r1.c1.p50"), r.median("serve.predict_1")
    if p50 is None or own is None:
        return None
    return p50 <= own + 1.0, f"p50 {p50:.3g} ms, predict {own:.3g} ms (+{p50 - own:.3g} ms)"


def _five_x(key: str) -> Callable[..., tuple[bool, str] | None]:
    return _times_mlflow(key, 5)


def _times_mlflow(key: str, factor: float) -> Callable[..., tuple[bool, str] | None]:
    def check(r: Results, side: str = "labtrack") -> tuple[bool, str] | None:
        m = r.get(key)
        ratio = m.ratio("mlflow") if m else None
        if ratio is None:
            return None
        return ratio["median"] >= factor, f"{ratio['median']:.3g}x MLflow"

    return check


TARGETS = [
    Target("log_metric caller-side < 5 µs", "log_metric.caller", _lt("log_metric.caller", 5, "µs")),
    Target(
        "log_metric caller-side < 5 µs, labtrack client over HTTP",
        "ingest.rest_caller",
        _lt("ingest.rest_caller", 5, "µs"),
    ),
    Target("import < 150 ms", "cold.import", _lt("cold.import", 0.150, "ms", 1e3)),
    Target(
        "cold process to first metric durable < 0.5 s (existing store)",
        "cold.first_metric",
        _lt("cold.first_metric", 0.5, "s"),
    ),
    Target(
        "cold process to first metric durable < 0.5 s (new store)",
        "cold.first_metric_new",
        _lt("cold.first_metric_new", 0.5, "s"),
    ),
    Target(
        "create a run (5 params, 5 metrics) < 1 ms",
        "runs.create",
        _lt("runs.create", 1, "ms"),
        postgres=True,
    ),
    Target(
        "write 1,000,000 points (log_batch x 1,000) < 3 s",
        "history.write",
        _lt("history.write", 3, "s"),
        postgres=True,
    ),
    Target(
        "background writer, sustained >= 300,000 points/s",
        "writer.sustained",
        _ge("writer.sustained", 300_000, "points/s"),
        postgres=True,
    ),
    Target(
        "search 10,000 runs, two clauses + order < 100 ms (search_runs -> DataFrame)",
        "search.10k.frame",
        _lt("search.10k.frame", 100, "ms"),
        postgres=True,
    ),
    Target(
        "search 10,000 runs, two clauses + order < 100 ms (first page of 100)",
        "search.10k.page",
        _lt("search.10k.page", 100, "ms"),
        postgres=True,
    ),
    Target(
        "search_runs -> DataFrame over 100,000 runs < 300 ms",
        "search.100k.frame",
        _lt("search.100k.frame", 300, "ms"),
        postgres=True,
    ),
    Target(
        "first page of 100 over 100,000 runs < 100 ms (MlflowClient.search_runs, filtered)",
        "search.100k.page",
        _lt("search.100k.page", 100, "ms"),
        postgres=True,
    ),
    Target(
        "first page of 100 over 100,000 runs < 100 ms (the sidebar's server API)",
        "api.100k.first_page",
        _lt("api.100k.first_page", 100, "ms"),
        postgres=True,
    ),
    Target(
        "downsampled read of 1,000,000 points < 50 ms",
        "history.downsampled",
        _lt("history.downsampled", 0.050, "ms", 1e3),
        postgres=True,
    ),
    Target(
        "downsampled read of 10,000,000 points < 200 ms (bench/run --large)",
        "history.large.downsampled",
        _lt("history.large.downsampled", 0.200, "ms", 1e3),
        postgres=True,
    ),
    Target(
        "read 1,000,000 points (full history) < 1 s",
        "history.read",
        _lt("history.read", 1, "s"),
        postgres=True,
    ),
    Target(
        "serving start to first healthy answer < 2 s", "serve.start", _lt("serve.start", 2, "s")
    ),
    Target("serving 1-row p50 within predict + 1 ms", "serve.overhead", _predict_plus_1ms),
    Target(
        "serving throughput, 4 clients, >= 5x MLflow (default)",
        "serve.r1.c4.rps",
        _five_x("serve.r1.c4.rps"),
    ),
    Target(
        "serving throughput, 4 clients, >= 5x MLflow (labtrack serve --max-batch 8)",
        "serve.r1.c4.batch.rps",
        _five_x("serve.r1.c4.batch.rps"),
    ),
    *(
        Target(
            f"log-batch ingest, {clients} client(s), {backend}, >= 10x MLflow's server",
            f"ingest.{backend}.c{clients}",
            _times_mlflow(f"ingest.{backend}.c{clients}", 10),
        )
        for backend in ("sqlite", "postgresql")
        for clients in (1, 4)
    ),
]


def evaluate_targets(results: Results, unavailable: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for t in TARGETS:
        got = t.check(results)
        m = results.get(t.key)
        pg = t.check(results, "labtrack_pg") if t.postgres else None
        row: dict[str, Any] = {"target": t.text, "key": t.key, "postgresql": pg[1] if pg else ""}
        if got is None:
            why = unavailable.get(m.case) if m else None
            row.update(status="not measured", value=why or "")
        else:
            row.update(status="met" if got[0] else "missed", value=got[1])
        out.append(row)
    return out


def fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def cell(s: dict[str, float] | None) -> str:
    if not s:
        return "–"
    if s["n"] == 1:
        return fmt(s["median"])
    return f"{fmt(s['median'])} ({fmt(s['min'])}–{fmt(s['max'])})"


def ratio_cell(s: dict[str, float] | None) -> str:
    if not s:
        return "–"
    text = f"{fmt(s['median'])}"
    if s["n"] > 1:
        text += f" ({fmt(s['min'])}–{fmt(s['max'])})"
    return text


def rss_cell(measure: Measure) -> str:
    """Peak resident memory of the processes that did the work, per side (MB)."""
    values = [measure.peak_rss(side) for side in ("labtrack", "labtrack_pg", "mlflow")]
    if not any(v is not None for v in values):
        return "–"
    return " / ".join("–" if v is None else f"{v:,.0f}" for v in values)


def load_note(doc: dict[str, Any]) -> str:
    values = [v for _, v in doc.get("load_average", []) if v is not None]
    if not values:
        return ""
    cores = doc["machine"].get("cores") or "?"
    return (
        f"Load average (1 min) at each case's start: {min(values):.1f}–{max(values):.1f} on "
        f"{cores} cores (other processes share this machine). Absolute times move with it; the "
        "pairwise ratios much less."
    )


def to_markdown(doc: dict[str, Any], results: Results) -> str:
    m = doc["machine"]
    v = doc["versions"]
    unavailable: dict[str, str] = doc.get("unavailable", {})
    lines = [
        f"# labtrack vs MLflow: benchmark results ({doc['mode']} run)",
        "",
        f"{doc['date']}. Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']:.0f} GB, "
        f"{m['platform']}; Python {m['python']}. labtrack {v['labtrack']} (commit "
        f"{v.get('commit') or '?'}), MLflow {v.get('mlflow') or '?'} on its SQLite store; "
        f"scikit-learn {v.get('scikit-learn')} in both virtualenvs. Suite time: "
        f"{doc['duration_s'] / 60:.1f} min.",
        "",
        load_note(doc),
        "",
        "Each cell: median (min–max) of the runs. Ratio = labtrack / MLflow, computed pair by "
        "pair (the two measured back to back) and then the median of the pair ratios; below 1 "
        "labtrack is faster (for throughput, above 1 labtrack serves more).",
        "",
        "## Targets",
        "",
        "| target | labtrack | status | labtrack on PostgreSQL |",
        "| --- | --- | --- | --- |",
    ]
    for t in doc["targets"]:
        lines.append(
            f"| {t['target']} | {t['value'] or '–'} | **{t['status']}** | "
            f"{t.get('postgresql') or '–'} |"
        )
    lines += ["", "## One figure per case", ""] + headline_table(results)
    lines += [
        "",
        "## All figures",
        "",
        "| case | measure | unit | labtrack | labtrack on PostgreSQL | MLflow | MLflow async | "
        "labtrack / MLflow | labtrack / MLflow async | peak RSS, MB (labtrack / PostgreSQL / "
        "MLflow) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    notes: list[str] = []
    for measure in results.measures.values():
        lt = measure.summary("labtrack")
        lt_text = cell(lt)
        if lt is None and (measure.unavailable.get("labtrack") or unavailable.get(measure.case)):
            lt_text = "not available"
        refs = []
        for n in measure.notes:
            if n not in notes:
                notes.append(n)
            refs.append(str(notes.index(n) + 1))
        label = measure.label + (f" [{', '.join(refs)}]" if refs else "")
        lines.append(
            f"| {measure.case} | {label} | {measure.unit} | {lt_text} | "
            f"{cell(measure.summary('labtrack_pg'))} | "
            f"{cell(measure.summary('mlflow'))} | {cell(measure.summary('mlflow_async'))} | "
            f"{ratio_cell(measure.ratio('mlflow'))} | {ratio_cell(measure.ratio('mlflow_async'))} "
            f"| {rss_cell(measure)} |"
        )
    lines += ["", "Notes:", ""]
    lines += [f"{i}. {n}" for i, n in enumerate(notes, 1)]
    case_notes = doc.get("case_notes", {})
    if case_notes:
        lines += ["", "Per case:", ""]
        for case, texts in case_notes.items():
            for text in texts:
                lines.append(f"- case {case} ({CASES.get(case, case)}): {text}")
    if doc.get("errors"):
        lines += ["", "Failures during this run:", ""]
        lines += [f"- {e}" for e in doc["errors"]]
    return "\n".join(lines) + "\n"


def headline_table(results: Results) -> list[str]:
    """Each case's headline figure: labtrack, MLflow, and their ratio (the plot's bars)."""
    lines = [
        "| case | measure | labtrack | MLflow | labtrack / MLflow | labtrack faster by |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for case, key in HEADLINES.items():
        m = results.get(key)
        if m is None:
            continue
        lt, ml, r = m.summary("labtrack"), m.summary("mlflow"), m.ratio("mlflow")
        lt_text = f"{fmt(lt['median'])} {m.unit}" if lt else "–"
        ml_text = f"{fmt(ml['median'])} {m.unit}" if ml else "–"
        ratio = fmt(r["median"]) if r else "–"
        faster = "–"
        if r and r["median"] > 0:
            faster = f"{fmt(r['median'] if m.higher_is_better else 1 / r['median'])}x"
        lines.append(
            f"| {case}. {CASES[case]} | {m.label} | {lt_text} | {ml_text} | {ratio} | {faster} |"
        )
    return lines


def headline_ratios(results: Results) -> list[tuple[str, float, float, float, str]]:
    """(label, median, min, max, measure label) of each case's headline ratio, cost-oriented."""
    bars = []
    for case, key in HEADLINES.items():
        m: Measure | None = results.get(key)
        r = m.ratio("mlflow") if m else None
        if not m or not r or r["median"] <= 0 or r["min"] <= 0:
            continue
        lo, mid, hi = r["min"], r["median"], r["max"]
        if m.higher_is_better:  # plot cost ratios throughout: throughput inverted
            lo, mid, hi = 1 / hi, 1 / mid, 1 / lo
        bars.append((f"{case}. {CASES[case]}", mid, lo, hi, m.label))
    return bars


def plot(results: Results, path: Path, title: str) -> bool:
    bars = headline_ratios(results)
    if not bars:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5.2), dpi=110)
    labels = [b[0] for b in bars]
    mids = [b[1] for b in bars]
    err = [[b[1] - b[2] for b in bars], [b[3] - b[1] for b in bars]]
    colors = ["#2e8b57" if v < 1 else "#c0392b" for v in mids]
    xs = range(len(bars))
    # Bars hang from the line at 1: down when labtrack is faster, up when it is slower.
    heights = [v - 1.0 for v in mids]
    ax.bar(xs, heights, bottom=1.0, color=colors, yerr=err, capsize=3, ecolor="#555555")
    ax.set_yscale("log")
    ax.axhline(1.0, color="black", linewidth=1)
    for x, v in zip(xs, mids, strict=True):
        ax.annotate(
            f"{v:.2g}x" if v >= 1 else f"1/{1 / v:,.{0 if v < 0.1 else 1}f}",
            (x, v),
            textcoords="offset points",
            xytext=(10, -12 if v < 1 else 4),
            ha="left",
            fontsize=8,
        )
    ax.set_xticks(list(xs))
    ax.set_xticklabels([textwrap(label, 16) for label in labels], fontsize=8)
    ax.set_ylabel("labtrack / MLflow (time; log scale)")
    ax.set_title(title, fontsize=10)
    lo = min(b[2] for b in bars)
    hi = max(b[3] for b in bars)
    ax.set_ylim(
        10 ** math.floor(math.log10(lo) - 0.3), 10 ** math.ceil(math.log10(max(hi, 1)) + 0.3)
    )
    ax.text(
        0.99,
        0.98,
        "below the line: labtrack faster\nbars: median of pair ratios; whiskers: min-max",
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=7,
        color="#444444",
    )
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def textwrap(text: str, width: int) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "\n".join(lines)


def write(doc: dict[str, Any], results: Results, out: Path, stem: str, png: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    doc = dict(doc)
    doc["measures"] = [m.to_json() for m in results.measures.values()]
    doc["headlines"] = [
        {"case": b[0], "ratio": b[1], "min": b[2], "max": b[3], "measure": b[4]}
        for b in headline_ratios(results)
    ]
    (out / f"{stem}.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    (out / f"{stem}.md").write_text(to_markdown(doc, results))
    plot(results, png, f"labtrack / MLflow ({doc['mode']} run, {doc['date']})")


README_START = "<!-- bench results: generated from bench/results/latest.json -->"
README_END = "<!-- /bench results -->"


def readme_section(doc: dict[str, Any], results: Results) -> list[str]:
    """The README's benchmark section: the run, the headline table, the plot, the targets."""
    m, v = doc["machine"], doc["versions"]
    values = [x for _, x in doc.get("load_average", []) if x is not None]
    load = f" (load average {min(values):.1f}–{max(values):.1f})" if values else ""
    lines = [
        README_START,
        f"Full run of {doc['date']} on this project's {m['cores']}-core, {m['memory_gb']:.0f} GB "
        f"machine (Python {m['python']}, labtrack {v['labtrack']}, MLflow {v.get('mlflow')} on "
        f"its SQLite store), shared with other processes{load}: absolute times move with that "
        "load; the ratios come from back-to-back pairs.",
        "",
        *headline_table(results),
        "",
        "![labtrack / MLflow per case, log scale: below 1 labtrack is faster](bench/ratios.png)",
        "",
        "| target | labtrack | status | labtrack on PostgreSQL |",
        "| --- | --- | --- | --- |",
    ]
    for t in doc["targets"]:
        lines.append(
            f"| {t['target']} | {t['value'] or '–'} | {t['status']} | "
            f"{t.get('postgresql') or '–'} |"
        )
    lines += [
        "",
        "Where MLflow does less work in the time (fewer calls, runs or points), the per-call, "
        "per-run or per-point cost is compared, and `bench/results/latest.md` says so beside "
        "each figure. The cases too large for the full run: `bench/results/large.md`.",
        README_END,
    ]
    return lines


def update_readme(path: Path, doc: dict[str, Any], results: Results) -> None:
    """Rewrite the README's generated benchmark section from a full run."""
    text = path.read_text()
    if README_START not in text or README_END not in text:
        return
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    path.write_text(head + "\n".join(readme_section(doc, results)) + tail)
