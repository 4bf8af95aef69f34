"""The development identity provider (``persona.dev_idp = true``).

The browser's part (WebCrypto keys, the dialog) is exercised in
test_browser.py; here the user's keypair is made in Python and certified
through the provider's own endpoint, so every signature is real.
"""
import json
import logging
import os
import stat

import pytest
import webtest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyramid.exceptions import ConfigurationError

from pyramid_persona.devidp import get_identity_provider
from pyramid_persona.keys import load_public_key
from pyramid_persona.testing import make_keypair, now_ms, sign_jwt, tamper

from .conftest import AUDIENCE, SECRET, build_app, csrf_token

DEV_SETTINGS = {
    'persona.secret': SECRET,
    'persona.audiences': AUDIENCE,
    'persona.dev_idp': 'true',
}


@pytest.fixture(scope='module')
def user_key():
    """The keypair a browser would make for its user."""
    return make_keypair('RS256')


def dev_app(configure=None, **settings):
    """An application with only the development identity provider."""
    values = dict(DEV_SETTINGS)
    values.update(settings)
    return webtest.TestApp(build_app(values, configure), extra_environ={'HTTP_HOST': 'localhost'})


@pytest.fixture
def app():
    return dev_app()


def certify(app, email, public_key, status=200):
    """Ask the provider for a certificate, as include.js does."""
    body = {'email': email, 'publicKey': public_key}
    return app.post_json('/_persona_dev_idp/certify', body, status=status)


def dev_assertion(app, email, user_key, audience=AUDIENCE):
    """``certificate~assertion`` for ``email``: certified by the provider,
    signed with the user's key."""
    certificate = certify(app, email, user_key.public_key).json['certificate']
    return certificate + '~' + sign_jwt({'aud': audience, 'exp': now_ms() + 60000}, user_key)


def post_login(app, assertion, status='*'):
    return app.post('/login', {'assertion': assertion, 'csrf_token': csrf_token(app)}, status=status)


def test_off_by_default_nothing_is_served(make_app):
    app = make_app()
    app.get('/.well-known/browserid', status=404)
    app.get('/_persona_dev_idp/include.js', status=404)
    assert '/_persona_dev_idp/' not in app.get('/').text


def test_pages_use_the_embedded_include_js(app):
    page = app.get('/')
    assert '<script src="/_persona_dev_idp/include.js"></script>' in page.text
    script = app.get('/_persona_dev_idp/include.js')
    assert script.content_type == 'text/javascript'
    assert 'navigator.id = { watch: watch, request: request, logout: logout }' in script.text
    assert script.text.rstrip().endswith(
        '({"signInUrl": "/_persona_dev_idp/sign_in", "certifyUrl": "/_persona_dev_idp/certify"});'
    )


def test_support_document_is_valid(app):
    document = app.get('/.well-known/browserid').json
    assert set(document) == {'public-key', 'authentication', 'provisioning'}
    key = document['public-key']
    assert key['algorithm'] == 'RS' and key['e'] == '65537'
    load_public_key(key)  # a usable 2048-bit key
    assert int(key['n']).bit_length() == 2048
    assert app.get(document['authentication']).content_type == 'text/html'
    assert app.get(document['provisioning']).content_type == 'text/html'


def test_sign_in_dialog_says_any_address_is_accepted(app):
    page = app.get('/_persona_dev_idp/sign_in')
    assert 'anyone can sign in as anyone' in page.text
    form = page.html.find('form')
    assert form.find('input', type='email') is not None
    assert form.find('button', type='submit') is not None
    assert page.headers['Content-Security-Policy'] == "frame-ancestors 'self'"


def test_a_certified_key_signs_in(app, user_key):
    answer = post_login(app, dev_assertion(app, 'alice@example.com', user_key), status=200)
    assert answer.json['success'] is True
    assert app.get('/protected').text == 'Hello alice@example.com!'


