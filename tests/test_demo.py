"""The demo application (demo/), built from its development.ini.

Logins use assertions certified by the demo's own development identity
provider; test_browser.py walks the same paths in a real browser.
"""
import os

import pytest
import webtest
from pyramid.paster import get_app, get_appsettings

import demo
from demo.views import DENIED_EMAIL
from pyramid_persona.testing import make_keypair, now_ms, sign_jwt

from .conftest import csrf_token

INI_FILE = os.path.join(os.path.dirname(demo.__file__), 'development.ini')
ORIGIN = 'http://localhost:6543'


@pytest.fixture
def app():
    """The demo as ``pserve demo/development.ini`` serves it."""
    return webtest.TestApp(get_app(INI_FILE), extra_environ={'HTTP_HOST': 'localhost:6543'})


@pytest.fixture(scope='module')
def user_key():
    return make_keypair('RS256')


def sign_in(app, email, user_key, came_from=None, status='*'):
    """Certify ``user_key`` for ``email`` with the demo's identity provider,
    sign an assertion for the demo and post it to /login."""
    body = {'email': email, 'publicKey': user_key.public_key}
    certificate = app.post_json('/_persona_dev_idp/certify', body).json['certificate']
    assertion = certificate + '~' + sign_jwt({'aud': ORIGIN, 'exp': now_ms() + 60000}, user_key)
    form = {'assertion': assertion, 'csrf_token': csrf_token(app)}
    if came_from is not None:
        form['came_from'] = came_from
    return app.post('/login', form, status=status)


def test_development_ini_turns_the_identity_provider_on():
    settings = get_appsettings(INI_FILE)
    assert settings['persona.dev_idp'] == 'true'
    assert settings['persona.audiences'] == ORIGIN


def test_front_page_anonymous(app):
    page = app.get('/')
    assert page.html.find(id='greeting').text == 'You are not signed in'
    assert page.html.find(id='signin') is not None
    assert '/_persona_dev_idp/include.js' in page.text


def test_first_sign_in_goes_to_the_welcome_page_then_back(app, user_key):
    answer = sign_in(app, 'alice@example.com', user_key, came_from=ORIGIN + '/?page=2', status=200)
    assert answer.json == {'success': True, 'redirect': '/welcome?came_from=%2F%3Fpage%3D2'}
    welcome = app.get(answer.json['redirect'])
    assert welcome.html.find(id='greeting').text == 'Welcome, alice@example.com!'
    assert welcome.html.find(id='continue')['href'] == '/?page=2'
    home = app.get('/')
    assert home.html.find(id='greeting').text == 'Hello alice@example.com!'
    assert home.html.find(id='signout') is not None

    again = sign_in(app, 'alice@example.com', user_key, came_from=ORIGIN + '/restricted', status=200)
    assert again.json == {'success': True, 'redirect': ORIGIN + '/restricted'}


def test_restricted_page_needs_a_signed_in_user(app, user_key):
    forbidden = app.get('/restricted', status=403)
    assert 'You need to sign in to see this page.' in forbidden.text
    assert forbidden.html.find(id='signin') is not None
    sign_in(app, 'bob@example.com', user_key, status=200)
    page = app.get('/restricted')
    assert page.html.find(id='greeting').text == 'Hello bob@example.com!'


def test_the_denied_address_is_refused(app, user_key):
    answer = sign_in(app, DENIED_EMAIL, user_key, status=403)
    assert answer.json['success'] is False
    assert answer.json['error'] == 'denied@example.com may not sign in to this demo (it is on its deny list).'
    assert app.get('/').html.find(id='greeting').text == 'You are not signed in'


def test_the_login_view_still_needs_the_csrf_token(app, user_key):
    answer = app.post('/login', {'assertion': 'x~y'}, status=400)
    assert answer.json['success'] is False


def test_a_forged_assertion_is_refused(app, user_key):
    forger = make_keypair('RS256')
    certificate = sign_jwt(
        {'iss': 'localhost:6543', 'exp': now_ms() + 60000, 'public-key': user_key.public_key,
         'principal': {'email': 'carol@example.com'}},
        forger,
    )
    assertion = certificate + '~' + sign_jwt({'aud': ORIGIN, 'exp': now_ms() + 60000}, user_key)
    answer = app.post('/login', {'assertion': assertion, 'csrf_token': csrf_token(app)}, status=400)
    assert answer.json['success'] is False
    assert app.get('/restricted', status=403)


def test_the_site_has_an_icon(app):
    assert app.get('/favicon.ico').content_type == 'image/svg+xml'
