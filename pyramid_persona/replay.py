"""The replay cache: each assertion is accepted once.

An assertion is known by the digest of what was signed and of its
signature (:attr:`pyramid_persona.tokens.Token.digest`), not by its text:
one signature has several base64 spellings.  The digest is remembered until
the assertion expires (plus a margin for clocks that disagree).

``persona.replay_cache`` chooses the store: ``memory`` (one process, the
default), ``redis://...`` (shared by every worker and host using that
Redis server) or ``none``.
"""
import heapq
import logging
import threading
import time

from pyramid.exceptions import ConfigurationError

from .errors import VerifierUnavailable
from .settings import get_settings
from .utils import redact_url

try:
    import redis
except ImportError:  # optional: pip install pyramid_persona[redis]
    redis = None

log = logging.getLogger(__name__)

REPLAY_KEY = 'persona.replay_cache'

#: Digests are kept this long (ms) after the assertion's expiry, in case the
#: verifier's clock runs behind ours or behind another host's.
CLOCK_MARGIN_MS = 120 * 1000

#: Prefix of the Redis keys.
REDIS_PREFIX = 'pyramid_persona:replay:'


def _now_ms(clock):
    return int(clock() * 1000)


class MemoryReplayCache:
    """In-process replay cache, for a single-process deployment.

    Expired digests are dropped as new ones arrive, so memory stays
    proportional to the logins of the last few minutes.
    """

    def __init__(self, clock=time.time):
        self._seen = {}
        self._expiries = []  # heap of (forget_at, digest)
        self._lock = threading.Lock()
        self._clock = clock

    def __len__(self):
        return len(self._seen)

    def first_use(self, digest, expires):
        """Record ``digest`` until ``expires`` (ms since the epoch); return
        whether this is its first use."""
        now = _now_ms(self._clock)
        forget_at = expires + CLOCK_MARGIN_MS
        with self._lock:
            self._forget_expired(now)
            if digest in self._seen:
                return False
            self._seen[digest] = forget_at
            heapq.heappush(self._expiries, (forget_at, digest))
            return True

    def _forget_expired(self, now):
        expiries = self._expiries
        while expiries and expiries[0][0] < now:
            forget_at, digest = heapq.heappop(expiries)
            if self._seen.get(digest) == forget_at:
                del self._seen[digest]


class RedisReplayCache:
    """Replay cache in a Redis server, shared by processes and hosts.

    Each digest is set with ``SET key 1 NX PX ttl``: atomic, so of two
    workers racing with one assertion exactly one wins.  When Redis cannot
    be reached the login fails with :class:`VerifierUnavailable` (HTTP 503);
    an assertion is never accepted unchecked.
    """

    def __init__(self, client, clock=time.time, prefix=REDIS_PREFIX):
        self._client = client
        self._clock = clock
        self._prefix = prefix

    @classmethod
    def from_url(cls, url, timeout=5.0, **kw):
        """A cache using the Redis server at ``url`` (``redis://``,
        ``rediss://`` or ``unix://``), with ``timeout`` seconds for each
        connection and command."""
        if redis is None:
            raise ConfigurationError(
                'persona.replay_cache = %s needs the redis client: install '
                '"pyramid_persona[redis]" (or "redis"), or use "memory"' % redact_url(url)
            )
        try:
            client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        except ValueError as e:
            raise ConfigurationError(
                'persona.replay_cache is not a valid Redis URL (%s): use a URL such as '
                '"redis://localhost:6379/0"' % e
            )
        return cls(client, **kw)

    def first_use(self, digest, expires):
        """Record ``digest`` until ``expires`` (ms since the epoch); return
        whether this is its first use."""
        ttl = max(expires - _now_ms(self._clock), 0) + CLOCK_MARGIN_MS
        try:
            return bool(self._client.set(self._prefix + digest, b'1', nx=True, px=ttl))
        except redis.RedisError as e:
            log.error('pyramid_persona: the replay cache (Redis) is unavailable: %s: %s',
                      type(e).__name__, e)
            raise VerifierUnavailable('The login service is temporarily unavailable; try again.')

    def close(self):
        """Close the connections to Redis."""
        self._client.close()


def build_replay_cache(settings):
    """Make the replay cache ``persona.replay_cache`` asks for (or ``None``)."""
    if settings.replay_cache == 'none':
        return None
    if settings.replay_cache == 'memory':
        return MemoryReplayCache()
    return RedisReplayCache.from_url(settings.replay_cache, timeout=settings.verifier_timeout)


def get_replay_cache(registry):
    """The replay cache of an application, or ``None`` when turned off."""
    return registry.get(REPLAY_KEY)


def includeme(config):
    """Build the replay cache from the settings; keep it in the registry."""
    config.registry[REPLAY_KEY] = build_replay_cache(get_settings(config.registry))
