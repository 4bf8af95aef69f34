"""pyramid_persona.testing: what application authors use in their own tests."""
import json

import pytest
import webtest

from pyramid_persona.testing import IdentityProvider, make_keypair, tamper, trust_identity_provider
from pyramid_persona.tokens import parse_bundle

from .conftest import AUDIENCE, build_app, csrf_token


def test_identity_provider_makes_assertions_the_add_on_accepts(tmp_path):
    idp = IdentityProvider('login.example', algorithm='DS128')
    settings = {'persona.secret': 's' * 40, 'persona.audiences': AUDIENCE}
    settings.update(idp.settings(tmp_path))
    app = webtest.TestApp(build_app(settings), extra_environ={'HTTP_HOST': 'localhost'})
    response = app.post('/login', {'assertion': idp.assertion('a@example.com', AUDIENCE),
                                   'csrf_token': csrf_token(app)})
    assert response.json['success'] is True


def test_trust_identity_provider_in_process(make_app, login):
    other = IdentityProvider('other.example')
    app = make_app()
    assert login(app, assertion=other.assertion('b@example.com', AUDIENCE), status=400)
    trust_identity_provider(app.app.registry, other)
    assert login(app, assertion=other.assertion('b@example.com', AUDIENCE)).json['success'] is True


def test_support_documents_file(tmp_path, idp):
    path = idp.support_documents_file(tmp_path)
    with open(path) as f:
        documents = json.load(f)
    assert documents == {'idp.example': idp.support_document}
    assert set(idp.support_document) == {'public-key', 'authentication', 'provisioning'}


@pytest.mark.parametrize('part', ['assertion-signature', 'certificate-signature', 'assertion-payload',
                                  'certificate-payload'])
def test_tamper_changes_one_part(idp, part):
    original = idp.assertion('a@example.com', AUDIENCE)
    changed = tamper(original, part)
    assert changed != original
    parse_bundle(changed)  # still well-formed: only the trust is broken


def test_tamper_refuses_unknown_parts(idp):
    with pytest.raises(ValueError):
        tamper(idp.assertion('a@example.com', AUDIENCE), 'everything')


def test_keypair_algorithms():
    assert make_keypair('RS64').public_key['algorithm'] == 'RS'
    assert make_keypair('DS256').public_key['algorithm'] == 'DS'
    with pytest.raises(ValueError):
        make_keypair('HS256')
