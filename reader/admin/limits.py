"""Limits on failures only: wrong passwords and bad API tokens, counted per client address.

A limit that counted every request, or every client together, would let anyone lock staff
out: so only failures count, a valid API token is never refused, and a guessing client is
slowed without slowing anyone else.
"""

from __future__ import annotations

import importlib.util
import math
import time

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from reader.admin.people import normalise_name
from reader.errors import ReaderError

FAILED_SIGN_INS_PER_ACCOUNT = "5 per minute"
"""One client guessing one account's password: the 6th wrong try in a minute gets 429."""
FAILED_SIGN_INS_PER_ADDRESS = "30 per minute"
"""One client trying many accounts; a colleague behind the same address has room to spare."""
BAD_TOKENS_PER_ADDRESS = "10 per minute"
"""Bad API tokens from one client address; valid tokens never count and are never refused."""
_REDIS = {"redis://": "redis://", "rediss://": "rediss://", "unix://": "redis+unix://"}


def storage_uri(config) -> str:
    """Return where the counters live: Redis when the queue is there (shared), else memory."""
    if config.get("RATELIMIT_STORAGE_URI"):
        return config["RATELIMIT_STORAGE_URI"]
    url = config.get("QUEUE_URL") or ""
    for prefix, scheme in _REDIS.items():
        if url.startswith(prefix):
            return scheme + url.removeprefix(prefix)
    return "memory://"


def init_app(app) -> Limiter:
    """Make the app's limiter; client addresses come from READER_PROXY_COUNT's ProxyFix."""
    # get_remote_address reads request.remote_addr, which honours X-Forwarded-For only
    # when READER_PROXY_COUNT says how many proxies stand in front (reader/app.py).
    uri = storage_uri(app.config)
    # Said here in one line: flask-limiter would fail later, naming only a version number.
    if uri.startswith(("redis", "rediss")) and importlib.util.find_spec("redis") is None:
        raise ReaderError(
            f"cannot keep the sign-in and token limits in {uri.split('@')[-1]}: the redis "
            "package is missing (pip install 'voice-reader[redis]')"
        )
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=uri,
        default_limits=[],
        key_prefix="voice-reader",
    )
    app.extensions["reader.admin.limiter"] = limiter
    return limiter


def limit_bad_tokens(limiter: Limiter, blueprint, is_bad, has_valid_token) -> None:
    """Count responses `is_bad` says are bad tokens, per address; exempt valid tokens."""
    limiter.limit(
        BAD_TOKENS_PER_ADDRESS,
        scope="bad-tokens",
        deduct_when=is_bad,
        exempt_when=has_valid_token,
    )(blueprint)


def _account_and_address() -> str:
    typed = normalise_name(request.form.get("user", "")[:64])
    return f"{get_remote_address()}|{typed}"


def limit_sign_in(limiter: Limiter, app, endpoint: str, failed) -> None:
    """Count failed sign-ins per account at an address and per address; never successes."""
    view = app.view_functions[endpoint]
    view = limiter.limit(
        FAILED_SIGN_INS_PER_ACCOUNT,
        key_func=_account_and_address,
        scope="sign-in-account",
        deduct_when=failed,
        methods=["POST"],
    )(view)
    view = limiter.limit(
        FAILED_SIGN_INS_PER_ADDRESS,
        scope="sign-in-address",
        deduct_when=failed,
        methods=["POST"],
    )(view)
    app.view_functions[endpoint] = view


def retry_after(limiter: Limiter) -> int:
    """Return the whole seconds until the limit just hit lets the client try again."""
    limit = limiter.current_limit
    if limit is None:
        return 60
    # The storage rounds its reset time up to a whole second: never say more than a window.
    window = limit.limit.get_expiry()
    return min(window, max(1, math.ceil(limit.reset_at - time.time())))
