"""The default security policy and session factory, and how an app overrides them."""
import pytest
import webtest
from pyramid.authentication import AuthTktAuthenticationPolicy
from pyramid.authorization import ACLAuthorizationPolicy
from pyramid.exceptions import ConfigurationError
from pyramid.interfaces import ISecurityPolicy, ISessionFactory
from pyramid.session import SignedCookieSessionFactory

from pyramid_persona.security import PersonaSecurityPolicy

from .conftest import AUDIENCE, build_app


def cookies(response):
    """``{name: Set-Cookie header}`` of a response."""
    return {h.split('=', 1)[0]: h for h in response.headers.getall('Set-Cookie')}


def test_login_sets_an_authtkt_cookie_that_signs_in(app, login):
    response = login(app, email='alice@example.com')
    assert response.json == {'redirect': '/', 'success': True}
    assert app.get('/protected').text == 'Hello alice@example.com!'


def test_cookies_are_httponly_and_samesite_lax_but_not_secure_on_http(app, login):
    set_cookies = cookies(login(app))
    assert set(set_cookies) == {'auth_tkt', 'session'}
    for header in set_cookies.values():
        assert 'HttpOnly' in header
        assert 'SameSite=Lax' in header
        assert 'secure' not in header.lower()


def test_cookies_are_secure_when_every_audience_is_https(make_app, idp):
    app = make_app(audiences='https://example.com')
    app.extra_environ.update({'wsgi.url_scheme': 'https', 'HTTP_HOST': 'example.com'})
    from .conftest import csrf_token

    response = app.post('/login', {'assertion': idp.assertion('alice@example.com', 'https://example.com'),
                                   'csrf_token': csrf_token(app)},
                        headers={'Origin': 'https://example.com'})  # Pyramid checks it on https
    set_cookies = cookies(response)
    assert set(set_cookies) == {'auth_tkt', 'session'}
    for header in set_cookies.values():
        assert '; secure' in header.lower()


def test_https_login_from_another_origin_answers_json_400(make_app, idp):
    from .conftest import csrf_token

    app = make_app(audiences='https://example.com')
    app.extra_environ.update({'wsgi.url_scheme': 'https', 'HTTP_HOST': 'example.com'})
    form = {'assertion': idp.assertion('alice@example.com', 'https://example.com'),
            'csrf_token': csrf_token(app)}
    for headers in ({}, {'Origin': 'https://evil.example'}):
        response = app.post('/login', form, headers=headers, status=400)
        assert response.json == {'success': False, 'redirect': '/',
                                 'error': 'The request did not come from a page of this site.'}
    assert app.get('/protected', status=403)


def test_the_authtkt_cookie_is_signed_with_sha512_and_a_derived_secret(app, login):
    ticket = cookies(login(app))['auth_tkt'].split('=', 1)[1].split(';')[0]
    assert len(ticket.split('!')[0]) > 128 + 8  # sha512 hex digest + timestamp
    # The raw persona.secret does not validate it: secrets are derived per use.
    policy = PersonaSecurityPolicy('a-test-secret-that-is-long-enough-0123456789')
    from pyramid.testing import DummyRequest

    request = DummyRequest(cookies={'auth_tkt': ticket})
    assert policy.identity(request) is None


def test_a_forged_cookie_signs_nobody_in(app):
    app.set_cookie('auth_tkt', 'deadbeef' * 16 + '00000000alice@example.com!')
    assert app.get('/protected', status=403)


def test_principals(app, login):
    login(app, email='bob@example.com')
    registry = app.app.registry
    policy = registry.getUtility(ISecurityPolicy)
    from pyramid.authorization import Authenticated, Everyone
    from pyramid.request import Request

    request = Request.blank('/', cookies=app.cookies)
    request.registry = registry
    assert policy.effective_principals(request) == [Everyone, Authenticated, 'bob@example.com']
    assert policy.effective_principals(Request.blank('/')) == [Everyone]


def test_acl_authorization(app, login):
    assert app.get('/protected', status=403)
    login(app)
    assert app.get('/protected', status=200)


def test_logout_forgets_and_drops_the_session(app, login):
    from .conftest import csrf_token

    login(app)
    response = app.post('/logout', {'csrf_token': csrf_token(app)})
    assert response.json == {'redirect': '/'}
    assert 'Max-Age=0' in cookies(response)['auth_tkt']
    assert app.get('/protected', status=403)


def test_logout_empties_the_session(app, login):
    from .conftest import csrf_token

    login(app)
    token = csrf_token(app)
    app.post('/logout', {'csrf_token': token})
    # The CSRF token lived in the session: a dropped session no longer knows it.
    assert app.post('/logout', {'csrf_token': token}, status=400).json['success'] is False


