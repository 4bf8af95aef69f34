"""The login, logout and forbidden views, through a real application."""

import json

import pytest
from pyramid.security import NO_PERMISSION_REQUIRED, remember

from pyramid_persona.events import PersonaLogin, PersonaLogout
from pyramid_persona.testing import IdentityProvider, tamper
from pyramid_persona.views import verify_login

from .conftest import AUDIENCE, csrf_token


def error_of(response):
    """The JSON error answer, checked for its shape."""
    body = response.json
    assert set(body) == {'success', 'error', 'redirect'}
    assert body['success'] is False
    assert isinstance(body['error'], str) and body['error'].endswith('.')
    return body


def test_valid_login_remembers_the_email(app, login):
    response = login(app, email='alice@example.com', came_from='/protected')
    assert response.status_int == 200
    assert response.content_type == 'application/json'
    assert response.json == {'redirect': '/protected', 'success': True}
    assert app.get('/protected').text == 'Hello alice@example.com!'


@pytest.mark.parametrize('algorithm', ['RS64', 'RS128', 'RS256', 'DS128', 'DS256'])
def test_every_algorithm_of_the_reference_implementation_logs_in(make_app, login, tmp_path, algorithm):
    idp = IdentityProvider('other-idp.example', algorithm=algorithm)
    app = make_app(**{k[len('persona.') :]: v for k, v in idp.settings(tmp_path).items()})
    assertion = idp.assertion('dora@example.com', AUDIENCE)
    assert login(app, assertion=assertion).json['success'] is True
    assert app.get('/protected').text == 'Hello dora@example.com!'


@pytest.mark.parametrize(
    'make_assertion,error',
    [
        (lambda idp: idp.assertion('a@example.com', AUDIENCE, expired=True), 'expired'),
        (lambda idp: idp.assertion('a@example.com', 'http://evil.example'), 'another site'),
        (lambda idp: tamper(idp.assertion('a@example.com', AUDIENCE), 'assertion-signature'), 'signature'),
        (lambda idp: tamper(idp.assertion('a@example.com', AUDIENCE), 'certificate-signature'), 'signature'),
        (lambda idp: tamper(idp.assertion('a@example.com', AUDIENCE), 'certificate-payload'), 'signature'),
        (lambda idp: IdentityProvider('rogue.example').assertion('a@example.com', AUDIENCE), 'not trusted'),
        (lambda idp: 'garbage', 'identity certificate'),
        (lambda idp: '', 'No assertion'),
    ],
)
def test_rejected_assertions_answer_400_and_remember_nothing(app, login, idp, make_assertion, error):
    response = login(app, assertion=make_assertion(idp), came_from='/protected', status=400)
    body = error_of(response)
    assert error in body['error']
    assert body['redirect'] == '/protected'
    assert 'auth_tkt' not in response.headers.get('Set-Cookie', '')
    assert app.get('/protected', status=403)


def test_missing_assertion_field(app):
    response = app.post('/login', {'csrf_token': csrf_token(app)}, status=400)
    assert error_of(response)['error'] == 'No assertion was sent.'


def test_an_assertion_is_accepted_once(app, login, idp):
    assertion = idp.assertion('alice@example.com', AUDIENCE)
    assert login(app, assertion=assertion).json['success'] is True
    assert 'already been used' in error_of(login(app, assertion=assertion, status=400))['error']


def test_assertion_over_the_size_limit_is_refused_before_parsing(make_app, login, idp):
    app = make_app(max_assertion_bytes='1000')
    response = login(app, assertion=idp.assertion('alice@example.com', AUDIENCE), status=400)
    assert error_of(response)['error'] == 'The assertion is too large.'


def test_get_on_login_and_logout_answers_405(app):
    for path in ('/login', '/logout'):
        response = app.get(path, status=405)
        assert response.headers['Allow'] == 'POST'
        assert error_of(response)['error'] == 'Use POST.'


def test_missing_or_wrong_csrf_token_answers_json_400(app, idp):
    csrf_token(app)
    for form in (
        {'assertion': idp.assertion('a@example.com', AUDIENCE)},
        {'assertion': idp.assertion('a@example.com', AUDIENCE), 'csrf_token': 'wrong'},
    ):
        response = app.post('/login', form, status=400)
        assert 'CSRF token' in error_of(response)['error']
    assert app.post('/logout', {'csrf_token': 'wrong'}, status=400).json['success'] is False


