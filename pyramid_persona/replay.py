"""The replay cache: each assertion is accepted once.

An assertion is known by the digest of what was signed and of its
signature (:attr:`pyramid_persona.tokens.Token.digest`), and remembered
until it expires.
"""
import threading
import time

REPLAY_KEY = 'persona.replay_cache'


class MemoryReplayCache:
    """In-process replay cache, for a single-process deployment."""

    def __init__(self, clock=time.time):
        self._seen = {}
        self._lock = threading.Lock()
        self._clock = clock

    def first_use(self, digest, expires):
        """Record ``digest`` until ``expires`` (ms since the epoch); return
        whether this is its first use."""
        now = self._clock() * 1000
        with self._lock:
            if len(self._seen) > 1000:
                self._seen = {d: e for d, e in self._seen.items() if e >= now}
            if self._seen.get(digest, -1) >= now:
                return False
            self._seen[digest] = expires
            return True


def build_replay_cache(settings):
    """Make the replay cache ``persona.replay_cache`` asks for (or ``None``)."""
    if settings.replay_cache == 'none':
        return None
    if settings.replay_cache == 'memory':
        return MemoryReplayCache()
    raise NotImplementedError('redis replay cache')


def get_replay_cache(registry):
    """The replay cache of an application, or ``None`` when turned off."""
    return registry.get(REPLAY_KEY)


def includeme(config):
    """Build the replay cache from the settings; keep it in the registry."""
    from .settings import get_settings

    config.registry[REPLAY_KEY] = build_replay_cache(get_settings(config.registry))