def test_certificate_is_signed_by_the_provider_for_the_given_key(app, user_key):
    answer = certify(app, 'Bob@Example.COM', user_key.public_key).json
    assert answer['email'] == 'bob@example.com'
    provider = get_identity_provider(app.app.registry)
    assert answer['issuer'] == provider.issuer == 'localhost'
    payload = json.loads(_decode(answer['certificate'].split('.')[1]))
    assert payload['principal'] == {'email': 'bob@example.com'}
    assert payload['public-key'] == user_key.public_key
    assert payload['iss'] == 'localhost'
    assert payload['exp'] > now_ms()


@pytest.mark.parametrize(
    'part',
    ['certificate-signature', 'assertion-signature', 'certificate-payload', 'assertion-payload'],
)
def test_a_tampered_assertion_is_refused(app, user_key, part):
    forged = tamper(dev_assertion(app, 'carol@example.com', user_key), part)
    answer = post_login(app, forged, status=400)
    assert answer.json['success'] is False
    assert app.get('/protected', status=403)


def test_an_assertion_for_another_site_is_refused(app, user_key):
    assertion = dev_assertion(app, 'dave@example.com', user_key, audience='http://localhost:9999')
    assert post_login(app, assertion, status=400).json['error'] == 'The assertion was made for another site.'


def test_a_certificate_from_another_dev_app_is_refused(user_key):
    # Each application has its own key: nothing is shared between apps.
    one, other = dev_app(), dev_app()
    assertion = dev_assertion(one, 'erin@example.com', user_key)
    post_login(other, assertion, status=400)
    post_login(one, assertion, status=200)


BAD_EMAIL = 'Enter a valid email address, such as alice@example.com.'
BAD_KEY = 'The public key is not a usable BrowserID key.'


