"""Hostile input at the login view: every answer is the JSON 400, never a 500,
never a login.

Hypothesis throws random text, mutated real bundles and well-signed tokens
whose claims have the wrong types, unknown algorithms or keys of absurd
sizes; the form itself is sent missing, repeated, huge and non-UTF-8 fields.
"""
import itertools
import json
import time

import pytest
import webtest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyramid_persona.testing import IdentityProvider, make_keypair, now_ms, sign_jwt
from pyramid_persona.utils import b64encode

from .conftest import AUDIENCE, SECRET, build_app, csrf_token
from .servers import LoopbackServer, json_reply

EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

IDP = IdentityProvider('idp.example')
USER_KEY = make_keypair('RS256')


class Client:
    """A test app with a CSRF token, posting one login after another."""

    def __init__(self, wsgi):
        self.app = webtest.TestApp(wsgi, extra_environ={'HTTP_HOST': 'localhost'})
        self.token = csrf_token(self.app)

    def post_login(self, assertion, **fields):
        form = {'assertion': assertion, 'csrf_token': self.token}
        form.update(fields)
        return self.app.post('/login', form, status='*', expect_errors=True)


def assert_refused(response):
    """The JSON 400 with the error shape, and no cookie that signs in."""
    assert response.status_int == 400, (response.status, response.text[:300])
    assert response.content_type == 'application/json'
    body = response.json
    assert body['success'] is False
    assert isinstance(body['error'], str) and body['error']
    assert 'CSRF' not in body['error']  # the token still works: nobody signed in
    assert not any(h.startswith('auth_tkt=') and 'Max-Age=0' not in h
                   for h in response.headers.getall('Set-Cookie'))


@pytest.fixture(scope='module')
def local(tmp_path_factory):
    """A client of an app with a local verifier trusting ``IDP``."""
    values = {'persona.secret': SECRET, 'persona.audiences': AUDIENCE}
    values.update(IDP.settings(tmp_path_factory.mktemp('hostile')))
    return Client(build_app(values))


@pytest.fixture(scope='module')
def remote():
    """A client of an app with a remote verifier on loopback that refuses
    everything it is asked about."""
    with LoopbackServer(json_reply({'status': 'failure', 'reason': 'no'})) as server:
        values = {'persona.secret': SECRET, 'persona.audiences': AUDIENCE, 'persona.verifier': 'remote',
                  'persona.verifier_url': server.url + '/verify', 'persona.verifier_timeout': '2'}
        yield Client(build_app(values))


_UNIQUE = itertools.count()


def valid_assertion(email='alice@example.com'):
    # A distinct expiry each time: two assertions by one key for one
    # audience and expiry are the same signed bytes, that is a replay.
    return IDP.assertion(email, AUDIENCE, user_key=USER_KEY, expires=now_ms() + 120_000 + next(_UNIQUE))


def test_the_clients_can_log_in_at_all(local):
    # The hostile tests below mean something only if a good login works.
    client = Client(local.app.app)
    response = client.post_login(valid_assertion())
    assert response.json == {'redirect': '/', 'success': True}


# -- Strategies --------------------------------------------------------------

B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
base64ish = st.text(alphabet=B64_ALPHABET + '+/=. \n', max_size=80)
nasty_text = st.text(alphabet=st.characters(codec='utf-8'), max_size=200)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=10**300, max_value=10**320)
    | st.floats(allow_nan=False) | st.text(max_size=20) | st.just('1700000000000') | st.just(''),
    lambda children: (st.lists(children, max_size=4)
                      | st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=12,
)

algorithm_names = st.sampled_from([
    'RS', 'DS', 'none', 'None', 'HS256', 'RS256 ', 'rs256', 'RS512', 'DS', 'ES256', '', 'RS256\x00',
    'R\u00e9256', 'DS1024',
]) | json_values