def test_non_utf8_form_answers_json_400(app):
    token = csrf_token(app)
    body = ('csrf_token=%s&assertion=%%ff%%fe' % token).encode('ascii')
    response = app.post('/login', body, content_type='application/x-www-form-urlencoded', status=400)
    assert error_of(response)


def test_repeated_assertion_field_is_refused(app, idp):
    assertion = idp.assertion('a@example.com', AUDIENCE)
    form = [('assertion', assertion), ('assertion', assertion), ('csrf_token', csrf_token(app))]
    response = app.post('/login', form, status=400)
    assert 'more than once' in error_of(response)['error']


@pytest.mark.parametrize(
    'came_from,expected',
    [
        ('/protected?x=1#top', '/protected?x=1#top'),
        ('http://localhost/protected', 'http://localhost/protected'),
        ('http://localhost:80/protected', 'http://localhost:80/protected'),
        ('https://evil.example/', '/'),
        ('//evil.example/', '/'),
        ('/\\evil.example/', '/'),
        ('/\t/evil.example', '/'),
        ('javascript:alert(1)', '/'),
        ('http://localhost@evil.example/', '/'),
        ('http://evil.example\\@localhost/', '/'),
        ('https://localhost/', '/'),  # not an audience: another scheme is another origin
    ],
)
def test_came_from_is_honoured_only_for_this_site(app, login, came_from, expected):
    assert login(app, came_from=came_from).json['redirect'] == expected


def test_logout_redirects_to_came_from(app, login):
    login(app)
    response = app.post('/logout', {'csrf_token': csrf_token(app), 'came_from': '/bye'})
    assert response.json == {'redirect': '/bye'}
    response = app.post('/logout', {'csrf_token': csrf_token(app), 'came_from': 'https://evil.example/'})
    assert response.json == {'redirect': '/'}


def test_forbidden_page_offers_to_sign_in(app):
    response = app.get('/protected', status=403)
    assert response.content_type == 'text/html'
    assert 'You need to sign in to see this page.' in response.text
    assert 'id="signin"' in response.text
    assert '/_persona_static/persona.css' in response.text
    assert 'navigator.id' not in response.text.split('<script>')[0]  # scripts come from persona_head


def test_forbidden_page_names_the_signed_in_user(make_app, login):
    def configure(config):
        config.add_route('admin', '/admin')
        config.add_view(lambda request: 'secret', route_name='admin', renderer='string', permission='admin')

    app = make_app(configure)
    assert login(app, email="o'neil&co@example.com").json['success'] is True
    response = app.get('/admin', status=403)
    assert 'signed in as o&#39;neil&amp;co@example.com' in response.text
    assert 'id="signout"' in response.text


def test_forbidden_answers_json_to_clients_that_prefer_it(app):
    response = app.get('/protected', headers={'Accept': 'application/json'}, status=403)
    body = error_of(response)
    assert body['redirect'] == '/protected'


def test_login_event_can_refuse_and_redirect(make_app, login):
    def configure(config):
        def on_login(event):
            if event.email == 'banned@example.com':
                event.refuse('This address may not sign in here.')
            elif event.email == 'new@example.com':
                event.redirect = '/welcome'
            event.request.environ['seen_verification'] = event.verification

        config.add_subscriber(on_login, PersonaLogin)

    app = make_app(configure)
    response = login(app, email='banned@example.com', status=403)
    assert error_of(response)['error'] == 'This address may not sign in here.'
    assert app.get('/protected', status=403)
    assert login(app, email='new@example.com').json == {'redirect': '/welcome', 'success': True}
    assert app.get('/protected').text == 'Hello new@example.com!'


def test_login_event_carries_the_verification(make_app, login):
    seen = []

    def configure(config):
        config.add_subscriber(seen.append, PersonaLogin)

    login(make_app(configure), email='alice@example.com')
    (event,) = seen
    assert event.email == 'alice@example.com'
    assert event.verification['status'] == 'okay'
    assert event.verification['issuer'] == 'idp.example'
    assert event.verification['audience'] == AUDIENCE


