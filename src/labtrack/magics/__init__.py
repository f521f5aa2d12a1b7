"""IPython magics: ``%load_ext labtrack``.

    %%track [--name N] [--experiment E] [--nested]   run the cell inside a run
    %experiment [name]                               show or set the current experiment
    %runs [filter]                                   an inline runs table
    %compare [RUN_ID ...]                            compare runs (default: the table's selection)
    %autolog [on|off]                                scikit-learn autologging

Each takes ``-h``. Bad arguments print a short message, never a traceback.
"""

from __future__ import annotations

import re
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

import labtrack.sklearn as lsk
from labtrack.errors import LabtrackError
from labtrack.tracking import fluent
from labtrack.tracking.fluent import _end_run_id, _resolve_experiment_id
from labtrack.widgets import show_runs


def _parse(fn: Any, line: str) -> Any:
    """Parse a magic's arguments; ``-h`` prints its help and returns None."""
    if re.search(r"(^|\s)(-h|--help)(\s|$)", line):
        print(fn.parser.format_help())
        return None
    return parse_argstring(fn, line)


@magics_class
class LabtrackMagics(Magics):
    @magic_arguments()
    @argument("--name", "-n", default=None, help="Run name.")
    @argument("--experiment", "-e", default=None, help="Experiment name (created if needed).")
    @argument("--nested", action="store_true", help="Start a child run of the active run.")
    @cell_magic
    def track(self, line: str, cell: str) -> Any:
        """Run the cell inside a labtrack run; it ends with the cell (FAILED if it raises)."""
        args = _parse(self.track, line)
        if args is None:
            return
        try:
            if args.experiment:
                fluent.set_experiment(args.experiment)
            run = fluent.start_run(run_name=args.name, nested=args.nested)
        except LabtrackError as exc:
            raise UsageError(exc.message) from None

        status = "FAILED"
        try:
            value = _execute(self.shell, cell)
            status = "FINISHED"
        finally:
            # The user's exception (KeyboardInterrupt too) passes through unchanged.
            _end_run_id(run.info.run_id, status)
            print(f"labtrack: run {run.info.run_name} ({run.info.run_id}) {status}")
        return value

    @magic_arguments()
    @argument("name", nargs="*", help="Experiment to make current (created if needed).")
    @line_magic
    def experiment(self, line: str) -> None:
        """Show the current experiment, or set it by name."""
        args = _parse(self.experiment, line)
        if args is None:
            return
        try:
            if args.name:
                exp = fluent.set_experiment(" ".join(args.name))
            else:
                exp = fluent.get_experiment(_resolve_experiment_id())
        except LabtrackError as exc:
            raise UsageError(exc.message) from None
        print(f"Experiment {exp.name!r} (id {exp.experiment_id})")

    @magic_arguments()
    @argument("filter", nargs="*", help="Filter, e.g. metrics.rmse < 1 and params.model = 'rf'")
    @argument("--experiment", "-e", default=None, help="Experiment name or id.")
    @argument("--max-results", type=int, default=1000, help="At most this many runs.")
    @line_magic
    def runs(self, line: str) -> Any:
        """Show an inline runs table of the current experiment."""
        parsed = _runs_arguments(self.runs, line)
        if parsed is None:
            return None
        experiment, filter_string, max_results = parsed

        try:
            table = show_runs(experiment, filter_string, max_results)
        except LabtrackError as exc:
            raise UsageError(exc.message) from None
        if table.error:
            raise UsageError(table.error)
        return table

    @magic_arguments()
    @argument("run_ids", nargs="*", help="Runs to compare (default: rows selected in %%runs).")
    @line_magic
    def compare(self, line: str) -> Any:
        """Compare runs side by side, with plots."""
        args = _parse(self.compare, line)
        if args is None:
            return None
        from labtrack.widgets import compare

        try:
            # No ids: compare() takes the rows selected in the last %runs table.
            return compare(args.run_ids or None)
        except LabtrackError as exc:
            raise UsageError(exc.message) from None

    @magic_arguments()
    @argument("state", nargs="?", choices=["on", "off"], default="on", help="on (default) or off")
    @line_magic
    def autolog(self, line: str) -> None:
        """Turn scikit-learn autologging on or off."""
        args = _parse(self.autolog, line)
        if args is None:
            return
        try:
            lsk.autolog(disable=args.state == "off")
        except ImportError as exc:
            raise UsageError(f"Autologging needs scikit-learn: {exc}") from None
        print(f"labtrack: scikit-learn autologging {args.state}")


def _execute(shell: Any, cell: str) -> Any:
    """Run cell code in the user namespace; the last expression's value is returned (shown)."""
    import ast

    source = shell.transform_cell(cell)
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    ns = shell.user_ns
    exec(compile(tree, "<labtrack %%track>", "exec"), ns)
    if last is not None:
        expr = ast.Expression(last.value)
        return eval(compile(expr, "<labtrack %%track>", "eval"), ns)
    return None


_VALUE = re.compile(r"""'[^']*'|"[^"]*"|\S+""")


def _runs_arguments(fn: Any, line: str) -> tuple[str | None, str, int] | None:
    """Options first (``-e NAME``, ``--max-results N``), then the filter, kept verbatim.

    The filter is not split like shell words, so its quotes and operators reach the parser
    exactly as typed.
    """
    rest = line.strip()
    experiment: str | None = None
    max_results = 1000
    while rest.startswith("-"):
        option, _, rest = rest.partition(" ")
        if option in ("-h", "--help"):
            print(fn.parser.format_help())
            return None
        if option not in ("-e", "--experiment", "--max-results"):
            raise UsageError(f"unrecognized option {option}; see %runs -h")
        match = _VALUE.match(rest.lstrip())
        if match is None:
            raise UsageError(f"{option} needs a value; see %runs -h")
        value = match.group(0).strip("'\"")
        rest = rest.lstrip()[match.end() :].lstrip()
        if option == "--max-results":
            if not value.isdigit() or int(value) < 1:
                raise UsageError("--max-results takes a positive whole number")
            max_results = int(value)
        else:
            experiment = value
    return experiment, rest, max_results


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magics(LabtrackMagics)


def unload_ipython_extension(ipython: Any) -> None:  # pragma: no cover - IPython keeps magics
    pass
