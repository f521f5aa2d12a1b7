"""``python -m tests.conformance COMMAND``: the conformance suite's commands.

- ``regen [NAMES]``: run snippets under real MLflow (each line it is written for) and rewrite
  the golden records in ``golden/<version>/``. Installs MLflow's venvs on first use.
- ``check-goldens [NAMES]``: run MLflow live and say which goldens no longer match.
- ``report``: run every snippet under labtrack; print and write ``REPORT.md``.
- ``xfails``: print the xfail manifest for today's results (``--write`` rewrites
  ``xfails.py``), after a fix turned an entry into an XPASS.
- ``run NAME``: one snippet under labtrack (or ``--tool mlflow3|mlflow2``), with every
  difference; ``--keep`` leaves its working folder for a look at the store.

NAMES are snippet names or areas; none means all.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from tests.conformance import corpus, harness, report, xfails
from tests.conformance.compare import compare
from tests.conformance.verdict import Verdict, check


def _labtrack_verdicts(names: list[str]) -> tuple[list[Verdict], float]:
    started = time.monotonic()
    verdicts = []
    with harness.Worker("labtrack", sys.executable) as worker:
        for snippet in corpus.load(names):
            verdict = check(worker, snippet)
            print(f"{verdict.status:9} {verdict.seconds:6.2f}s {snippet.name}", file=sys.stderr)
            verdicts.append(verdict)
    return verdicts, time.monotonic() - started


def _mlflow_outcomes(names: list[str], lines: list[str] | None) -> list[tuple]:
    """(snippet, line, outcome) for every snippet under each MLflow line, lines in parallel."""

    def one_line(line: str) -> list[tuple]:
        todo = [s for s in corpus.load(names) if line in s.lines]
        if not todo:
            return []
        out = []
        with harness.Worker("mlflow", harness.mlflow_python(line)) as worker:
            for snippet in todo:
                outcome = harness.run(worker, snippet)
                flag = f"ERROR {outcome.error}" if outcome.error else "ok"
                print(
                    f"mlflow {line}.x {outcome.seconds:6.2f}s {snippet.name}: {flag}",
                    file=sys.stderr,
                )
                out.append((snippet, line, outcome))
        return out

    lines = lines or sorted(corpus.MLFLOW_VERSIONS, reverse=True)
    with ThreadPoolExecutor(len(lines)) as pool:
        return [item for chunk in pool.map(one_line, lines) for item in chunk]


def cmd_regen(args: argparse.Namespace) -> int:
    failed = 0
    for snippet, line, outcome in _mlflow_outcomes(args.names, args.lines):
        if outcome.error:
            failed += 1
            print(f"NOT SAVED {snippet.name} ({line}.x): MLflow raised {outcome.error}")
            continue
        harness.save_golden(snippet, line, outcome)
    return 1 if failed else 0


def cmd_check_goldens(args: argparse.Namespace) -> int:
    stale = 0
    for snippet, line, outcome in _mlflow_outcomes(args.names, args.lines):
        golden = harness.load_golden(snippet, line)
        diffs = compare(golden or {}, outcome.record)
        if golden is None or diffs:
            stale += 1
            print(f"STALE {snippet.name} ({line}.x): {diffs[0] if diffs else 'no golden'}")
    print(f"{stale} stale golden(s)")
    return 1 if stale else 0


def cmd_report(args: argparse.Namespace) -> int:
    verdicts, seconds = _labtrack_verdicts(args.names)
    print(report.write(verdicts) if not args.names else report.render(verdicts))
    print(f"labtrack side: {len(verdicts)} snippets in {seconds:.0f} s", file=sys.stderr)
    return 0


def cmd_xfails(args: argparse.Namespace) -> int:
    verdicts, _ = _labtrack_verdicts(args.names)
    text = xfails.render({v.snippet.name: v.reason for v in verdicts if v.status != "pass"})
    if args.write:
        xfails.PATH.write_text(text)
    else:
        print(text)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    for snippet in corpus.load(args.names):
        if args.tool == "labtrack":
            with harness.Worker("labtrack", sys.executable) as worker:
                outcome = harness.run(worker, snippet, keep=args.keep)
            from tests.conformance.verdict import judge

            verdict = judge(snippet, harness.load_golden(snippet), outcome.record)
            verdict.stderr = outcome.stderr
            print(verdict.summary(limit=100))
        else:
            line = args.tool.removeprefix("mlflow")
            with harness.Worker("mlflow", harness.mlflow_python(line)) as worker:
                outcome = harness.run(worker, snippet, keep=args.keep)
            print(f"{snippet.name} under MLflow {line}.x: error={outcome.error}")
            print(outcome.stdout[-3000:], outcome.stderr[-3000:] if outcome.error else "")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.conformance", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func in (
        ("regen", cmd_regen),
        ("check-goldens", cmd_check_goldens),
        ("report", cmd_report),
        ("xfails", cmd_xfails),
        ("run", cmd_run),
    ):
        p = sub.add_parser(name)
        p.add_argument("names", nargs="*")
        p.set_defaults(func=func, lines=None)
        if name in ("regen", "check-goldens"):
            p.add_argument("--line", dest="lines", action="append", choices=["2", "3"])
        if name == "xfails":
            p.add_argument("--write", action="store_true")
        if name == "run":
            p.add_argument("--tool", default="labtrack", choices=["labtrack", "mlflow3", "mlflow2"])
            p.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
