"""scikit-learn autologging overhead: a 100-tree RandomForest on the diabetes data.

    .venv/bin/python bench/autolog.py [--quick] [--out bench/results]

Measures ``fit`` without autologging, with autologging but no model (params, tags, training
metrics, run start and end), and with everything (the default: the model too), then the model
write on its own (``log_model``: skops serialization, checks, environment files, upload) and a
load of the logged model (tree checks included). Each figure is the median of several repeats
(after one warm-up; the three fit cases interleaved), with min and max, in seconds. Results go
to ``autolog.json`` and ``autolog.md`` in the output folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

N_TREES = 100


def summarize(samples: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "n": len(samples),
    }


def timed(fn: Callable[[], Any], times: int) -> dict[str, float]:
    fn()  # warm-up: imports, first store writes, caches
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return summarize(samples)


def fits(times: int) -> dict[str, dict[str, float]]:
    """The three fit cases, interleaved so that load on the machine hits them alike."""
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import RandomForestRegressor

    import labtrack.sklearn

    X, y = load_diabetes(return_X_y=True)
    cases = {
        "fit_plain_s": lambda: labtrack.sklearn.autolog(disable=True),
        "fit_autolog_no_model_s": lambda: labtrack.sklearn.autolog(log_models=False),
        "fit_autolog_s": lambda: labtrack.sklearn.autolog(),
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for rep in range(times + 1):  # the first round warms up
        for name, setup in cases.items():
            setup()
            model = RandomForestRegressor(n_estimators=N_TREES, random_state=0, n_jobs=1)
            start = time.perf_counter()
            model.fit(X, y)
            if rep:
                samples[name].append(time.perf_counter() - start)
    labtrack.sklearn.autolog(disable=True)
    return {name: summarize(values) for name, values in samples.items()}


def run(times: int) -> dict[str, Any]:
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import RandomForestRegressor

    import labtrack
    import labtrack.models
    import labtrack.sklearn

    results: dict[str, Any] = fits(times)
    X, y = load_diabetes(return_X_y=True)
    model = RandomForestRegressor(n_estimators=N_TREES, random_state=0, n_jobs=1).fit(X, y)
    uris: list[str] = []

    def log_model() -> None:
        with labtrack.start_run():
            uris.append(labtrack.sklearn.log_model(model, "model").model_uri)

    results["model_write_s"] = timed(log_model, times)
    results["model_load_s"] = timed(lambda: labtrack.sklearn.load_model(uris[-1]), times)
    local = labtrack.models.download_model(uris[-1])
    results["model_size_mb"] = os.path.getsize(Path(local, "model.skops")) / 1e6

    plain = results["fit_plain_s"]["median"]
    results["overhead"] = {
        "no_model_s": results["fit_autolog_no_model_s"]["median"] - plain,
        "with_model_s": results["fit_autolog_s"]["median"] - plain,
        "with_model_pct": 100 * (results["fit_autolog_s"]["median"] - plain) / plain,
    }
    return results


def machine() -> dict[str, str]:
    from importlib import metadata

    import labtrack

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
        "labtrack": labtrack.__version__,
        "scikit-learn": metadata.version("scikit-learn"),
        "skops": metadata.version("skops"),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def to_markdown(results: dict[str, Any]) -> str:
    lines = ["| case | median | min | max | n |", "| --- | --- | --- | --- | --- |"]
    for name, s in results.items():
        if isinstance(s, dict) and "median" in s:
            stats = f"{s['median']:.4g} | {s['min']:.4g} | {s['max']:.4g} | {s['n']}"
            lines.append(f"| {name} | {stats} |")
    o = results["overhead"]
    m = results["machine"]
    lines += [
        "",
        f"RandomForestRegressor({N_TREES} trees) on diabetes (442 x 10), n_jobs=1. Autologging "
        f"overhead per fit: {o['no_model_s'] * 1000:.0f} ms without the model, "
        f"{o['with_model_s'] * 1000:.0f} ms with it ({o['with_model_pct']:.0f}% of the fit); "
        f"the model file is {results['model_size_mb']:.1f} MB.",
        "",
        f"Machine: {m['platform']}, {m['cpus']} CPUs, Python {m['python']}, labtrack "
        f"{m['labtrack']}, scikit-learn {m['scikit-learn']}, skops {m['skops']}; {m['date']}.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--out", default=str(Path(__file__).with_name("results")))
    args = parser.parse_args()
    times = 3 if args.quick else 15
    with tempfile.TemporaryDirectory(prefix="labtrack-bench-") as home:
        os.environ["LABTRACK_HOME"] = home
        for var in ("LABTRACK_TRACKING_URI", "LABTRACK_ARTIFACT_ROOT"):
            os.environ.pop(var, None)
        results = {"machine": machine(), **run(times)}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "autolog.json").write_text(json.dumps(results, indent=2))
    (out / "autolog.md").write_text(to_markdown(results))
    sys.stdout.write(to_markdown(results))


if __name__ == "__main__":
    main()
