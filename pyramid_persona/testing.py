"""Helpers for testing login flows with real signatures.

Make an identity provider (:class:`IdentityProvider`), point an
application's local verifier at it (:meth:`IdentityProvider.settings`, or
:func:`trust_identity_provider`), and sign in with the assertions it makes
(:meth:`IdentityProvider.assertion`).  The documentation's testing page
has complete, tested examples (``docs/examples/test_myapp.py``).

Deliberately broken assertions come from :meth:`IdentityProvider.assertion`
arguments (``expired=True``, ``audience=...``) and from :func:`tamper`.
"""
import json
import os
import secrets
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from .tokens import ALGORITHMS, decode_base64
from .utils import b64encode, encode_json

ALGORITHM_SIZES = {'RS64': 512, 'RS128': 1024, 'RS256': 2048, 'DS128': 1024, 'DS256': 2048}
_DSA_Q_BITS = {'DS128': 160, 'DS256': 256}


class Keypair:
    """A private key and its BrowserID public key (``public_key``, a dict).

    ``algorithm`` is one of ``RS64``, ``RS128``, ``RS256``, ``DS128``,
    ``DS256``.  ``short_signatures=True`` drops leading zero bytes from RSA
    signatures, as the reference JavaScript implementation does.
    """

    def __init__(self, algorithm='RS256', private_key=None, short_signatures=False):
        if algorithm not in ALGORITHMS:
            raise ValueError('unknown algorithm %r' % algorithm)
        self.algorithm = algorithm
        self.short_signatures = short_signatures
        self.private_key = private_key or _generate(algorithm)
        self.public_key = _public_key_data(self.private_key)

    def sign(self, data):
        """Sign ``data`` (bytes) the way BrowserID does; return bytes."""
        if self.algorithm.startswith('RS'):
            signature = self.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
            return signature.lstrip(b'\0') if self.short_signatures else signature
        digest = hashes.SHA1() if self.algorithm == 'DS128' else hashes.SHA256()
        r, s = decode_dss_signature(self.private_key.sign(data, digest))
        width = _DSA_Q_BITS[self.algorithm] // 8
        return r.to_bytes(width, 'big') + s.to_bytes(width, 'big')


def make_keypair(algorithm='RS256', **kw):
    """Make a new :class:`Keypair` for ``algorithm``."""
    return Keypair(algorithm, **kw)


def sign_jwt(payload, keypair, header=None):
    """Return a signed JWT for ``payload`` (a dict)."""
    header = header if header is not None else {'alg': keypair.algorithm}
    signed = encode_json(header) + '.' + encode_json(payload)
    return signed + '.' + b64encode(keypair.sign(signed.encode('ascii')))


def now_ms():
    """The current time in milliseconds since the epoch."""
    return int(time.time() * 1000)


class IdentityProvider:
    """An identity provider for ``hostname`` with its own signing key.

    It certifies users' public keys (:meth:`certify`) and, for tests,
    produces complete assertions (:meth:`assertion`).
    """

    def __init__(self, hostname='idp.example', algorithm='RS256', keypair=None):
        self.hostname = hostname
        self.keypair = keypair or make_keypair(algorithm)
        self._user_key = None
        self._last_expiry = 0

    @property
    def user_key(self):
        """The browser-side keypair :meth:`assertion` uses by default (made
        once per provider: an RSA key costs tens of milliseconds)."""
        if self._user_key is None:
            self._user_key = make_keypair('RS256')
        return self._user_key

    @property
    def support_document(self):
        """The ``/.well-known/browserid`` document of this provider."""
        return {
            'public-key': self.keypair.public_key,
            'authentication': '/browserid/sign_in',
            'provisioning': '/browserid/provision',
        }

    def certify(self, email, public_key, expires=None, issued_at=None, issuer=None):
        """Return a certificate binding ``email`` to ``public_key`` (a dict)."""
        now = now_ms()
        payload = {
            'iss': issuer or self.hostname,
            'exp': expires if expires is not None else now + 3600 * 1000,
            'iat': issued_at if issued_at is not None else now,
            'public-key': public_key,
            'principal': {'email': email},
        }
        return sign_jwt(payload, self.keypair)

    def assertion(self, email, audience, user_key=None, expires=None, expired=False,
                  certificate_expires=None, issuer=None):
        """Return a bundled assertion ``certificate~assertion`` for ``email``.

        ``expired=True`` makes one that expired a minute ago; ``issuer``
        names another issuer in the certificate (signed by this provider).
        """
        user_key = user_key or self.user_key
        certificate = self.certify(email, user_key.public_key, expires=certificate_expires, issuer=issuer)
        if expired:
            expires = now_ms() - 60 * 1000
        elif expires is None:
            # Signatures are deterministic: a distinct expiry keeps two
            # assertions made in the same millisecond distinct for the
            # replay cache.
            expires = max(now_ms() + 120 * 1000, self._last_expiry + 1)
            self._last_expiry = expires
        token = sign_jwt({'exp': expires, 'aud': audience}, user_key)
        return certificate + '~' + token

    def support_documents_file(self, directory):
        """Write ``{hostname: support document}`` as JSON in ``directory``;
        return the file's path (for ``persona.support_documents``)."""
        path = os.path.join(str(directory), 'persona-support-documents.json')
        with open(path, 'w', encoding='utf-8') as f:
            json.dump({self.hostname: self.support_document}, f)
        return path

    def settings(self, directory):
        """Settings for a local verifier that trusts this provider for any
        address (the support document is pinned in ``directory``)."""
        return {
            'persona.verifier': 'local',
            'persona.trusted_issuers': self.hostname,
            'persona.support_documents': self.support_documents_file(directory),
            'persona.fetch_support_documents': 'false',
        }


