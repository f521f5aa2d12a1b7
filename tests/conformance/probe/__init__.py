"""Code that runs inside a tool's own interpreter (MLflow's venv or the project's): stdlib only."""
