# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (log_figure docstring)
# Area: tracking
# MLflow: 2 3
import matplotlib.pyplot as plt

import mlflow

fig, ax = plt.subplots()
ax.plot([0, 1], [2, 3])

with mlflow.start_run():
    mlflow.log_figure(fig, "figure.png")
    mlflow.log_figure(fig, "plots/figure.pdf")