@pytest.mark.parametrize(
    'body, error',
    [
        (b'not json', 'The request body is not JSON.'),
        (b'\xff\xfe', 'The request body is not JSON.'),
        (b'{"email": NaN}', 'The request body is not JSON.'),
        (b'[1, 2]', 'Send a JSON object with "email" and "publicKey".'),
        (b'{"publicKey": {}}', BAD_EMAIL),
        (b'{"email": "no-at-sign", "publicKey": {}}', BAD_EMAIL),
        (b'{"email": ["a@b.c"], "publicKey": {}}', BAD_EMAIL),
        (b'{"email": "a@example.com:8080", "publicKey": {}}',
         BAD_EMAIL),
        (b'{"email": "a@example.com"}', BAD_KEY),
        (b'{"email": "a@example.com", "publicKey": "RS"}', BAD_KEY),
        (b'{"email": "a@example.com", "publicKey": {"algorithm": "RS", "n": "15", "e": "3"}}',
         BAD_KEY),
        (b'{"email": "a@example.com", "publicKey": {"algorithm": "EC", "x": "1"}}',
         BAD_KEY),
    ],
)
def test_certify_refuses_bad_input_with_a_json_error(app, body, error):
    answer = app.post('/_persona_dev_idp/certify', body, content_type='application/json', status=400)
    assert answer.content_type == 'application/json'
    assert answer.json == {'error': error}


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
_key_like = st.fixed_dictionaries(
    {'algorithm': st.sampled_from(['RS', 'DS', 'EC', ''])},
    optional={name: st.text('0123456789abcdef', max_size=40) | _json_values for name in 'nepqgy'},
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(email=st.emails() | _json_values, public_key=_key_like | _json_values)
def test_certify_never_fails_with_a_server_error(app, email, public_key):
    answer = app.post_json('/_persona_dev_idp/certify', {'email': email, 'publicKey': public_key}, status='*')
    assert answer.status_int == 400
    assert set(answer.json) == {'error'}


def test_certify_refuses_a_huge_body(app):
    answer = app.post('/_persona_dev_idp/certify', b'{' * 20000, content_type='application/json', status=413)
    assert answer.json == {'error': 'The request is too large.'}


@pytest.mark.parametrize(
    'headers',
    [{'Origin': 'https://attacker.example'}, {'Host': 'attacker.example'}, {'Host': 'localhost:8080'}],
)
def test_certify_serves_only_the_sites_own_pages(app, user_key, headers):
    body = {'email': 'mallory@example.com', 'publicKey': user_key.public_key}
    answer = app.post_json('/_persona_dev_idp/certify', body, headers=headers, status=403)
    assert answer.json == {
        'error': 'This development identity provider only certifies keys for pages of http://localhost.'
    }
    app.post_json('/_persona_dev_idp/certify', body, headers={'Origin': 'http://localhost'}, status=200)


def test_certify_needs_post(app):
    answer = app.get('/_persona_dev_idp/certify', status=405)
    assert answer.headers['Allow'] == 'POST'
    assert 'Use POST' in answer.json['error']


def test_views_need_no_permission_when_the_app_sets_a_default_one(user_key):
    app = dev_app(configure=lambda config: config.set_default_permission('view_protected'))
    app.get('/.well-known/browserid', status=200)
    app.get('/_persona_dev_idp/include.js', status=200)
    app.get('/_persona_dev_idp/sign_in', status=200)
    certify(app, 'frank@example.com', user_key.public_key, status=200)


@pytest.mark.parametrize(
    'audiences',
    ['https://example.com', 'http://localhost:6543 https://example.com', 'http://192.168.1.5:6543',
     'http://localhost.example.com'],
)
def test_refuses_to_start_for_a_site_others_can_reach(audiences):
    with pytest.raises(ConfigurationError) as error:
        dev_app(**{'persona.audiences': audiences})
    message = str(error.value)
    assert 'persona.dev_idp' in message and 'persona.audiences' in message


@pytest.mark.parametrize('audiences', ['http://127.0.0.1:8080', 'http://[::1]:6543 http://localhost:6543'])
def test_starts_for_loopback_origins(audiences):
    app = dev_app(**{'persona.audiences': audiences})
    assert get_identity_provider(app.app.registry).issuer == audiences.split()[0].split('//')[1]


def test_start_up_warns_that_anyone_can_sign_in_as_anyone(caplog):
    with caplog.at_level(logging.WARNING, logger='pyramid_persona'):
        dev_app()
    assert any('ANYONE CAN SIGN IN AS ANYONE' in r.getMessage() for r in caplog.records)


def test_refuses_a_remote_verifier():
    with pytest.raises(ConfigurationError, match='persona.dev_idp = true needs the built-in local verifier'):
        dev_app(**{'persona.verifier': 'remote'})


def test_key_file_keeps_certificates_valid_across_restarts(tmp_path, user_key):
    key_file = tmp_path / 'dev-idp-key.pem'
    before = dev_app(**{'persona.dev_idp.key_file': str(key_file)})
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assertion = dev_assertion(before, 'grace@example.com', user_key)

    after = dev_app(**{'persona.dev_idp.key_file': str(key_file)})  # a restart
    assert after.get('/.well-known/browserid').json == before.get('/.well-known/browserid').json
    post_login(after, assertion, status=200)


def test_a_bad_key_file_is_a_configuration_error(tmp_path):
    key_file = tmp_path / 'key.pem'
    key_file.write_text('not a key')
    with pytest.raises(ConfigurationError, match='persona.dev_idp.key_file .* is not an unencrypted PEM'):
        dev_app(**{'persona.dev_idp.key_file': str(key_file)})
    with pytest.raises(ConfigurationError, match='persona.dev_idp.key_file .* cannot be written'):
        dev_app(**{'persona.dev_idp.key_file': str(tmp_path / 'missing-directory' / 'key.pem')})


def _decode(segment):
    import base64

    return base64.urlsafe_b64decode(segment + '=' * (-len(segment) % 4))
