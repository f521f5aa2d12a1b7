"""Who is calling, when ``labtrack server`` runs as a JupyterHub service.

Every request is authenticated by the hub: an ``Authorization: token|Bearer <hub token>`` header
(kernels and single-user servers with ``JUPYTERHUB_API_TOKEN``, MLflow clients with
``MLFLOW_TRACKING_TOKEN``) or, for a browser, the cookie JupyterHub's OAuth leaves after a
login (the ``oauth_callback`` route under the service prefix). The hub's answer for a token is
cached for ``c.HubOAuth.cache_max_age`` seconds (JupyterHub's ``HubAuth`` cache), so a busy
kernel costs the hub one request per token and period, not one per metric batch.

A caller needs the service's access scope (``access:services!service=<name>``, granted by a
role in the hub's config); with it, ``handler.current_user`` is a
:class:`jupyterhub.singleuser.extension.JupyterHubUser` whose ``hub_user`` is the model the hub
gives for the token (``name``, ``groups``, ``admin``, ``kind``, ``scopes``). What a caller may do
beyond reaching the service is the permissions layer's business, not this module's.

JupyterHub's own identity provider for single-user servers does nearly all of this; it is
reused, with three changes: a token the hub does not accept is a 401 that says so (not an
anonymous request), a caller without the scope gets a 403 naming it, and a request with no
credentials at all gets a 401 explaining which token to send (API routes) or the hub's login
(pages).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jupyter_server.auth import Authorizer
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import JupyterHandler
from jupyterhub.singleuser.extension import JupyterHubIdentityProvider, JupyterHubUser
from tornado import escape, web

__all__ = [
    "HubAuthorizer",
    "HubHomeHandler",
    "HubIdentityProvider",
]

NO_CREDENTIALS = (
    "This labtrack server is a JupyterHub service: send a JupyterHub API token as "
    "'Authorization: token <token>' (JUPYTERHUB_API_TOKEN in a single-user server or kernel; "
    "MLFLOW_TRACKING_TOKEN=$JUPYTERHUB_API_TOKEN for MLflow clients), or sign in to the hub "
    "with a browser. A new token is made on the hub's Token page (/hub/token)."
)
NO_XSRF = (
    "A signed-in browser's write must carry the XSRF token: send the _xsrf cookie's value as "
    "the X-XSRFToken header (JupyterLab and the service's pages do), or authenticate with a "
    "JupyterHub API token instead."
)
BAD_TOKEN = (
    "JupyterHub did not accept the token sent in the Authorization header (unknown, expired or "
    "revoked). Send a current JupyterHub API token, such as JUPYTERHUB_API_TOKEN of your "
    "single-user server, or make one on the hub's Token page (/hub/token)."
)


def _refused_when_anonymous(handler: web.RequestHandler) -> bool:
    """Whether a request without a user will be refused without a login redirect: a write to
    a handler that does not serve anonymous callers (Jupyter's rule, in ``prepare``)."""
    method = handler.request.method or ""
    if method in {"GET", "HEAD", "OPTIONS"}:
        return False
    if handler.settings.get("allow_unauthenticated_access", False):
        return False
    verb = getattr(handler, method.lower(), None)
    return not getattr(verb, "__allow_unauthenticated", False)


def _needed_scopes(scopes: set[str]) -> str:
    return " or ".join(sorted(scopes)) or "(none configured)"


class HubIdentityProvider(JupyterHubIdentityProvider):  # type: ignore[misc]
    """Identifies each request's JupyterHub user (token or OAuth cookie), or refuses it."""

    async def get_user(self, handler: web.RequestHandler) -> JupyterHubUser | None:
        if hasattr(handler, "_jupyterhub_user"):
            return handler._jupyterhub_user
        self._patch_get_login_url(handler)
        handler._jupyterhub_user = None  # type: ignore[attr-defined]
        hub_auth = self.hub_auth
        try:
            model = await hub_auth.get_user(handler, sync=False)
        finally:
            self._patch_xsrf(handler)  # after HubOAuth's own patch, which get_user applies
        if model is None:
            if hub_auth.get_token(handler, in_cookie=False):
                raise web.HTTPError(401, BAD_TOKEN)
            if _refused_when_anonymous(handler):
                # Tornado refuses these with a bare 403 and never asks for the login URL.
                if handler.get_cookie(hub_auth.cookie_name):
                    raise web.HTTPError(403, NO_XSRF)
                raise web.HTTPError(401, NO_CREDENTIALS)
            return None  # @web.authenticated: the hub's login for pages, a 401 for the API
        if not hub_auth.check_scopes(hub_auth.access_scopes, model):
            # Known to the hub but not allowed here: a 403 naming what is missing (JupyterHub's
            # provider turns the login redirect into a bare 403 instead).
            raise web.HTTPError(
                403,
                f"JupyterHub {model.get('kind', 'user')} {model.get('name')!r} may not use this "
                f"service: its token lacks the scope {_needed_scopes(hub_auth.access_scopes)}. "
                "A hub admin grants it with a role (docs/jupyterhub.md).",
            )
        user = JupyterHubUser(model)
        handler._jupyterhub_user = user  # type: ignore[attr-defined]
        hub_auth._persist_url_token_if_set(handler)
        return user

    def _patch_get_login_url(self, handler: web.RequestHandler) -> None:
        super()._patch_get_login_url(handler)
        to_hub: Callable[[], str] = handler.get_login_url

        def get_login_url() -> str:
            # API handlers refuse to redirect with a bare 403; say what to send instead.
            try:
                return to_hub()
            except web.HTTPError as err:
                if err.status_code == 403 and not err.log_message:
                    raise web.HTTPError(401, NO_CREDENTIALS) from None
                raise

        handler.get_login_url = get_login_url  # type: ignore[method-assign]

    def _patch_xsrf(self, handler: web.RequestHandler) -> None:
        # HubOAuth replaces the XSRF check of Jupyter's base handler class (again on every
        # request). Tornado runs that check before ``prepare`` authenticates, so a POST with a
        # bad token, or none, got "'_xsrf' argument missing" instead of a 401 saying what to
        # send. Jupyter's own check waits for authentication; this restores that, and leaves
        # anonymous requests to the authentication check (XSRF protects a signed-in session).
        super()._patch_xsrf(handler)
        hub_auth = self.hub_auth
        for cls in type(handler).__mro__:
            if (cls.__module__ or "").partition(".")[0] not in {"jupyter_server", "tornado"}:
                continue
            if "check_xsrf_cookie" in cls.__dict__:
                if not getattr(cls.__dict__["check_xsrf_cookie"], "_after_authentication", False):
                    setattr(cls, "check_xsrf_cookie", _xsrf_after_authentication(hub_auth))  # noqa: B010
                return

    def get_handlers(self) -> list[tuple[str, Any, dict[str, Any]] | tuple[str, Any]]:
        """The hub's OAuth callback and logout, and the service's page at its prefix."""
        handlers: list[Any] = list(super().get_handlers())
        return [*handlers, ("/", HubHomeHandler)]


def _xsrf_after_authentication(hub_auth: Any) -> Callable[[Any], None]:
    def check_xsrf_cookie(handler: Any) -> None:
        if getattr(handler, "_jupyter_current_user", None) is None:
            return  # too early (prepare checks again), or anonymous (refused there)
        hub_auth.check_xsrf_cookie(handler)

    check_xsrf_cookie._after_authentication = True  # type: ignore[attr-defined]
    return check_xsrf_cookie


class HubAuthorizer(Authorizer):
    """Allows every action to a caller holding the service's access scope (checked again here,
    as JupyterHub's own authorizer does, in case a handler skips the identity check)."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        hub_user = getattr(user, "hub_user", None)
        if not hub_user:
            return False
        hub_auth = getattr(self.identity_provider, "hub_auth")  # noqa: B009 - the hub's provider
        return bool(hub_auth.check_scopes(hub_auth.access_scopes, hub_user))


class HubHomeHandler(JupyterHandler):
    """The service's page (the hub's Services menu links here): who you are, how to connect.

    A browser without the service's cookie is sent through the hub's login (OAuth) first."""

    auth_resource = "labtrack"

    @web.authenticated
    @authorized
    def get(self) -> None:
        user = self.current_user
        here = f"{self.request.protocol}://{self.request.host}{self.base_url}"
        name = escape.xhtml_escape(user.username)
        lines = [
            f"<h1>labtrack</h1><p>Signed in through JupyterHub as <b>{name}</b>.</p>",
            "<p>Single-user servers and kernels of this hub log here with no configuration.",
            " Elsewhere, with a token from the hub's Token page:</p><pre>",
            f"LABTRACK_TRACKING_URI={escape.xhtml_escape(here)}\n",
            "LABTRACK_TRACKING_TOKEN=&lt;your JupyterHub token&gt;\n\n",
            f"MLFLOW_TRACKING_URI={escape.xhtml_escape(here)}labtrack/mlflow\n",
            "MLFLOW_TRACKING_TOKEN=&lt;your JupyterHub token&gt;</pre>",
        ]
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(
            "<!doctype html><html><head><title>labtrack</title></head><body>"
            + "".join(lines)
            + "</body></html>"
        )
