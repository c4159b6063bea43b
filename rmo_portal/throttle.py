"""Throttling: at most N attempts per key in a sliding window, counted in Django's cache (files or Redis)."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def throttle_attempt(scope: str, ident: str, *, limit: int, window: int, now: float | None = None) -> int:
    """Record an attempt of `ident` (an address, an e-mail) under `scope`: 0 when it is within `limit` per
    `window` seconds, else the seconds until the next one will be.

    A refused attempt is not recorded, so hammering does not prolong the wait, and the stored list never grows
    beyond `limit`. Not atomic: concurrent requests may pass the limit by one or two, which throttling tolerates.
    """
    now = time.time() if now is None else now
    # Hashed: no e-mail address lies in the cache in clear, and any text makes a valid key.
    key = f"throttle:{scope}:{hashlib.sha256(ident.encode()).hexdigest()}"
    hits = [t for t in cache.get(key, []) if t > now - window]
    if len(hits) >= limit:
        return max(1, int(hits[0] + window - now))
    hits.append(now)
    cache.set(key, hits, timeout=window)
    return 0


def client_ip(request: HttpRequest) -> str:
    """The client's address; behind our proxy (BEHIND_PROXY) the one nginx appended to X-Forwarded-For last,
    since the entries before it are whatever the client sent."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.BEHIND_PROXY else ""
    if forwarded:
        return forwarded.rsplit(",", 1)[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
