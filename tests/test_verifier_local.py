"""Local verification: PyBrowserID's rules (trust, expiry, claims), strict parsing, cryptography."""
import pytest

from pyramid_persona.discovery import SupportDocuments
from pyramid_persona.errors import AssertionRejected
from pyramid_persona.settings import parse_settings
from pyramid_persona.testing import IdentityProvider, make_keypair, now_ms, sign_jwt, tamper
from pyramid_persona.verifier import LocalVerifier, build_verifier, check_email

from .conftest import AUDIENCE


def make_verifier(tmp_path=None, **values):
    raw = {'persona.secret': 's' * 40, 'persona.audiences': AUDIENCE, 'persona.verifier': 'local',
           'persona.fetch_support_documents': 'false'}
    raw.update({'persona.' + k: v for k, v in values.items()})
    return build_verifier(parse_settings(raw))


@pytest.fixture
def verifier(idp):
    verifier = make_verifier()
    verifier.trust_issuer(idp.hostname, idp.support_document)
    return verifier


def test_a_valid_assertion_gives_the_email_and_more(verifier, idp):
    assertion = idp.assertion('alice@example.com', AUDIENCE)
    result = verifier.verify(assertion)
    assert result['status'] == 'okay'
    assert result['email'] == 'alice@example.com'
    assert result['audience'] == AUDIENCE
    assert result['issuer'] == 'idp.example'
    assert result['expires'] > now_ms()


def test_settings_select_the_local_verifier(tmp_path, idp):
    verifier = make_verifier(trusted_issuers=idp.hostname,
                             support_documents=idp.support_documents_file(tmp_path))
    assert isinstance(verifier, LocalVerifier)
    assert verifier.verify(idp.assertion('bob@example.com', AUDIENCE))['email'] == 'bob@example.com'


def test_pybrowserid_default_trust_list_is_not_used():
    # PyBrowserID trusts dead persona.org hosts when given None.
    assert make_verifier().trusted_secondaries == set()


def test_untrusted_secondary_is_refused(idp):
    verifier = make_verifier()
    verifier.supportdocs.pin(idp.hostname, idp.support_document)  # known, but not trusted for everyone
    with pytest.raises(AssertionRejected, match='not trusted for this address'):
        verifier.verify(idp.assertion('alice@example.com', AUDIENCE))


def test_primary_identity_provider_is_trusted_for_its_own_domain():
    primary = IdentityProvider('mail.example')
    verifier = make_verifier()
    verifier.supportdocs.pin('mail.example', primary.support_document)
    assert verifier.verify(primary.assertion('carol@mail.example', AUDIENCE))['email'] == 'carol@mail.example'
    with pytest.raises(AssertionRejected, match='not trusted'):
        verifier.verify(primary.assertion('carol@other.example', AUDIENCE))


def test_delegated_authority_through_support_documents():
    broker = IdentityProvider('broker.example')
    verifier = make_verifier()
    verifier.supportdocs.pin('broker.example', broker.support_document)
    verifier.supportdocs.pin('corp.example', {'authority': 'broker.example'})
    assert verifier.verify(broker.assertion('dan@corp.example', AUDIENCE))['email'] == 'dan@corp.example'


def test_unknown_issuer_without_discovery_is_refused():
    stranger = IdentityProvider('stranger.example')
    verifier = make_verifier()
    with pytest.raises(AssertionRejected):
        verifier.verify(stranger.assertion('eve@stranger.example', AUDIENCE))


@pytest.mark.parametrize('make,message', [
    (lambda idp: idp.assertion('a@example.com', AUDIENCE, expired=True), 'expired'),
    (lambda idp: idp.assertion('a@example.com', AUDIENCE, certificate_expires=now_ms() - 1000),
     'expired'),
    (lambda idp: idp.assertion('a@example.com', 'http://localhost:8080'), 'another site'),
    (lambda idp: tamper(idp.assertion('a@example.com', AUDIENCE), 'assertion-signature'), 'signature'),
    (lambda idp: tamper(idp.assertion('a@example.com', AUDIENCE), 'certificate-signature'), 'signature'),
    (lambda idp: tamper(idp.assertion('a@example.com', AUDIENCE), 'certificate-payload'), 'signature'),
    (lambda idp: tamper(idp.assertion('a@example.com', AUDIENCE), 'assertion-payload'), 'another site'),
    (lambda idp: idp.assertion('a@10.0.0.1:8080', AUDIENCE), 'not valid'),
    (lambda idp: idp.assertion('a@[127.0.0.1]', AUDIENCE), 'not valid'),
    (lambda idp: idp.assertion('not-an-address', AUDIENCE), 'not valid'),
])
def test_invalid_assertions_are_rejected_with_a_sentence(verifier, idp, make, message):
    with pytest.raises(AssertionRejected, match=message):
        verifier.verify(make(idp))


def test_the_user_key_must_sign_the_assertion(verifier, idp):
    certificate = idp.certify('a@example.com', make_keypair('RS64').public_key)
    other = make_keypair('RS64')
    token = sign_jwt({'exp': now_ms() + 60000, 'aud': AUDIENCE}, other)
    with pytest.raises(AssertionRejected, match='signature'):
        verifier.verify(certificate + '~' + token)


def test_a_certificate_signed_by_a_user_key_is_refused(verifier, idp):
    """A user cannot certify addresses: only the issuer's key signs certificates."""
    user = make_keypair('RS64')
    forged = sign_jwt({'iss': 'idp.example', 'exp': now_ms() + 60000, 'public-key': user.public_key,
                       'principal': {'email': 'ceo@example.com'}}, user)
    token = sign_jwt({'exp': now_ms() + 60000, 'aud': AUDIENCE}, user)
    with pytest.raises(AssertionRejected, match='signature'):
        verifier.verify(forged + '~' + token)


