"""Redis as a help, not a dependency: a cache that answers "nothing there" when Redis is down.

Every cache of the site (rendered cards, PDFs, throttles, who has a canvas open) only saves
work, so an unreachable Redis must not turn pages into errors. ``TolerantRedisCache`` gives up on
a call within ``TIMEOUT`` seconds, then skips Redis for ``PAUSE`` seconds (so a page with
several cache calls does not wait for each), logs it once per pause, and tries again after:
it recovers by itself. Reads miss, writes are dropped, counters count from nothing: the rate
limits therefore let requests through while Redis is down (they fail open, on purpose: being
locked out by a cache outage would be worse than a minute without limits).
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)
TIMEOUT = 0.25  # seconds to connect to Redis, and to wait for an answer
PAUSE = 5.0  # seconds without trying again after a failure

_down_until = 0.0  # per process: when to try Redis again


def _tolerant(name: str, default=None):
    def call(self, *args, **kwargs):
        global _down_until
        if time.monotonic() < _down_until:
            return default() if callable(default) else default
        try:
            return getattr(super(TolerantRedisCache, self), name)(*args, **kwargs)
        except Exception as error:  # redis.exceptions.RedisError, OSError, timeouts
            if time.monotonic() >= _down_until:
                logger.warning("cache unavailable, going on without it: %s", error)
            _down_until = time.monotonic() + PAUSE
            return default() if callable(default) else default

    call.__name__ = name
    return call


class KeptClientRedisCacheClient(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` for every call (its table of response
    callbacks each time: a tenth of a millisecond, a few times a request). A ``redis.Redis`` is
    safe to share between threads (it takes a connection from its pool for each command), so
    this keeps one per pool."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", TIMEOUT)
        options.setdefault("socket_timeout", TIMEOUT)
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient

    get = _tolerant("get")
    get_many = _tolerant("get_many", dict)
    set = _tolerant("set")
    set_many = _tolerant("set_many", list)
    add = _tolerant("add", True)  # as if it were the first: a throttle lets the request in
    incr = _tolerant("incr", 1)
    delete = _tolerant("delete", False)
    delete_many = _tolerant("delete_many")
    touch = _tolerant("touch", False)
    has_key = _tolerant("has_key", False)
    clear = _tolerant("clear")


def available() -> bool:
    """Whether Redis answered its last call in this process (for the health check)."""
    return time.monotonic() >= _down_until