def test_login_starts_a_fresh_session_and_rotates_the_csrf_token(app, login):
    from .conftest import csrf_token

    before = csrf_token(app)
    login(app)
    after = csrf_token(app)
    assert before != after
    # The old token no longer works.
    response = app.post('/logout', {'csrf_token': before}, status=400)
    assert response.json['success'] is False


def _clock_ahead(monkeypatch, seconds):
    import time

    now = time.time()
    monkeypatch.setattr(time, 'time', lambda: now + seconds)


def test_pages_that_only_read_the_session_do_not_resign_its_cookie(app):
    first = app.get('/')
    assert 'session' in cookies(first)  # a new session, with its CSRF token
    assert 'session' not in cookies(app.get('/'))


def test_the_session_cookie_is_renewed_after_the_reissue_time(app, monkeypatch):
    from pyramid_persona.security import SESSION_REISSUE_TIME

    from .conftest import csrf_token

    token = csrf_token(app)
    _clock_ahead(monkeypatch, SESSION_REISSUE_TIME + 1)
    again = app.get('/')
    assert 'session' in cookies(again)
    assert csrf_token(app) == token  # the same session, renewed


def test_an_idle_session_expires_with_its_csrf_token(app, monkeypatch):
    from pyramid_persona.security import SESSION_TIMEOUT

    from .conftest import csrf_token

    token = csrf_token(app)
    _clock_ahead(monkeypatch, SESSION_TIMEOUT + 1)
    assert csrf_token(app) != token
    assert app.post('/logout', {'csrf_token': token}, status=400).json['success'] is False


def test_app_security_policy_wins(settings):
    class Policy:
        def identity(self, request):
            return 'fixed@example.com'

        def authenticated_userid(self, request):
            return 'fixed@example.com'

        def permits(self, request, context, permission):
            return True

        def remember(self, request, userid, **kw):
            return [('X-Remembered', userid)]

        def forget(self, request, **kw):
            return []

    policy = Policy()
    wsgi = build_app(settings, lambda config: config.set_security_policy(policy))
    assert wsgi.registry.getUtility(ISecurityPolicy) is policy
    assert webtest.TestApp(wsgi).get('/protected').text == 'Hello fixed@example.com!'


def test_legacy_authentication_and_authorization_policies_win(settings, login):
    def configure(config):
        config.set_authentication_policy(AuthTktAuthenticationPolicy('x' * 40, hashalg='sha512'))
        config.set_authorization_policy(ACLAuthorizationPolicy())

    with pytest.warns(DeprecationWarning):
        wsgi = build_app(settings, configure)
    assert not isinstance(wsgi.registry.getUtility(ISecurityPolicy), PersonaSecurityPolicy)
    app = webtest.TestApp(wsgi, extra_environ={'HTTP_HOST': 'localhost'})
    login(app, email='carol@example.com')
    assert app.get('/protected').text == 'Hello carol@example.com!'


def test_app_session_factory_wins(settings):
    factory = SignedCookieSessionFactory('y' * 40, cookie_name='mine')
    wsgi = build_app(settings, lambda config: config.set_session_factory(factory))
    assert wsgi.registry.getUtility(ISessionFactory) is factory


def test_missing_secret_is_an_error_when_the_defaults_need_it(settings):
    del settings['persona.secret']
    with pytest.raises(ConfigurationError, match='persona.secret is missing'):
        build_app(settings)


def test_missing_secret_is_fine_when_the_app_brings_its_own_policy_and_sessions(settings):
    del settings['persona.secret']

    def configure(config):
        config.set_security_policy(PersonaSecurityPolicy('z' * 40))
        config.set_session_factory(SignedCookieSessionFactory('w' * 40))

    wsgi = build_app(settings, configure)
    assert webtest.TestApp(wsgi).get('/', extra_environ={'HTTP_HOST': 'localhost'}).status_int == 200


def test_missing_secret_with_only_the_session_factory_overridden_is_an_error(settings):
    del settings['persona.secret']

    def configure(config):
        config.set_session_factory(SignedCookieSessionFactory('w' * 40))

    with pytest.raises(ConfigurationError, match='persona.secret is missing: the default security policy'):
        build_app(settings, configure)


def test_two_apps_in_one_process_do_not_share_state(make_app, login):
    first, second = make_app(), make_app(secret='another-secret-that-is-long-enough-0123456789')
    login(first)
    second.set_cookie('auth_tkt', first.cookies['auth_tkt'])
    assert second.get('/protected', status=403)
    assert first.app.registry['persona.verifier'] is not second.app.registry['persona.verifier']


def test_audience_constant_is_http():
    assert AUDIENCE.startswith('http://')