def trust_identity_provider(registry, idp):
    """Make an application's local verifier trust ``idp`` for any address."""
    registry['persona.verifier'].trust_issuer(idp.hostname, idp.support_document)


def tamper(bundle, part='assertion-signature'):
    """Return ``bundle`` with one part altered.

    ``part``: ``assertion-signature``, ``certificate-signature``,
    ``assertion-payload`` (a different audience) or ``certificate-payload``
    (a different email).
    """
    certificate, assertion = bundle.rsplit('~', 1)
    if part == 'assertion-signature':
        return certificate + '~' + _flip_signature(assertion)
    if part == 'certificate-signature':
        return _flip_signature(certificate) + '~' + assertion
    if part == 'assertion-payload':
        return certificate + '~' + _replace_payload(assertion, aud='https://attacker.example')
    if part == 'certificate-payload':
        return _replace_payload(certificate, principal={'email': 'mallory@example.com'}) + '~' + assertion
    raise ValueError('unknown part %r' % part)


def _flip_signature(token):
    head, body, signature = token.split('.')
    raw = bytearray(decode_base64(signature))
    raw[len(raw) // 2] ^= 0x01
    return '%s.%s.%s' % (head, body, b64encode(bytes(raw)))


def _replace_payload(token, **changes):
    head, body, signature = token.split('.')
    payload = json.loads(decode_base64(body))
    payload.update(changes)
    return '%s.%s.%s' % (head, encode_json(payload), signature)


def _generate(algorithm):
    bits = ALGORITHM_SIZES[algorithm]
    if algorithm.startswith('DS'):
        return dsa.generate_private_key(bits)
    if bits < 1024:
        return _small_rsa(bits)
    return rsa.generate_private_key(65537, bits)


def _small_rsa(bits):
    # cryptography refuses to generate RSA keys under 1024 bits; RS64 uses
    # 512.  Build one from primes (tests only: 512-bit RSA is weak).
    e = 65537
    while True:
        p, q = _prime(bits // 2), _prime(bits // 2)
        n = p * q
        if p != q and n.bit_length() == bits:
            break
    d = pow(e, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q),
        rsa.RSAPublicNumbers(e, n),
    )
    return numbers.private_key()


def _prime(bits):
    while True:
        candidate = secrets.randbits(bits) | (3 << (bits - 2)) | 1
        if (candidate - 1) % 65537 and _probably_prime(candidate):
            return candidate


def _probably_prime(n, rounds=40):
    for small in (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47):
        if n % small == 0:
            return n == small
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(rounds):
        x = pow(secrets.randbelow(n - 3) + 2, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _public_key_data(private_key):
    if isinstance(private_key, rsa.RSAPrivateKey):
        numbers = private_key.public_key().public_numbers()
        return {'algorithm': 'RS', 'n': str(numbers.n), 'e': str(numbers.e)}
    numbers = private_key.public_key().public_numbers()
    params = numbers.parameter_numbers
    return {
        'algorithm': 'DS',
        'p': format(params.p, 'x'),
        'q': format(params.q, 'x'),
        'g': format(params.g, 'x'),
        'y': format(numbers.y, 'x'),
    }
