"""Strict parsing of BrowserID bundles (``cert~...~assertion``) and JWTs.

PyBrowserID's own parser is lenient (any base64 spelling, any JSON type);
this one refuses anything a conforming implementation does not produce,
so later code can rely on the types of every claim it reads.
"""
import binascii
import hashlib

from .errors import AssertionRejected
from .utils import STRICT_JSON

#: Signing algorithms of the BrowserID protocol, and the key family of each.
ALGORITHMS = {
    'RS64': 'RS',
    'RS128': 'RS',
    'RS256': 'RS',
    'DS128': 'DS',
    'DS256': 'DS',
}

MAX_CERTIFICATES = 1  # PyBrowserID refuses longer chains; so do we, earlier

_B64_ALPHABET = b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
_URLSAFE_TO_STANDARD = bytes.maketrans(b'-_', b'+/')
_TOKEN_ALPHABET = _B64_ALPHABET + b'.'
_BUNDLE_ALPHABET = _B64_ALPHABET + b'.~'
_PADDING = (b'', None, b'==', b'=')


class Token:
    """A parsed JWT: ``algorithm``, ``payload`` (dict), ``signature`` (bytes)
    and ``signed_data`` (the ``header.payload`` text that was signed)."""

    __slots__ = ('algorithm', 'payload', 'signature', 'signed_data')

    def __init__(self, algorithm, payload, signature, signed_data):
        self.algorithm = algorithm
        self.payload = payload
        self.signature = signature
        self.signed_data = signed_data

    @property
    def digest(self):
        """SHA-256 of what was signed and the signature bytes.

        Independent of how the signature was spelled in base64, so one
        signature has one digest.
        """
        h = hashlib.sha256(self.signed_data.encode('ascii'))
        h.update(b'\0')
        h.update(self.signature)
        return h.hexdigest()


class Bundle:
    """A parsed bundle: ``certificates`` (list of :class:`Token`) and
    ``assertion`` (:class:`Token`), with claims type-checked."""

    __slots__ = ('certificates', 'assertion')

    def __init__(self, certificates, assertion):
        self.certificates = certificates
        self.assertion = assertion

    @property
    def email(self):
        """The email address certified by the last certificate."""
        return self.certificates[-1].payload['principal']['email']

    @property
    def audience(self):
        """The audience the assertion was made for."""
        return self.assertion.payload['aud']

    @property
    def expires(self):
        """The assertion's expiry, in milliseconds since the epoch."""
        return self.assertion.payload['exp']

    @property
    def issuer(self):
        """The issuer of the first certificate."""
        return self.certificates[0].payload['iss']


def _not_encoded():
    return AssertionRejected('The assertion is not correctly encoded.')


def _standard_base64(data, alphabet=_B64_ALPHABET):
    """Check ``data`` (ASCII bytes) against ``alphabet``; return it in the
    standard base64 alphabet."""
    # translate(None, alphabet) deletes every valid character: anything left
    # over is not base64url (padding, '+', '/', spaces...).
    if data.translate(None, alphabet):
        raise _not_encoded()
    return data.translate(_URLSAFE_TO_STANDARD)


def _decode_standard(data):
    # ``data`` passed _standard_base64, so only its length can be wrong.
    if len(data) % 4 == 1:
        raise _not_encoded()
    try:
        return binascii.a2b_base64(data + _PADDING[len(data) % 4])
    except (binascii.Error, ValueError):
        raise _not_encoded()


def decode_base64(text):
    """Decode unpadded base64url strictly; raise :class:`AssertionRejected`."""
    if isinstance(text, str):
        if not text.isascii():
            raise _not_encoded()
        text = text.encode('ascii')
    return _decode_standard(_standard_base64(text))


def _decode_json(data):
    raw = _decode_standard(data)
    try:
        text = raw.decode('utf-8')
        # What implementations write has no surrounding whitespace:
        # raw_decode reads it without decode()'s two whitespace scans.
        value, end = STRICT_JSON.raw_decode(text)
        if end != len(text):
            value = STRICT_JSON.decode(text)
    except RecursionError:
        raise AssertionRejected('The assertion does not contain valid JSON.')
    except ValueError:
        value = _decode_json_slowly(raw)
    if not isinstance(value, dict):
        raise AssertionRejected('The assertion does not contain a JSON object.')
    return value


def _decode_json_slowly(raw):
    # Leading whitespace is still JSON.
    try:
        return STRICT_JSON.decode(raw.decode('utf-8'))
    except (ValueError, RecursionError):
        raise AssertionRejected('The assertion does not contain valid JSON.')


