"""Each assertion is accepted once: in memory, in a real Redis, or not at all."""
import logging
import threading

import pytest
import redis
from pyramid.exceptions import ConfigurationError

from pyramid_persona.errors import VerifierUnavailable
from pyramid_persona.replay import CLOCK_MARGIN_MS, MemoryReplayCache, RedisReplayCache, get_replay_cache

from .conftest import AUDIENCE, free_port

_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'


class Clock:
    def __init__(self, seconds=1_000_000.0):
        self.seconds = seconds

    def __call__(self):
        return self.seconds


def respell(assertion):
    """The same assertion with its signature spelled differently in base64
    (the unused low bits of the last character set), which decodes to the
    very same bytes."""
    certificate, token = assertion.rsplit('~', 1)
    head, body, signature = token.split('.')
    assert len(signature) % 4 in (2, 3), 'the signature must end with unused bits'
    last = _ALPHABET.index(signature[-1])
    respelled = signature[:-1] + _ALPHABET[last ^ 1]
    return '%s~%s.%s.%s' % (certificate, head, body, respelled)


# -- MemoryReplayCache ------------------------------------------------------

def test_memory_cache_accepts_a_digest_once():
    cache = MemoryReplayCache(clock=Clock())
    expires = 1_000_000_000 + 60_000
    assert cache.first_use('digest-a', expires) is True
    assert cache.first_use('digest-a', expires) is False
    assert cache.first_use('digest-b', expires) is True


def test_memory_cache_remembers_until_expiry_plus_margin_then_forgets():
    clock = Clock()
    cache = MemoryReplayCache(clock=clock)
    expires = int(clock() * 1000) + 60_000
    cache.first_use('digest', expires)
    clock.seconds += (60_000 + CLOCK_MARGIN_MS - 1000) / 1000
    assert cache.first_use('digest', expires) is False
    clock.seconds += 2
    cache.first_use('another', expires + 10**9)  # any use drops what expired
    assert len(cache) == 1
    assert cache.first_use('digest', expires) is True


def test_memory_cache_stays_small_under_a_stream_of_logins():
    clock = Clock()
    cache = MemoryReplayCache(clock=clock)
    for i in range(5000):
        clock.seconds += 1
        cache.first_use('digest-%d' % i, int(clock() * 1000) + 60_000)
    # Only the digests of the last 60 s + margin are kept.
    assert len(cache) <= 60 + CLOCK_MARGIN_MS // 1000 + 1


def test_memory_cache_lets_one_of_many_racing_threads_win():
    cache = MemoryReplayCache()
    results = []
    barrier = threading.Barrier(8)

    def use():
        barrier.wait()
        results.append(cache.first_use('raced', 2**50))

    threads = [threading.Thread(target=use) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]


# -- RedisReplayCache, against a real redis-server ---------------------------

@pytest.fixture
def redis_client(redis_server):
    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def redis_cache(redis_server, redis_client):
    cache = RedisReplayCache.from_url(redis_server, timeout=1.0)
    yield cache
    cache.close()


def test_redis_cache_accepts_a_digest_once(redis_cache):
    expires = int(__import__('time').time() * 1000) + 60_000
    assert redis_cache.first_use('digest-a', expires) is True
    assert redis_cache.first_use('digest-a', expires) is False
    assert redis_cache.first_use('digest-b', expires) is True


def test_redis_cache_keeps_the_digest_until_expiry_plus_margin(redis_cache, redis_client):
    clock = Clock()
    cache = RedisReplayCache(redis_cache._client, clock=clock)
    cache.first_use('digest', int(clock() * 1000) + 60_000)
    ttl = redis_client.pttl('pyramid_persona:replay:digest')
    assert 60_000 + CLOCK_MARGIN_MS - 5000 < ttl <= 60_000 + CLOCK_MARGIN_MS


def test_redis_cache_keeps_an_already_expired_digest_for_the_margin(redis_cache, redis_client):
    clock = Clock()
    cache = RedisReplayCache(redis_cache._client, clock=clock)
    assert cache.first_use('late', int(clock() * 1000) - 10_000) is True
    assert cache.first_use('late', int(clock() * 1000) - 10_000) is False
    assert 0 < redis_client.pttl('pyramid_persona:replay:late') <= CLOCK_MARGIN_MS


