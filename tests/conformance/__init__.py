"""MLflow conformance: MLflow documentation code, run under MLflow and under labtrack.

The measure of labtrack's first promise (MLflow code runs after ``import labtrack as mlflow``).
See README.md in this folder for the commands; REPORT.md holds today's figure.
"""
