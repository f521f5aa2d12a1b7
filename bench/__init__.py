"""labtrack's benchmark suite: labtrack and MLflow on the same work, side by side.

Run it with ``.venv/bin/python -m bench`` (or ``bench/run``); see ``bench/README.md``.
"""
