"""Re-run the notebook version that produced a run, with the run's params or new ones.

>>> import labtrack
>>> result = labtrack.reproduce_run(run_id, params={"n_estimators": 200})  # doctest: +SKIP

:mod:`~labtrack.reproduce.reproduction` holds the steps (explained in its docstring),
:mod:`~labtrack.reproduce.params` the parameters cell, :mod:`~labtrack.reproduce.execute` the
kernel and :mod:`~labtrack.reproduce.report` the result.
"""

from labtrack.reproduce.reproduction import (
    REPRODUCED_FROM,
    EnvironmentWarning,
    NotebookRun,
    Reproduction,
    ReproductionError,
    check_environment,
    notebook_parameters,
    parameters_from_notebook,
    parse_param_overrides,
    reproduce_run,
    reproduction_parameters,
    run_notebook,
)

__all__ = [
    "REPRODUCED_FROM",
    "EnvironmentWarning",
    "NotebookRun",
    "Reproduction",
    "ReproductionError",
    "check_environment",
    "notebook_parameters",
    "parameters_from_notebook",
    "parse_param_overrides",
    "reproduce_run",
    "reproduction_parameters",
    "run_notebook",
]
