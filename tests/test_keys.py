"""Public keys and signature checks through ``cryptography``."""
import pytest
from browserid.jwt import RS128Key

from pyramid_persona.errors import AssertionRejected
from pyramid_persona.keys import KeyCache, check_signature, load_public_key
from pyramid_persona.testing import Keypair, make_keypair, sign_jwt
from pyramid_persona.tokens import parse_token

ALGORITHMS = ['RS64', 'RS128', 'RS256', 'DS128', 'DS256']


@pytest.fixture(scope='module')
def keypairs():
    return {algorithm: make_keypair(algorithm) for algorithm in ALGORITHMS}


@pytest.mark.parametrize('algorithm', ALGORITHMS)
def test_signatures_of_every_algorithm_verify(keypairs, algorithm):
    keypair = keypairs[algorithm]
    token = parse_token(sign_jwt({'hello': 'world'}, keypair))
    assert check_signature(token, keypair.public_key)


@pytest.mark.parametrize('algorithm', ALGORITHMS)
def test_a_changed_byte_fails(keypairs, algorithm):
    keypair = keypairs[algorithm]
    token = parse_token(sign_jwt({'hello': 'world'}, keypair))
    token.signed_data = token.signed_data[:-1] + ('A' if token.signed_data[-1] != 'A' else 'B')
    assert not check_signature(token, keypair.public_key)


def test_another_key_fails(keypairs):
    token = parse_token(sign_jwt({'a': 1}, keypairs['RS256']))
    assert not check_signature(token, make_keypair('RS256').public_key)
    # A DSA-signed token never verifies against an RSA key, and the reverse.
    assert not check_signature(token, keypairs['DS256'].public_key)


def test_rs128_with_a_standard_1024_bit_key(keypairs):
    """PyBrowserID's pure-Python RS128 assumes a 1280-bit modulus and fails here."""
    keypair = keypairs['RS128']
    assert int(keypair.public_key['n']).bit_length() == 1024
    signed = sign_jwt({'a': 1}, keypair)
    token = parse_token(signed)
    assert check_signature(token, keypair.public_key)
    assert not RS128Key(keypair.public_key).verify(token.signed_data.encode(), token.signature)


def test_signatures_shorter_than_the_modulus_verify():
    """The reference JavaScript implementation drops leading zero bytes."""
    keypair = Keypair('RS64', short_signatures=True)
    for i in range(2000):
        signed = sign_jwt({'n': i}, keypair)
        token = parse_token(signed)
        if len(token.signature) < 64:
            break
    else:
        pytest.fail('no short signature in 2000 tries')
    assert check_signature(token, keypair.public_key)


def test_dsa_signature_with_r_or_s_out_of_range_fails(keypairs):
    keypair = keypairs['DS128']
    token = parse_token(sign_jwt({'a': 1}, keypair))
    q = int(keypair.public_key['q'], 16)
    token.signature = q.to_bytes(20, 'big') + token.signature[20:]
    assert not check_signature(token, keypair.public_key)
    token.signature = b'\0' * 40
    assert not check_signature(token, keypair.public_key)


def test_dsa_key_used_with_the_other_algorithm_fails(keypairs):
    token = parse_token(sign_jwt({'a': 1}, keypairs['DS128']))
    token.algorithm = 'DS256'
    assert not check_signature(token, keypairs['DS128'].public_key)


@pytest.mark.parametrize('key_data', [
    {'algorithm': 'RS', 'n': '9' * 5000, 'e': '65537'},  # far beyond 4096 bits: refused on its length
    {'algorithm': 'RS', 'n': str(2**300 + 1), 'e': '65537'},  # too small
    {'algorithm': 'RS', 'n': str(2**1023 + 1), 'e': '1'},
    {'algorithm': 'RS', 'n': str(2**1023 + 1), 'e': '65536'},
    {'algorithm': 'RS', 'n': '0x10', 'e': '65537'},
    {'algorithm': 'RS', 'n': -5, 'e': '65537'},
    {'algorithm': 'RS', 'n': None, 'e': '65537'},
    {'algorithm': 'RS', 'e': '65537'},
    {'algorithm': 'DS', 'p': 'f' * 2000, 'q': 'f' * 40, 'g': '2', 'y': '2'},
    {'algorithm': 'DS', 'p': 'f' * 256, 'q': 'f' * 30, 'g': '2', 'y': '2'},
    {'algorithm': 'DS', 'p': 'zz', 'q': '1', 'g': '1', 'y': '1'},
    {'algorithm': 'HS'},
    {'algorithm': None},
    'RS',
])
def test_unusable_keys_are_rejected(key_data):
    with pytest.raises(AssertionRejected):
        key = load_public_key(key_data)
        # Some shapes are only refused by cryptography when the numbers are checked.
        key.verify('DS128', b'data', b'\1' * 40)
        pytest.fail('accepted %r' % (key_data,))


def test_a_well_sized_but_bogus_dsa_key_verifies_nothing():
    key = load_public_key({'algorithm': 'DS', 'p': 'f' * 256, 'q': 'f' * 40, 'g': '2', 'y': '2'})
    assert not key.verify('DS128', b'data', b'\1' * 40)


def test_key_cache_loads_each_key_once(keypairs):
    cache = KeyCache(size=2)
    first = cache.load(keypairs['RS256'].public_key)
    assert cache.load(dict(keypairs['RS256'].public_key)) is first
    cache.load(keypairs['RS64'].public_key)
    cache.load(keypairs['DS128'].public_key)  # evicts the oldest
    assert cache.load(keypairs['RS256'].public_key) is not first
