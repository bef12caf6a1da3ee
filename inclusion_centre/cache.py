"""The Redis cache backend of the deployment, for which an unreachable Redis is a cache miss, never an error.

The cache only saves work (the figures, the filter forms) or counts (the verification page's rate limit), so a
request must not fail because Redis is dead or silent. Every operation that meets a Redis or socket error answers
as if the key were absent (get: the default; add: False; incr: ValueError, as for a missing key; set, delete:
nothing), logs one warning for the outage, and the process leaves Redis alone for CACHE_PAUSE_SECONDS: a request
that touches the cache five times pays for one timeout, not five, and the requests after it pay nothing. The
first operation after the pause tries again; when it succeeds, the recovery is logged and the callbacks given to
`on_recovery()` run (the figure cache republishes its data version, which writes made during the outage could
not replace).
"""

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_ERRORS = (RedisError, OSError)
_lock = threading.Lock()
_state = {"paused_until": 0.0, "down": False}
_recovery_callbacks: list[Callable[[], None]] = []
_outage_callbacks: list[Callable[[str], None]] = []


def on_recovery(callback: Callable[[], None]) -> None:
    """Run `callback` in this process once Redis answers again after an outage it noticed."""
    if callback not in _recovery_callbacks:
        _recovery_callbacks.append(callback)


def on_outage(callback: Callable[[str], None]) -> None:
    """Run `callback(location)` in this process when it finds the cache at `location` unreachable (the outbox
    stops trying the broker when it is the same Redis, so a request pays for one timeout, not two)."""
    if callback not in _outage_callbacks:
        _outage_callbacks.append(callback)


def is_down() -> bool:
    """Whether this process last found the cache unreachable (operations are misses until it answers again)."""
    return _state["down"]


def reset() -> None:
    """Forget an outage without running the recovery callbacks (tests)."""
    with _lock:
        _state.update(paused_until=0.0, down=False)


def _failed(error: Exception, location: str) -> None:
    with _lock:
        first = not _state["down"]
        _state.update(paused_until=time.monotonic() + settings.CACHE_PAUSE_SECONDS, down=True)
    if first:
        logger.warning("Cache unreachable, serving without it: %s: %s", type(error).__name__, error)
    for callback in list(_outage_callbacks):
        callback(location)


def _succeeded() -> None:
    if not _state["down"]:
        return
    with _lock:
        recovered, _state["down"] = _state["down"], False
    if recovered:
        logger.warning("Cache reachable again")
        for callback in list(_recovery_callbacks):
            callback()


class _Missing(Exception):
    pass


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, with every error of Redis turned into a miss (module docstring)."""

    def _call(self, operation: str, *args, **kwargs):
        if _state["down"] and time.monotonic() < _state["paused_until"]:
            raise _Missing
        try:
            result = getattr(super(), operation)(*args, **kwargs)
        except _ERRORS as error:
            _failed(error, self._servers[0])
            raise _Missing from error
        _succeeded()
        return result

    def _or(self, fallback, operation: str, *args, **kwargs):
        try:
            return self._call(operation, *args, **kwargs)
        except _Missing:
            return fallback

    def get(self, key, default=None, version=None):
        return self._or(default, "get", key, default, version)

    def get_many(self, keys, version=None):
        return self._or({}, "get_many", keys, version)

    def has_key(self, key, version=None):
        return self._or(False, "has_key", key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, "add", key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(None, "set", key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(list(data), "set_many", data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, "touch", key, timeout, version)

    def incr(self, key, delta=1, version=None):
        try:
            return self._call("incr", key, delta, version)
        except _Missing:
            raise ValueError(f"Key '{key}' not found (cache unreachable)") from None

    def decr(self, key, delta=1, version=None):
        return self.incr(key, -delta, version)

    def delete(self, key, version=None):
        return self._or(False, "delete", key, version)

    def delete_many(self, keys, version=None):
        return self._or(None, "delete_many", keys, version)

    def clear(self):
        return self._or(False, "clear")