absurd_keys = st.one_of(
    st.builds(lambda digits: {'algorithm': 'RS', 'n': '9' * digits, 'e': '65537'},
              st.sampled_from([1, 10, 100, 140, 1234, 1300, 1301, 5000, 100_000])),
    st.builds(lambda bits: {'algorithm': 'RS', 'n': str(2**bits - 1), 'e': '65537'},
              st.sampled_from([8, 500, 4097, 8192, 14000])),
    st.builds(lambda e: {'algorithm': 'RS', 'n': USER_KEY.public_key['n'], 'e': e},
              st.sampled_from(['0', '1', '2', '65536', str(2**64 + 1), '9' * 1000, '-3', '3.0'])),
    st.builds(lambda bits: {'algorithm': 'DS', 'p': 'f' * (bits // 4), 'q': 'f' * 40, 'g': '2', 'y': '3'},
              st.sampled_from([4, 1024, 2048, 4096, 4400, 8192, 100_000])),
    st.builds(lambda n: {'algorithm': 'RS', 'n': n, 'e': 65537}, json_values),
    st.builds(lambda name: {'algorithm': name, 'n': USER_KEY.public_key['n'], 'e': '65537'},
              algorithm_names.filter(lambda name: name != 'RS')),
    json_values,
)


def certificate_payload(email='alice@example.com'):
    return {'iss': IDP.hostname, 'exp': now_ms() + 3_600_000, 'iat': now_ms(),
            'public-key': USER_KEY.public_key, 'principal': {'email': email}}


def assertion_payload():
    return {'exp': now_ms() + 120_000, 'aud': AUDIENCE}


@st.composite
def broken_payloads(draw, base):
    """``base`` with some claims replaced, dropped or added."""
    payload = dict(base)
    for name in draw(st.lists(st.sampled_from(sorted(base) + ['extra', 'principal']), max_size=3)):
        action = draw(st.sampled_from(['replace', 'drop', 'nest']))
        if action == 'drop':
            payload.pop(name, None)
        elif action == 'nest':
            payload[name] = {'email': draw(json_values), 'value': draw(json_values)}
        else:
            payload[name] = draw(json_values)
    return payload


def signed_content(bundle):
    """What a bundle says and is signed with, whatever its spelling."""
    from pyramid_persona.tokens import parse_bundle

    parsed = parse_bundle(bundle)
    return [t.digest for t in parsed.certificates + [parsed.assertion]]


def _mutate(text, data):
    """Delete, insert, replace or swap pieces of ``text``."""
    for _ in range(data.draw(st.integers(1, 4))):
        if not text:
            break
        i = data.draw(st.integers(0, len(text) - 1))
        j = data.draw(st.integers(i, min(len(text), i + 40)))
        kind = data.draw(st.sampled_from(['delete', 'insert', 'replace', 'duplicate', 'swap parts']))
        if kind == 'delete':
            text = text[:i] + text[j:]
        elif kind == 'insert':
            text = text[:i] + data.draw(st.text(max_size=10) | base64ish) + text[i:]
        elif kind == 'replace':
            text = text[:i] + data.draw(st.sampled_from('.~=+/ \x00\u00e9A_-')) + text[i + 1:]
        elif kind == 'duplicate':
            text = text[:j] + text[i:j] + text[j:]
        else:
            parts = text.split(data.draw(st.sampled_from('.~')))
            data.draw(st.randoms()).shuffle(parts)
            text = data.draw(st.sampled_from('.~')).join(parts)
    return text


# -- Assertions ---------------------------------------------------------------

@EXAMPLES
@given(assertion=nasty_text | base64ish)
def test_random_text_is_refused(local, assertion):
    if not assertion:
        assertion = ' '
    assert_refused(local.post_login(assertion))


@EXAMPLES
@given(data=st.data())
def test_mutated_real_bundles_are_refused_or_mean_the_same(local, data):
    original = valid_assertion()
    mutated = _mutate(original, data)
    response = local.post_login(mutated)
    if response.status_int == 200:
        # A mutation may only re-spell the same signed content (the unused
        # bits of a base64 character), never log in with anything else.
        assert signed_content(mutated) == signed_content(original), mutated
        local.app.reset()
        local.token = csrf_token(local.app)
        return
    assert_refused(response)


@EXAMPLES
@given(header=st.dictionaries(st.sampled_from(['alg', 'typ', 'kid', 'x']), algorithm_names, max_size=3),
       which=st.sampled_from(['certificate', 'assertion']))
def test_unknown_or_partial_algorithm_names_are_refused(local, header, which):
    if header.get('alg') in ('RS256',):
        header['alg'] = 'RS'
    if which == 'certificate':
        bundle = sign_jwt(certificate_payload(), IDP.keypair, header=header) + '~' + \
            sign_jwt(assertion_payload(), USER_KEY)
    else:
        bundle = IDP.certify('alice@example.com', USER_KEY.public_key) + '~' + \
            sign_jwt(assertion_payload(), USER_KEY, header=header)
    assert_refused(local.post_login(bundle))


@EXAMPLES
@given(certificate=broken_payloads(certificate_payload()), assertion=broken_payloads(assertion_payload()))
def test_well_signed_claims_of_the_wrong_types_are_refused(local, certificate, assertion):
    if certificate == certificate_payload() and assertion == assertion_payload():
        return  # nothing was broken (timestamps aside); covered by the good login
    bundle = sign_jwt(certificate, IDP.keypair) + '~' + sign_jwt(assertion, USER_KEY)
    response = local.post_login(bundle)
    if response.status_int == 200:
        # Only harmless changes may pass: the same email, for this site.
        assert certificate.get('principal') == {'email': 'alice@example.com'}
        assert assertion.get('aud') == AUDIENCE
        local.app.reset()
        local.token = csrf_token(local.app)
        return
    assert_refused(response)


@EXAMPLES
@given(key=absurd_keys)
def test_keys_of_absurd_sizes_are_refused_quickly(local, key):
    certificate = dict(certificate_payload(), **{'public-key': key})
    bundle = sign_jwt(certificate, IDP.keypair) + '~' + sign_jwt(assertion_payload(), USER_KEY)
    started = time.monotonic()
    assert_refused(local.post_login(bundle))
    # Generous: refusing is microseconds; arithmetic on a 100,000-digit
    # modulus would take far longer.
    assert time.monotonic() - started < 5


@EXAMPLES
@given(count=st.integers(2, 6), data=st.data())
def test_chains_of_several_certificates_are_refused(local, count, data):
    certificates = [IDP.certify('alice@example.com', USER_KEY.public_key) for _ in range(count)]
    if data.draw(st.booleans()):
        certificates = [sign_jwt(dict(certificate_payload(), iss='idp%d.example' % i), IDP.keypair)
                        for i in range(count)]
    bundle = '~'.join(certificates + [sign_jwt(assertion_payload(), USER_KEY)])
    assert_refused(local.post_login(bundle))


@EXAMPLES
@given(parts=st.lists(base64ish | st.builds(b64encode, st.binary(max_size=60))
                      | st.builds(lambda v: b64encode(json.dumps(v).encode()), json_values),
                      min_size=1, max_size=9),
       separators=st.lists(st.sampled_from('.~'), min_size=8, max_size=8))
def test_token_shaped_garbage_is_refused(local, parts, separators):
    text = parts[0] + ''.join(s + p for s, p in zip(separators, parts[1:], strict=False))
    assert_refused(local.post_login(text or '.'))


@pytest.mark.parametrize('json_text', [
    '{"alg": "RS256", "n": %s}' % ('9' * 5000),
    '{"alg": "RS256"}' + ' ' * 10,
    '[' * 100_000 + ']' * 100_000,
    '{"alg": "RS256", "alg": "none"}',
    '{"alg": NaN}',
    '{"alg": "RS256"',
])
def test_json_that_python_would_choke_on_is_refused(local, json_text):
    token = b64encode(json_text.encode()) + '.' + b64encode(b'{}') + '.' + b64encode(b'sig')
    assert_refused(local.post_login(token + '~' + token))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_remote_verifier_path_refuses_hostile_bundles_too(remote, data):
    original = IDP.assertion('alice@example.com', AUDIENCE, user_key=USER_KEY)
    mutated = data.draw(st.one_of(st.just(original), nasty_text, st.builds(lambda: None)))
    if mutated is None:
        mutated = _mutate(original, data)
    assert_refused(remote.post_login(mutated or ' '))


# -- The form -----------------------------------------------------------------

def post(client, body, content_type='application/x-www-form-urlencoded', status='*'):
    return client.app.post('/login', body, headers={'Content-Type': content_type}, status=status,
                           expect_errors=True)


def form(*pairs):
    from urllib.parse import urlencode

    return urlencode(list(pairs)).encode('ascii')


def test_a_missing_assertion_is_refused(local):
    response = post(local, form(('csrf_token', local.token)))
    assert_refused(response)
    assert response.json['error'] == 'No assertion was sent.'


def test_a_missing_or_wrong_csrf_token_is_refused(local):
    for body in (form(('assertion', valid_assertion())),
                 form(('assertion', valid_assertion()), ('csrf_token', 'wrong'))):
        response = post(local, body)
        assert response.status_int == 400
        assert response.json['success'] is False and 'CSRF' in response.json['error']


def test_a_repeated_assertion_field_is_refused(local):
    body = form(('assertion', valid_assertion()), ('assertion', valid_assertion('bob@example.com')),
                ('csrf_token', local.token))
    response = post(local, body)
    assert_refused(response)
    assert 'more than once' in response.json['error']


def test_repeated_came_from_fields_redirect_home(local):
    client = Client(local.app.app)
    body = form(('assertion', valid_assertion()), ('csrf_token', client.token),
                ('came_from', '/a'), ('came_from', 'https://evil.example/'))
    assert post(client, body).json == {'redirect': '/', 'success': True}


def test_an_assertion_over_the_size_limit_is_refused_before_parsing(local):
    # Garbage that would otherwise be reported as malformed: the size is
    # checked first.
    response = local.post_login('~' * 20_000)
    assert_refused(response)
    assert response.json['error'] == 'The assertion is too large.'


def test_the_size_limit_follows_the_setting(make_app, login):
    app = make_app(max_assertion_bytes='500')
    response = login(app, status=400)
    assert response.json['error'] == 'The assertion is too large.'


@pytest.mark.parametrize('size', [100_000, 2_000_000])
def test_huge_forms_are_refused(local, size):
    for response in (local.post_login('A' * size),
                     local.post_login('A.' * 10, came_from='/' + 'a' * size),
                     local.post_login(valid_assertion(), extra='x' * size)):
        assert_refused(response)
        assert response.json['error'] == 'The form is too large.'


def test_a_huge_body_is_refused_unread(local):
    from webob import Request

    class Unreadable:
        def read(self, *args):
            raise AssertionError('the body was read')

        readline = readlines = read

    request = Request.blank('/login', method='POST', content_type='application/x-www-form-urlencoded',
                            environ={'wsgi.input': Unreadable(), 'CONTENT_LENGTH': str(10**9)})
    response = request.get_response(local.app.app)
    assert_refused(response)
    assert response.json['error'] == 'The form is too large.'


def test_a_long_came_from_still_works(local):
    client = Client(local.app.app)
    response = client.post_login(valid_assertion(), came_from='/' + 'a' * 4000)
    assert response.json == {'redirect': '/' + 'a' * 4000, 'success': True}


@pytest.mark.parametrize('raw', [b'%FF%FE', b'%C3%28', b'%ED%A0%80', b'abc%80'])
def test_non_utf8_values_are_refused(local, raw):
    for field in ('assertion', 'came_from', 'csrf_token'):
        values = {'assertion': b'x', 'csrf_token': local.token.encode('ascii'), 'came_from': b'/'}
        values[field] = raw
        body = b'&'.join(name.encode() + b'=' + value for name, value in values.items())
        response = post(local, body)
        assert response.status_int == 400, (field, response.status)
        assert response.json['success'] is False


def test_nul_bytes_and_control_characters_are_refused(local):
    for value in ('\x00', valid_assertion() + '\x00', '\x00' + valid_assertion(), 'a\r\nb'):
        assert_refused(local.post_login(value))


def test_an_assertion_uploaded_as_a_file_is_refused(local):
    response = local.app.post('/login', {'csrf_token': local.token},
                              upload_files=[('assertion', 'a.txt', valid_assertion().encode())],
                              status='*', expect_errors=True)
    assert_refused(response)


def test_a_json_body_is_refused(local):
    body = json.dumps({'assertion': valid_assertion(), 'csrf_token': local.token}).encode()
    response = post(local, body, content_type='application/json')
    assert response.status_int == 400
    assert response.json['success'] is False


@pytest.mark.parametrize('method', ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])
def test_other_methods_than_post_are_405(local, method):
    response = local.app.request('/login?assertion=' + valid_assertion(), method=method, status='*',
                                 expect_errors=True)
    assert response.status_int == 405
    assert response.headers['Allow'] == 'POST'
    if method != 'HEAD':
        assert response.json['success'] is False
    assert 'auth_tkt' not in response.headers.get('Set-Cookie', '')


@EXAMPLES
@given(fields=st.lists(st.tuples(st.sampled_from(['assertion', 'csrf_token', 'came_from', 'other', '']),
                                 nasty_text | base64ish), max_size=6))
def test_random_forms_are_refused(local, fields):
    from urllib.parse import urlencode

    response = post(local, urlencode([('csrf_token', local.token)] + fields).encode('ascii'))
    assert response.status_int == 400
    assert response.json['success'] is False
