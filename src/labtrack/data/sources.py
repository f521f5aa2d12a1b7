"""The kinds of dataset source, by class name (MLflow's ``mlflow.data.sources``):
``LocalArtifactDatasetSource``, ``HTTPDatasetSource``, ``CodeDatasetSource``, and one
``<Scheme>ArtifactDatasetSource`` per storage scheme labtrack reads
(``S3ArtifactDatasetSource``...).
``labtrack.data`` fills this module in when it loads.
"""

from __future__ import annotations

__all__: list[str] = []