def test_logout_event(make_app, login):
    seen = []

    def configure(config):
        def on_logout(event):
            seen.append(event.userid)
            event.redirect = '/goodbye'

        config.add_subscriber(on_logout, PersonaLogout)

    app = make_app(configure)
    login(app, email='alice@example.com')
    assert app.post('/logout', {'csrf_token': csrf_token(app)}).json == {'redirect': '/goodbye'}
    assert seen == ['alice@example.com']


def replacing_the_login_view(view):
    """Configuration that replaces the add-on's login view, as an app would."""

    def configure(config):
        config.add_view(view, route_name='login', request_method='POST', renderer='json',
                        require_csrf=True, permission=NO_PERMISSION_REQUIRED)

    return configure


def test_custom_login_view_with_verify_login(make_app, login):
    """The 1.6.1 pattern: an app replaces the login view and uses verify_login."""

    def custom_login(request):
        email = verify_login(request)
        if email.endswith('@refused.example'):
            return {'redirect': '/', 'success': False}
        request.response.headers.extend(remember(request, email))
        return {'redirect': '/welcome', 'success': True}

    app = make_app(replacing_the_login_view(custom_login))
    assert login(app, email='x@refused.example').json == {'redirect': '/', 'success': False}
    assert login(app, email='y@example.com').json == {'redirect': '/welcome', 'success': True}
    assert app.get('/protected').text == 'Hello y@example.com!'


def test_a_custom_login_view_is_also_protected_from_huge_forms(make_app):
    read = []

    def custom_login(request):
        read.append(request.POST)
        return {'redirect': '/', 'success': True}

    app = make_app(replacing_the_login_view(custom_login))
    response = app.post('/login', {'assertion': 'A' * 100_000}, status=400)
    assert error_of(response)['error'] == 'The form is too large.'
    assert read == []


def test_the_size_check_leaves_other_routes_alone(make_app):
    response = make_app().post('/', {'big': 'x' * 100_000})
    assert response.status_int == 200


def test_verify_login_raises_the_json_400(make_app, login, idp):
    def custom_login(request):
        return {'email': verify_login(request)}

    app = make_app(replacing_the_login_view(custom_login))
    expired = idp.assertion('a@example.com', AUDIENCE, expired=True)
    assert 'expired' in error_of(login(app, assertion=expired, status=400))['error']


def test_custom_routes_and_paths(make_app, idp):
    app = make_app(
        login_route='signin', login_path='/auth/in', logout_route='signout', logout_path='/auth/out'
    )
    page = app.get('/')
    assert '"loginUrl": "/auth/in"' in page.text
    response = app.post(
        '/auth/in', {'assertion': idp.assertion('a@example.com', AUDIENCE), 'csrf_token': csrf_token(app)}
    )
    assert response.json['success'] is True
    assert app.post('/auth/out', {'csrf_token': csrf_token(app)}).json == {'redirect': '/'}
    assert app.post('/login', status=404)


def test_views_need_no_permission_even_with_a_default_permission(make_app, login):
    app = make_app(lambda config: config.set_default_permission('view_protected'))
    assert login(app).json['success'] is True


def test_a_failing_custom_verifier_is_a_400_not_a_500(make_app, login):
    app = make_app(verifier='tests.test_views.ExplodingVerifier')
    assert 'invalid' in error_of(login(app, status=400))['error']


def test_custom_verifier_is_called_with_the_audiences(make_app, login):
    app = make_app(verifier='tests.test_views.FriendlyVerifier')
    verifier = app.app.registry['persona.verifier']
    assert verifier.audiences == [AUDIENCE]
    assert login(app, assertion='anything').json['success'] is True
    assert app.get('/protected').text == 'Hello friend@example.com!'


class ExplodingVerifier:
    def __init__(self, audiences):
        pass

    def verify(self, assertion):
        raise KeyError('principal')


class FriendlyVerifier:
    def __init__(self, audiences):
        self.audiences = audiences

    def verify(self, assertion):
        return {'status': 'okay', 'email': 'friend@example.com'}


def test_redirect_parameter_is_in_the_registry(app):
    assert app.app.registry['persona.redirect_url_parameter'] == 'came_from'


def test_json_error_is_plain_json(app):
    response = app.get('/login', status=405)
    assert json.loads(response.body.decode('utf-8'))['success'] is False
