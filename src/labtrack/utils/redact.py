"""Mask secrets (store passwords, credentials in URLs) in any text before it is shown.

The one redaction used for everything that leaves the process as text: REST error bodies,
the server log, the metric writer's warnings, ``StoreError`` messages, CLI output. A store
URI's password can appear three ways (``user:secret@host``, ``?password=secret`` and
libpq's ``password=secret``); all three are masked as ``***``, and callers that know the
secret itself (:func:`uri_secrets`) also mask it wherever a driver's message echoes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["MASK", "redact", "redact_uri", "uri_secrets"]

MASK = "***"

# user:secret@ after a scheme. The secret runs to the last '@' of the word: it cannot hold a
# raw '@', but may hold ':' or '/', which a hand-written URI sometimes has.
_USERINFO = re.compile(r"(?P<keep>[A-Za-z][A-Za-z0-9+.\-]*://[^\s/:@]*:)[^\s@]*@")
_SECRET_NAMES = (
    "password|passwd|pwd|sslpassword|secret|secret_key|aws_secret_access_key|access_token|token"
)
# ?password=secret in a URL, and password=secret (or password='secret') in a libpq string.
_QUERY = re.compile(rf"(?i)(?P<keep>[?&;](?:{_SECRET_NAMES})=)[^&;#\s'\"]*")
_KEYWORD = re.compile(
    rf"(?i)(?P<keep>(?<![\w?&;])(?:{_SECRET_NAMES})\s*=\s*)('[^']*'|\"[^\"]*\"|\S+)"
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with credentials in URLs, ``password=...`` settings and ``secrets`` masked.

    >>> redact("could not reach postgresql+psycopg://me:s3cret@db:5432/lt?sslmode=require")
    'could not reach postgresql+psycopg://me:***@db:5432/lt?sslmode=require'
    >>> redact("postgresql://me@db/lt?password=s3cret&sslmode=require")
    'postgresql://me@db/lt?password=***&sslmode=require'
    >>> redact("host=db user=me password=s3cret", secrets=["s3cret"])
    'host=db user=me password=***'
    """
    text = _USERINFO.sub(rf"\g<keep>{MASK}@", text)
    text = _QUERY.sub(rf"\g<keep>{MASK}", text)
    text = _KEYWORD.sub(rf"\g<keep>{MASK}", text)
    for secret in sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def redact_uri(uri: str) -> str:
    """A URI with its password masked, to show or log.

    >>> redact_uri("postgresql+psycopg://me:secret@db:5432/lt")
    'postgresql+psycopg://me:***@db:5432/lt'
    >>> redact_uri("/home/me/.labtrack/artifacts")
    '/home/me/.labtrack/artifacts'
    """
    return redact(uri, uri_secrets(uri))


def uri_secrets(uri: str) -> list[str]:
    """The secrets a URI holds (its password, as written and decoded), to mask elsewhere.

    >>> uri_secrets("postgresql://me:p%40ss@db/lt")
    ['p%40ss', 'p@ss']
    """
    if "://" not in uri:
        return []
    try:
        parts = urlsplit(uri)
        found = [parts.password or ""]
        found += [v for k, v in parse_qsl(parts.query) if re.fullmatch(_SECRET_NAMES, k.lower())]
    except ValueError:
        return []
    out: list[str] = []
    for secret in found:
        for form in (secret, unquote(secret)):
            if form and form not in out:
                out.append(form)
    return out
