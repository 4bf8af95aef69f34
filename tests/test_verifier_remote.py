"""The remote verifier against real HTTP servers on 127.0.0.1, good and bad.

Every fault ends in the JSON 503 (the service failed) or 400 (its answer
does not match the assertion), quickly, and is logged once with its reason,
never with the assertion or a secret.
"""
import json
import logging
import time

import pytest

from pyramid_persona.testing import now_ms

from .conftest import AUDIENCE, SECRET, free_port
from .servers import (
    LoopbackServer,
    dripping_reply,
    json_reply,
    raw_reply,
    redirect_reply,
    slow_reply,
    truncated_reply,
)

TIMEOUT = 0.3


def okay(email='alice@example.com', audience=AUDIENCE, **extra):
    answer = {'status': 'okay', 'email': email, 'audience': audience,
              'expires': int(time.time() * 1000) + 60_000, 'issuer': 'idp.example'}
    answer.update(extra)
    return answer


@pytest.fixture
def remote_app(make_app, caplog):
    """``remote_app(url)``: an app verifying through the service at ``url``."""

    def make(url):
        app = make_app(verifier='remote', verifier_url=url, verifier_timeout=str(TIMEOUT),
                       trusted_issuers=None, support_documents=None, fetch_support_documents=None)
        caplog.clear()  # start-up warnings are not what the tests look at
        caplog.set_level(logging.INFO, logger='pyramid_persona')
        return app

    return make


def pyramid_logs(caplog):
    return [r for r in caplog.records if r.name.startswith('pyramid_persona')]


def assert_logged_once(caplog, level, reason, assertion):
    records = pyramid_logs(caplog)
    assert len(records) == 1, [r.getMessage() for r in records]
    [record] = records
    message = record.getMessage()
    assert record.levelno == level
    assert reason in message
    for secret in [assertion, SECRET] + assertion.replace('~', '.').split('.'):
        assert secret not in message


def test_a_verified_assertion_logs_in(remote_app, login, idp):
    with LoopbackServer(json_reply(okay())) as server:
        app = remote_app(server.url + '/verify')
        assertion = idp.assertion('alice@example.com', AUDIENCE)
        answer = login(app, assertion=assertion, status=200)
    assert answer.json == {'redirect': '/', 'success': True}
    assert app.get('/protected').text == 'Hello alice@example.com!'
    [request] = server.requests
    assert request['method'] == 'POST' and request['path'] == '/verify'
    assert request['headers']['Content-Type'] == 'application/json'
    assert json.loads(request['body']) == {'assertion': assertion, 'audience': AUDIENCE}


def test_a_browserid_ng_answer_without_audience_logs_in(remote_app, login, idp):
    """browserid-ng's /verify answers without an ``audience`` field."""
    reply = {'status': 'okay', 'email': 'bob@example.com', 'issuer': 'broker.example',
             'expires': int(time.time() * 1000) + 60_000}
    with LoopbackServer(json_reply(reply)) as server:
        app = remote_app(server.url + '/verify')
        answer = login(app, assertion=idp.assertion('bob@example.com', AUDIENCE), status=200)
    assert answer.json == {'redirect': '/', 'success': True}
    assert app.get('/protected').text == 'Hello bob@example.com!'


def test_one_connection_serves_many_logins(remote_app, login, idp):
    with LoopbackServer(json_reply(okay(), keep_alive=True)) as server:
        app = remote_app(server.url + '/verify')
        for i in range(4):
            app.reset()
            assertion = idp.assertion('alice@example.com', AUDIENCE, expires=now_ms() + 120_000 + i)
            login(app, assertion=assertion, status=200)
    assert len(server.requests) == 4
    assert server.connections == 1


def test_the_verifier_is_not_asked_about_an_assertion_for_another_site(remote_app, login, idp):
    with LoopbackServer(json_reply(okay())) as server:
        app = remote_app(server.url + '/verify')
        login(app, assertion=idp.assertion('alice@example.com', 'https://elsewhere.example'), status=400)
    assert server.requests == []


