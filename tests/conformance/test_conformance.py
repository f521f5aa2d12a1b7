"""Does MLflow documentation code run unchanged under labtrack, with MLflow's results?

One test per snippet in ``snippets/``: the snippet runs under labtrack after the documented
import swap, and what labtrack stored and the snippet printed must match MLflow's golden record.
Snippets listed in ``xfails.py`` are expected to fail (strictly: a fixed one must leave the
list). With ``LABTRACK_CONFORMANCE_LIVE=1`` the goldens are also checked against MLflow run live
(its venvs are installed on first use), so a golden cannot silently go stale.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

from tests.conformance import corpus, harness, xfails
from tests.conformance.compare import compare
from tests.conformance.verdict import check

SNIPPETS = corpus.load()
LIVE = os.environ.get("LABTRACK_CONFORMANCE_LIVE") == "1"


def _params() -> list:
    out = []
    for snippet in SNIPPETS:
        reason = xfails.XFAIL.get(snippet.name)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(snippet, id=snippet.name, marks=marks))
    return out


@pytest.fixture(scope="module")
def labtrack_worker() -> Iterator[harness.Worker]:
    with harness.Worker("labtrack", sys.executable) as worker:
        yield worker


@pytest.mark.parametrize("snippet", _params())
def test_snippet_runs_unchanged_under_labtrack(
    snippet: corpus.Snippet, labtrack_worker: harness.Worker
) -> None:
    verdict = check(labtrack_worker, snippet)
    assert verdict.status == "pass", verdict.summary()


def test_every_xfail_names_a_snippet() -> None:
    assert not set(xfails.XFAIL) - {s.name for s in SNIPPETS}


def test_every_golden_belongs_to_a_snippet_of_its_mlflow_line() -> None:
    expected = {corpus.golden_path(s, line) for s in SNIPPETS for line in s.lines}
    found = set((corpus.HERE / "golden").glob("*/*.json"))
    assert not found - expected, "goldens without a snippet: delete them"


@pytest.mark.parametrize(
    ("snippet", "line"),
    [pytest.param(s, line, id=f"{s.name}-{line}.x") for s in SNIPPETS for line in s.lines],
)
def test_golden_exists_and_mlflow_ran_clean(snippet: corpus.Snippet, line: str) -> None:
    golden = harness.load_golden(snippet, line)
    assert golden is not None, f"no golden: run python -m tests.conformance regen {snippet.name}"
    assert golden.get("error") is None


_workers: dict[str, harness.Worker] = {}


@pytest.fixture(scope="module")
def mlflow_workers() -> Iterator[dict[str, harness.Worker]]:
    yield _workers
    for worker in _workers.values():
        worker.close()
    _workers.clear()


@pytest.mark.skipif(not LIVE, reason="set LABTRACK_CONFORMANCE_LIVE=1 to run MLflow live")
@pytest.mark.parametrize(
    ("snippet", "line"),
    [pytest.param(s, line, id=f"{s.name}-{line}.x") for s in SNIPPETS for line in s.lines],
)
def test_golden_is_what_mlflow_produces(
    snippet: corpus.Snippet, line: str, mlflow_workers: dict[str, harness.Worker]
) -> None:
    if line not in mlflow_workers:
        mlflow_workers[line] = harness.Worker("mlflow", harness.mlflow_python(line))
    outcome = harness.run(mlflow_workers[line], snippet)
    assert outcome.error is None, outcome.stderr[-3000:]
    differences = compare(harness.load_golden(snippet, line) or {}, outcome.record)
    assert not differences, "\n".join(str(d) for d in differences[:20])
