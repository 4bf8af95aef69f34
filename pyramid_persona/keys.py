"""BrowserID public keys, checked with ``cryptography``.

A key in a certificate or support document is JSON:
``{"algorithm": "RS", "n": "<decimal>", "e": "<decimal>"}`` or
``{"algorithm": "DS", "p": "<hex>", "q": "<hex>", "g": "<hex>", "y": "<hex>"}``.
Sizes are checked on the text, before any arithmetic, so a hostile key
cannot make the server spend time on huge numbers.
"""
import re
import threading

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from .errors import AssertionRejected
from .tokens import ALGORITHMS

#: RSA modulus sizes accepted, in bits (the reference implementation makes
#: 512, 1024 and 2048-bit keys for RS64, RS128 and RS256).
RSA_BITS = (512, 4096)
#: DSA (p, q) sizes in bits, per algorithm.
DSA_SIZES = {'DS128': (1024, 160), 'DS256': (2048, 256)}

_DECIMAL = re.compile(r'^[0-9]{1,1300}$')
_HEX = re.compile(r'^[0-9a-fA-F]{1,1100}$')
_PKCS1 = padding.PKCS1v15()
_SHA1 = hashes.SHA1()
_SHA256 = hashes.SHA256()


def _bad_key():
    return AssertionRejected('The assertion carries an unusable public key.')


def _number(key_data, name, pattern, base):
    value = key_data.get(name)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        if value.bit_length() > 4400:
            raise _bad_key()
        return value
    if not isinstance(value, str) or not pattern.match(value):
        raise _bad_key()
    return int(value, base)


class RSAPublicKey:
    """An RSA public key; ``verify`` checks PKCS#1 v1.5 SHA-256 signatures."""

    __slots__ = ('_key', '_size')

    def __init__(self, key_data):
        n = _number(key_data, 'n', _DECIMAL, 10)
        e = _number(key_data, 'e', _DECIMAL, 10)
        bits = n.bit_length()
        if not RSA_BITS[0] - 8 <= bits <= RSA_BITS[1] or not (3 <= e < 2**32) or e % 2 == 0:
            raise _bad_key()
        try:
            self._key = rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError:
            raise _bad_key()
        self._size = (bits + 7) // 8

    def verify(self, algorithm, signed_data, signature):
        """Return whether ``signature`` is valid for ``signed_data`` (bytes)."""
        if not algorithm.startswith('RS') or len(signature) > self._size:
            return False
        # The reference JavaScript implementation drops leading zero bytes.
        signature = signature.rjust(self._size, b'\0')
        try:
            self._key.verify(signature, signed_data, _PKCS1, _SHA256)
        except InvalidSignature:
            return False
        return True


class DSAPublicKey:
    """A DSA public key; ``verify`` checks ``r || s`` signatures."""

    __slots__ = ('_key', '_algorithm', '_q', '_width')

    def __init__(self, key_data):
        values = [_number(key_data, name, _HEX, 16) for name in 'pqgy']
        p, q, g, y = values
        sizes = (p.bit_length(), q.bit_length())
        for algorithm, expected in DSA_SIZES.items():
            if sizes == expected:
                self._algorithm = algorithm
                break
        else:
            raise _bad_key()
        if not (1 < g < p and 1 < y < p):
            raise _bad_key()
        try:
            params = dsa.DSAParameterNumbers(p, q, g)
            self._key = dsa.DSAPublicNumbers(y, params).public_key()
        except ValueError:
            raise _bad_key()
        self._q = q
        self._width = sizes[1] // 8

    def verify(self, algorithm, signed_data, signature):
        """Return whether ``signature`` is valid for ``signed_data`` (bytes)."""
        width = self._width
        if algorithm != self._algorithm or len(signature) > 2 * width:
            return False
        signature = signature.rjust(2 * width, b'\0')
        r = int.from_bytes(signature[:width], 'big')
        s = int.from_bytes(signature[width:], 'big')
        if not (0 < r < self._q and 0 < s < self._q):
            return False
        digest = _SHA1 if algorithm == 'DS128' else _SHA256
        try:
            self._key.verify(encode_dss_signature(r, s), signed_data, digest)
        except InvalidSignature:
            return False
        return True


_FAMILIES = {'RS': RSAPublicKey, 'DS': DSAPublicKey}


def load_public_key(key_data):
    """Load a BrowserID public key (a dict) into a key object.

    Raises :class:`AssertionRejected` for an unknown algorithm, a malformed
    key or a key of a size the protocol does not use.
    """
    if not isinstance(key_data, dict):
        raise _bad_key()
    family = _FAMILIES.get(key_data.get('algorithm'))
    if family is None:
        raise AssertionRejected('The assertion uses an unsupported key algorithm.')
    return family(key_data)


def _cache_key(key_data):
    get = key_data.get
    if get('algorithm') == 'RS':
        return ('RS', str(get('n')), str(get('e')))
    return (get('algorithm'), str(get('p')), str(get('q')), str(get('g')), str(get('y')))


class KeyCache:
    """A bounded, thread-safe cache of loaded keys, keyed by their numbers."""

    def __init__(self, size=1024):
        self._size = size
        self._keys = {}
        self._lock = threading.Lock()

    def load(self, key_data):
        """Return the key object for ``key_data``, loading it once."""
        if not isinstance(key_data, dict):
            raise _bad_key()
        cache_key = _cache_key(key_data)
        # A lookup needs no lock (dict reads are atomic); the eviction order
        # is first in, first out, which a key in use survives by reloading.
        key = self._keys.get(cache_key)
        if key is not None:
            return key
        key = load_public_key(key_data)
        with self._lock:
            self._keys[cache_key] = key
            if len(self._keys) > self._size:
                del self._keys[next(iter(self._keys))]
        return key


def check_signature(token, key_data, cache=None):
    """Return whether ``token`` (a :class:`~pyramid_persona.tokens.Token`) is
    signed by the key described by ``key_data``."""
    if not isinstance(key_data, dict) or ALGORITHMS.get(token.algorithm) != key_data.get('algorithm'):
        return False
    key = cache.load(key_data) if cache is not None else load_public_key(key_data)
    return key.verify(token.algorithm, token.signed_data.encode('ascii'), token.signature)