UNAVAILABLE = [
    ('5xx', json_reply({'status': 'failure', 'reason': 'db down'}, status=500), 'HTTP 500'),
    ('html', raw_reply(b'<html><body>Maintenance</body></html>'), 'no JSON object'),
    ('html 404', raw_reply(b'<html>Not found</html>', status=404), 'HTTP 404 with no JSON object'),
    ('json list', json_reply(['okay']), 'no JSON object'),
    ('truncated', truncated_reply(b'{"status": "okay", "em', claimed=400), 'cut its answer short'),
    ('too large', raw_reply(b' ' * 100_000, content_type='application/json'), 'more than'),
    ('slow', slow_reply(30, json_reply(okay())), 'did not answer within 0.3s'),
    ('redirect', redirect_reply('http://127.0.0.1:9/verify', status=307), 'HTTP 307 with no JSON object'),
]


@pytest.mark.parametrize('name, reply, reason', UNAVAILABLE, ids=[u[0] for u in UNAVAILABLE])
def test_a_failing_verifier_is_a_503_logged_once_as_an_error(remote_app, login, idp, caplog, name, reply,
                                                              reason):
    assertion = idp.assertion('alice@example.com', AUDIENCE)
    with LoopbackServer(reply) as server:
        app = remote_app(server.url + '/verify')
        started = time.monotonic()
        answer = login(app, assertion=assertion, status=503)
        assert time.monotonic() - started < 10  # a slow reply would take 30 s
    assert answer.json['success'] is False
    assert answer.json['redirect'] == '/'
    assert app.get('/protected', status=403)
    assert_logged_once(caplog, logging.ERROR, reason, assertion)


def test_connection_refused_is_a_503(remote_app, login, idp, caplog):
    assertion = idp.assertion('alice@example.com', AUDIENCE)
    app = remote_app('http://127.0.0.1:%d/verify' % free_port())
    answer = login(app, assertion=assertion, status=503)
    assert answer.json['error'] == 'The verification service could not be reached.'
    assert_logged_once(caplog, logging.ERROR, 'could not be reached', assertion)


def test_dns_failure_is_a_503(remote_app, login, idp, caplog):
    # .invalid names never resolve (RFC 6761).
    assertion = idp.assertion('alice@example.com', AUDIENCE)
    app = remote_app('http://verifier.invalid/verify')
    login(app, assertion=assertion, status=503)
    assert_logged_once(caplog, logging.ERROR, 'could not be reached', assertion)


def test_a_verifier_dripping_its_answer_is_cut_at_the_timeout(remote_app, login, idp, caplog):
    assertion = idp.assertion('alice@example.com', AUDIENCE)
    with LoopbackServer(dripping_reply(content_length=200)) as server:
        app = remote_app(server.url + '/verify')
        started = time.monotonic()
        login(app, assertion=assertion, status=503)
        assert time.monotonic() - started < 10  # dripping takes 20 s
    assert_logged_once(caplog, logging.ERROR, 'did not answer within', assertion)


REJECTED = [
    ('refused', json_reply({'status': 'failure', 'reason': 'assertion has expired'}), logging.INFO,
     'assertion has expired', 'The verification service refused the assertion.'),
    ('refused 400', json_reply({'status': 'failure', 'reason': 'need assertion'}, status=400), logging.INFO,
     'need assertion', 'The verification service refused the assertion.'),
    ('another email', json_reply(okay(email='mallory@example.com')), logging.WARNING,
     'another email', 'The verification service answered for another address.'),
    ('no email', json_reply(okay(email=None)), logging.WARNING,
     'another email', 'The verification service answered for another address.'),
    ('another audience', json_reply(okay(audience='https://attacker.example')), logging.WARNING,
     'another audience', 'The verification service answered for another site.'),
]


@pytest.mark.parametrize('name, reply, level, reason, error', REJECTED, ids=[r[0] for r in REJECTED])
def test_an_answer_that_does_not_match_is_a_400_logged_once(remote_app, login, idp, caplog, name, reply,
                                                            level, reason, error):
    assertion = idp.assertion('alice@example.com', AUDIENCE)
    with LoopbackServer(reply) as server:
        app = remote_app(server.url + '/verify')
        answer = login(app, assertion=assertion, status=400)
    assert answer.json == {'success': False, 'error': error, 'redirect': '/'}
    assert app.get('/protected', status=403)
    assert_logged_once(caplog, level, reason, assertion)


def test_the_verifier_url_password_is_never_logged(remote_app, login, idp, caplog):
    with LoopbackServer(json_reply({}, status=502)) as server:
        app = remote_app('http://persona:s3cr3t-pw@127.0.0.1:%d/verify' % server.port)
        login(app, status=503)
    [record] = pyramid_logs(caplog)
    assert 's3cr3t-pw' not in record.getMessage()
    assert '***@127.0.0.1' in record.getMessage()

