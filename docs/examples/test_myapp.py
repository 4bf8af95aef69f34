"""Tests of myapp's login flow, with real assertions and real signatures.

Run with ``pytest``; nothing leaves the machine.
"""
import json
import re

import pytest
import webtest
from myapp import main

from pyramid_persona.testing import IdentityProvider, tamper

AUDIENCE = 'http://localhost'  # WebTest's requests go to http://localhost


@pytest.fixture(scope='session')
def idp():
    """An identity provider with its own RSA key, made once per test run."""
    return IdentityProvider('idp.example')


@pytest.fixture
def app(idp, tmp_path):
    settings = {
        'persona.secret': 'a-secret-for-tests-only-0123456789abcdef',
        'persona.audiences': AUDIENCE,
        'persona.include_js_url': 'https://idp.example/include.js',
    }
    # persona.verifier = local, trusting idp with its support document
    # pinned in tmp_path: no network.
    settings.update(idp.settings(tmp_path))
    return webtest.TestApp(main({}, **settings))


def csrf_token(app):
    """The CSRF token the front page hands to its script."""
    page = app.get('/')
    return json.loads(re.search(r'"csrfToken": ("[^"]*")', page.text).group(1))


def login(app, assertion, status=200):
    form = {'assertion': assertion, 'csrf_token': csrf_token(app)}
    return app.post('/login', form, status=status)


def test_anonymous_users_see_the_sign_in_button(app):
    page = app.get('/')
    assert 'id="signin"' in page.text
    app.get('/secret', status=403)


def test_login(app, idp):
    answer = login(app, idp.assertion('alice@example.com', AUDIENCE))
    assert answer.json == {'redirect': '/', 'success': True}
    secret = app.get('/secret').text
    assert secret == 'Only signed-in users see this, alice@example.com.'
    assert 'Hello alice@example.com!' in app.get('/').text


def test_login_returns_where_the_user_was(app, idp):
    form = {
        'assertion': idp.assertion('alice@example.com', AUDIENCE),
        'csrf_token': csrf_token(app),
        'came_from': '/secret',
    }
    assert app.post('/login', form).json['redirect'] == '/secret'


def test_an_assertion_is_accepted_once(app, idp):
    assertion = idp.assertion('alice@example.com', AUDIENCE)
    login(app, assertion)
    app.reset()  # a new visitor (cookies dropped) replays it
    assert login(app, assertion, status=400).json['success'] is False


def test_logout(app, idp):
    login(app, idp.assertion('alice@example.com', AUDIENCE))
    app.post('/logout', {'csrf_token': csrf_token(app)})
    app.get('/secret', status=403)


EMAIL = 'alice@example.com'


@pytest.mark.parametrize('assertion', [
    lambda idp: idp.assertion(EMAIL, AUDIENCE, expired=True),
    lambda idp: idp.assertion(EMAIL, 'https://another-site.example'),
    lambda idp: tamper(idp.assertion(EMAIL, AUDIENCE)),
    lambda idp: IdentityProvider('stranger.example').assertion(EMAIL, AUDIENCE),
])
def test_bad_assertions_are_refused(app, idp, assertion):
    answer = login(app, assertion(idp), status=400)
    assert answer.json['success'] is False
    app.get('/secret', status=403)