def test_redis_cache_lets_one_of_many_racing_clients_win(redis_server, redis_client):
    caches = [RedisReplayCache.from_url(redis_server) for _ in range(6)]
    results = []
    barrier = threading.Barrier(len(caches))

    def use(cache):
        barrier.wait()
        results.append(cache.first_use('raced', 2**45))

    threads = [threading.Thread(target=use, args=(c,)) for c in caches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for cache in caches:
        cache.close()
    assert sorted(results) == [False] * 5 + [True]


def test_unreachable_redis_is_unavailable_and_logged_once(caplog):
    cache = RedisReplayCache.from_url('redis://:hunter2-secret@127.0.0.1:%d/0' % free_port(), timeout=0.5)
    with caplog.at_level(logging.INFO, logger='pyramid_persona'):
        with pytest.raises(VerifierUnavailable):
            cache.first_use('digest', 2**45)
    records = [r for r in caplog.records if r.name.startswith('pyramid_persona')]
    assert len(records) == 1
    assert records[0].levelno == logging.ERROR
    assert 'replay cache' in records[0].getMessage()
    assert 'hunter2' not in records[0].getMessage()


def test_an_invalid_redis_url_stops_the_app_at_start_up(make_app):
    with pytest.raises(ConfigurationError, match='persona.replay_cache'):
        make_app(replay_cache='redis://127.0.0.1:notaport/0')


def test_a_missing_redis_client_is_a_configuration_error_naming_the_fix(monkeypatch):
    from pyramid_persona import replay

    monkeypatch.setattr(replay, 'redis', None)
    with pytest.raises(ConfigurationError, match=r'pyramid_persona\[redis\]') as error:
        RedisReplayCache.from_url('redis://:hunter2@127.0.0.1:6379/0')
    assert 'hunter2' not in str(error.value)


# -- At the login view -------------------------------------------------------

def test_an_assertion_logs_in_once(app, login, idp):
    assertion = idp.assertion('alice@example.com', AUDIENCE)
    assert login(app, assertion=assertion).json['success'] is True
    app.reset()
    answer = login(app, assertion=assertion, status=400)
    assert answer.json == {'success': False, 'redirect': '/',
                           'error': 'This assertion has already been used; sign in again.'}
    assert app.get('/protected', status=403)


def test_another_spelling_of_the_same_signature_is_a_replay(app, login, idp):
    assertion = idp.assertion('alice@example.com', AUDIENCE)
    respelled = respell(assertion)
    assert respelled != assertion
    login(app, assertion=assertion, status=200)
    app.reset()
    assert 'already been used' in login(app, assertion=respelled, status=400).json['error']


def test_a_rejected_assertion_is_not_remembered(app, login, idp):
    # A refusal must not burn the assertion: the replay check comes after
    # verification, so a forged copy cannot lock the real user out.
    from pyramid_persona.testing import tamper

    assertion = idp.assertion('alice@example.com', AUDIENCE)
    login(app, assertion=tamper(assertion, 'certificate-signature'), status=400)
    login(app, assertion=assertion, status=200)


def test_each_app_has_its_own_memory_cache(make_app, login, idp):
    first, second = make_app(), make_app()
    assert get_replay_cache(first.app.registry) is not get_replay_cache(second.app.registry)
    assertion = idp.assertion('alice@example.com', AUDIENCE)
    login(first, assertion=assertion, status=200)
    login(second, assertion=assertion, status=200)  # another process, in effect


def test_replay_cache_none_accepts_replays(make_app, login, idp):
    app = make_app(replay_cache='none')
    assert get_replay_cache(app.app.registry) is None
    assertion = idp.assertion('alice@example.com', AUDIENCE)
    login(app, assertion=assertion, status=200)
    app.reset()
    login(app, assertion=assertion, status=200)


def test_two_apps_sharing_one_redis_refuse_the_second_use(make_app, login, idp, redis_server, redis_client):
    first = make_app(replay_cache=redis_server)
    second = make_app(replay_cache=redis_server)
    assert isinstance(get_replay_cache(first.app.registry), RedisReplayCache)
    assertion = idp.assertion('alice@example.com', AUDIENCE)
    assert login(first, assertion=assertion, status=200).json['success'] is True
    answer = login(second, assertion=respell(assertion), status=400)
    assert 'already been used' in answer.json['error']
    assert second.get('/protected', status=403)


def test_login_answers_503_when_redis_is_down(make_app, login, idp, caplog):
    app = make_app(replay_cache='redis://127.0.0.1:%d/0' % free_port(), verifier_timeout='0.5')
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger='pyramid_persona'):
        answer = login(app, status=503)
    assert answer.json['success'] is False
    assert 'temporarily unavailable' in answer.json['error']
    assert app.get('/protected', status=403)
    assert [r.levelno for r in caplog.records if r.name.startswith('pyramid_persona')] == [logging.ERROR]


def test_signature_bytes_not_text_are_the_key(idp):
    # The digest ignores the base64 spelling but not the signed bytes.
    from pyramid_persona.tokens import parse_bundle

    assertion = idp.assertion('alice@example.com', AUDIENCE)
    assert parse_bundle(assertion).assertion.digest == parse_bundle(respell(assertion)).assertion.digest
    # (Two assertions with the same key, audience and expiry are the same
    # signed bytes, hence the other expiry.)
    other = idp.assertion('alice@example.com', AUDIENCE, expires=parse_bundle(assertion).expires + 1)
    assert parse_bundle(assertion).assertion.digest != parse_bundle(other).assertion.digest
