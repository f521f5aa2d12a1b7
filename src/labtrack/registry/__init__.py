"""The model registry over the store: registered models, versions, stages, aliases.

:class:`~labtrack.registry.client.RegistryClientMixin` gives
:class:`~labtrack.tracking.client.TrackingClient` (``MlflowClient``) its registry methods and
decides where a version's files live; :mod:`~labtrack.registry.uri` parses ``runs:/`` and
``models:/`` URIs. ``labtrack.register_model`` (the fluent call) is in
:mod:`labtrack.tracking.registry_fluent`, since it uses the process's client.
"""