def test_verification_uses_the_time_given(verifier, idp):
    assertion = idp.assertion('a@example.com', AUDIENCE)
    with pytest.raises(AssertionRejected, match='expired'):
        verifier.verify(assertion, now=now_ms() + 3600 * 1000 * 2)


def test_key_objects_are_kept_between_verifications(verifier, idp):
    verifier.verify(idp.assertion('a@example.com', AUDIENCE))
    cached = dict(verifier._keys._keys)
    verifier.verify(idp.assertion('b@example.com', AUDIENCE))
    issuer_key = next(k for k in cached if k[1] == idp.keypair.public_key['n'])
    assert verifier._keys._keys[issuer_key] is cached[issuer_key]


def test_support_documents_can_be_given_explicitly(idp):
    settings = parse_settings({'persona.audiences': AUDIENCE, 'persona.verifier': 'local',
                               'persona.trusted_issuers': idp.hostname})
    documents = SupportDocuments({idp.hostname: idp.support_document}, fetch=False)
    verifier = LocalVerifier(settings, documents)
    assert verifier.verify(idp.assertion('a@example.com', AUDIENCE))['email'] == 'a@example.com'


@pytest.mark.parametrize('email', ['a@example.com', "o'neil+tag@sub.example.org", 'x@localhost'])
def test_check_email_accepts_addresses(email):
    assert check_email(email) == email


@pytest.mark.parametrize('email', ['a@example.com:443', 'a@10.0.0.1:8080', 'a@[::1]', 'a@-bad.example',
                                   'a@', '@example.com', 'a@exa mple.com', 'é@example.com', 5, None,
                                   'a@' + 'x' * 300 + '.com'])
def test_check_email_refuses_others(email):
    with pytest.raises(AssertionRejected):
        check_email(email)


def test_ipv6_loopback_audience():
    verifier = make_verifier(audiences='http://[::1]:6543')
    broker = IdentityProvider('broker.example')
    verifier.trust_issuer(broker.hostname, broker.support_document)
    assert verifier.verify(broker.assertion('a@example.com', 'http://[::1]:6543'))['email'] == 'a@example.com'
    with pytest.raises(AssertionRejected, match='another site'):
        verifier.verify(broker.assertion('a@example.com', 'http://1:6543'))


def test_wildcard_audience():
    verifier = make_verifier(audiences='https://*.example.com')
    broker = IdentityProvider('broker.example')
    verifier.trust_issuer(broker.hostname, broker.support_document)
    assert verifier.verify(broker.assertion('a@example.com', 'https://shop.example.com'))['status'] == 'okay'
    with pytest.raises(AssertionRejected, match='another site'):
        verifier.verify(broker.assertion('a@example.com', 'https://example.com.evil.example'))


def test_extra_claims_are_passed_on_as_pybrowserid_does(verifier, idp):
    user_key = make_keypair('RS256')
    certificate = sign_jwt({
        'iss': idp.hostname, 'exp': now_ms() + 60000, 'public-key': user_key.public_key,
        'principal': {'email': 'alice@example.com', 'display': 'Alice'}, 'group': 'staff',
    }, idp.keypair)
    token = sign_jwt({'exp': now_ms() + 60000, 'aud': AUDIENCE, 'nonce': 'n-1'}, user_key)
    result = verifier.verify(certificate + '~' + token)
    assert result['idpClaims'] == {'group': 'staff', 'display': 'Alice'}
    assert result['userClaims'] == {'nonce': 'n-1'}


def test_no_claims_keys_for_plain_assertions(verifier, idp):
    result = verifier.verify(idp.assertion('alice@example.com', AUDIENCE))
    assert 'idpClaims' not in result and 'userClaims' not in result


def test_an_audience_given_to_verify_must_be_the_assertions(verifier, idp):
    assertion = idp.assertion('alice@example.com', AUDIENCE)
    assert verifier.verify(assertion, audience=AUDIENCE)['audience'] == AUDIENCE
    with pytest.raises(AssertionRejected, match='another site'):
        verifier.verify(assertion, audience='http://localhost:8080')


def test_check_audience_answers_as_pybrowserid_does(verifier, idp):
    assertion = idp.assertion('alice@example.com', AUDIENCE)
    assert verifier.check_audience(assertion) == AUDIENCE
    with pytest.raises(AssertionRejected, match='another site'):
        verifier.check_audience(idp.assertion('alice@example.com', 'http://elsewhere.example'))


@pytest.mark.parametrize('make, message', [
    (lambda idp: IdentityProvider('stranger.example').assertion('a@example.com', AUDIENCE), 'not trusted'),
    (lambda idp: idp.assertion('alice@example.com', AUDIENCE, expired=True), 'expired'),
    (lambda idp: idp.assertion('a@example.com', AUDIENCE, certificate_expires=now_ms() - 1000), 'expired'),
    (lambda idp: idp.assertion('alice@example.com', 'http://elsewhere.example'), 'another site'),
    (lambda idp: idp.assertion('not-an-address', AUDIENCE), 'email'),
], ids=['untrusted issuer', 'expired assertion', 'expired certificate', 'other audience', 'bad email'])
def test_cheap_checks_come_before_any_signature_check(verifier, idp, monkeypatch, make, message):
    loaded = []
    monkeypatch.setattr(verifier._keys, 'load', lambda key_data: loaded.append(key_data))
    with pytest.raises(AssertionRejected, match=message):
        verifier.verify(make(idp))
    assert loaded == []