def parse_token(text, algorithms=ALGORITHMS):
    """Parse one JWT, checking its encoding and algorithm name.

    ``algorithms`` is the collection of accepted ``alg`` values, or ``None``
    to accept any short alphanumeric name (for remote verification, where
    the verifier decides).
    """
    if text.count('.') != 2:
        raise AssertionRejected('The assertion is not made of signed tokens.')
    if not text.isascii():
        raise _not_encoded()
    data = _standard_base64(text.encode('ascii'), _TOKEN_ALPHABET)
    return _parse_token(text[:text.rindex('.')], data.split(b'.'), algorithms)


def _common_headers():
    # The headers implementations write ({"alg":"RS256"} from JavaScript,
    # {"alg": "RS256"} from PyBrowserID), as they look after
    # _standard_base64: decoding them would give these algorithms.
    headers = {}
    for algorithm in ALGORITHMS:
        for header in ('{"alg":"%s"}', '{"alg": "%s"}'):
            encoded = binascii.b2a_base64((header % algorithm).encode('ascii'), newline=False)
            headers[encoded.rstrip(b'=')] = algorithm
    return headers


_COMMON_HEADERS = _common_headers()


def _parse_token(signed_data, segments, algorithms):
    # ``segments``: the three parts of the token, checked and in the
    # standard base64 alphabet; ``signed_data``: the first two as sent.
    algorithm = _COMMON_HEADERS.get(segments[0])
    if algorithm is None:
        algorithm = _decode_json(segments[0]).get('alg')
    if not isinstance(algorithm, str) or not (
        algorithm in algorithms if algorithms is not None
        else (algorithm.isascii() and algorithm.isalnum() and len(algorithm) <= 16)
    ):
        raise AssertionRejected('The assertion uses an unsupported signing algorithm.')
    payload = _decode_json(segments[1])
    signature = _decode_standard(segments[2])
    if not signature:
        raise AssertionRejected('The assertion is not signed.')
    return Token(algorithm, payload, signature, signed_data)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _check_certificate(cert):
    p = cert.payload
    principal = p.get('principal')
    key = p.get('public-key')
    if not (
        isinstance(p.get('iss'), str)
        and p['iss']
        and _is_int(p.get('exp'))
        and isinstance(principal, dict)
        and isinstance(principal.get('email'), str)
        and isinstance(key, dict)
        and isinstance(key.get('algorithm'), str)
    ):
        raise AssertionRejected('The identity certificate is malformed.')
    if 'iat' in p and not _is_int(p['iat']):
        raise AssertionRejected('The identity certificate is malformed.')


def _check_assertion(token):
    p = token.payload
    if not (isinstance(p.get('aud'), str) and _is_int(p.get('exp'))):
        raise AssertionRejected('The assertion has no valid audience or expiry.')


def parse_bundle(text, algorithms=ALGORITHMS):
    """Parse ``cert~assertion`` into a :class:`Bundle`.

    Raises :class:`AssertionRejected` on anything malformed; never another
    exception for any string input.
    """
    if not isinstance(text, str) or not text:
        raise AssertionRejected('No assertion was given.')
    if not text.isascii():
        raise AssertionRejected('The assertion is not correctly encoded.')
    separators = text.count('~')
    if separators == 0:
        raise AssertionRejected('The assertion has no identity certificate.')
    if separators > MAX_CERTIFICATES:
        raise AssertionRejected('Chains of several certificates are not supported.')
    # MAX_CERTIFICATES is 1: exactly one certificate and the assertion.
    data = text.encode('ascii')
    tilde = data.index(b'~')
    if data.count(b'.', 0, tilde) != 2 or data.count(b'.', tilde) != 2:
        raise AssertionRejected('The assertion is not made of signed tokens.')
    # Check and translate the whole bundle at once: far cheaper than per part.
    cert_data, assertion_data = _standard_base64(data, _BUNDLE_ALPHABET).split(b'~')
    cert_segments = cert_data.split(b'.')
    assertion_segments = assertion_data.split(b'.')
    # What was signed is each token without its signature, as sent.
    cert = _parse_token(text[:tilde - len(cert_segments[2]) - 1], cert_segments, algorithms)
    assertion = _parse_token(text[tilde + 1:len(text) - len(assertion_segments[2]) - 1],
                             assertion_segments, algorithms)
    _check_certificate(cert)
    _check_assertion(assertion)
    return Bundle([cert], assertion)
