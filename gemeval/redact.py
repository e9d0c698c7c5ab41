"""Credentials never reach a recorded file: URL user info and secret-looking query
parameters are replaced by ``<redacted>`` wherever a URL is written (config, command line,
per-sample errors)."""

from __future__ import annotations

import re
from typing import Any

REDACTED = "<redacted>"
SECRET_WORDS = ("key", "token", "secret", "password", "passwd", "sig", "auth")

_USERINFO = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.\-]*://)[^/@\s?#]+@")
_SECRET_QUERY = re.compile(
    r"([?&;][^=&\s#]*(?:" + "|".join(SECRET_WORDS) + r")[^=&\s#]*=)[^&\s#,;]*", re.IGNORECASE)


def redact_urls(value: Any) -> Any:
    """``value`` with every URL's user info (``user:pass@``) and secret query parameters
    (``?api_key=...``) replaced by ``<redacted>``; dicts, lists and tuples are walked."""
    if isinstance(value, str):
        if "://" not in value and "=" not in value:
            return value
        return _SECRET_QUERY.sub(lambda m: m.group(1) + REDACTED, _USERINFO.sub(lambda m: m.group(1) + REDACTED + "@", value))
    if isinstance(value, dict):
        return {k: redact_urls(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_urls(v) for v in value)
    return value
