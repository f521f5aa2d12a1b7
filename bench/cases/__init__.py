"""The benchmark driver (``driver.py``, run as a script by either venv) and its helpers."""
