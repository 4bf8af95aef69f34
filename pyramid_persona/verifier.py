"""Verifiers: turn an assertion into a verified email address.

A verifier is any object with ``verify(assertion)`` returning a dict with
at least ``email``; it raises :class:`~pyramid_persona.errors.AssertionRejected`
(HTTP 400) or :class:`~pyramid_persona.errors.VerifierUnavailable` (HTTP 503).
The one in use lives at ``registry['persona.verifier']``.
"""
import logging
import re
import time

import requests
import urllib3
from browserid import errors as browserid_errors
from browserid.verifiers.local import LocalVerifier as _BrowserIDLocalVerifier

from .discovery import SupportDocuments
from .errors import AssertionRejected, VerifierUnavailable
from .keys import KeyCache, check_signature
from .settings import get_settings
from .tokens import parse_bundle
from .utils import redact_url, strict_json_loads

log = logging.getLogger(__name__)

VERIFIER_KEY = 'persona.verifier'
_MAX_AUDIENCES = 64  # audiences remembered as accepted by a LocalVerifier

# Stricter than PyBrowserID's pattern: no port, so an address cannot point
# discovery at an arbitrary port.
_EMAIL = re.compile(
    r"^[\w!#$%&'*+/=?^`{|}~.\-]{1,64}@"
    r"(?=.{1,253}$)[a-z0-9]([a-z0-9\-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9\-]*[a-z0-9])?)*$",
    re.IGNORECASE,
)


def check_email(email):
    """Raise :class:`AssertionRejected` unless ``email`` is a plausible
    address on a host name (no IP literal port, no port)."""
    if not isinstance(email, str) or not email.isascii() or not _EMAIL.match(email):
        raise AssertionRejected('The certified email address is not valid.')
    return email


def _check_audience(settings, audience, expected_audience=None):
    # By normalized origin: PyBrowserID's fnmatch patterns would read
    # '[::1]' as a character class.
    if not settings.audience_matches(audience) or (
        expected_audience is not None and audience != expected_audience
    ):
        raise AssertionRejected('The assertion was made for another site.')


class RemoteVerifier:
    """Verify assertions by POSTing them to a verifier service.

    Works with the classic Persona verifier and with browserid-ng's
    ``/verify``: the request is JSON ``{"assertion", "audience"}``; the
    answer must say ``"status": "okay"`` for the same email and, when it
    names one, the same audience.  One pooled HTTP session is kept.
    """

    def __init__(self, settings, session=None):
        self.settings = settings
        self.url = settings.verifier_url
        self.timeout = settings.verifier_timeout
        self.session = session or requests.Session()

    def verify(self, assertion):
        """Verify ``assertion``; return the verifier's answer (a dict).

        Every failure is logged once, with its reason but never the
        assertion: a fault of the service is an error and
        :class:`VerifierUnavailable`; an answer that does not match the
        assertion is a warning and :class:`AssertionRejected`.
        """
        bundle = parse_bundle(assertion, algorithms=None)
        _check_audience(self.settings, bundle.audience)
        email = check_email(bundle.email)
        status_code, body = self._post({'assertion': assertion, 'audience': bundle.audience})
        answer = _decode_answer(body)
        if status_code >= 500 or answer is None:
            what = 'no JSON object' if answer is None else 'an error'
            raise self._unavailable('answered HTTP %s with %s' % (status_code, what),
                                    'The verification service is not working.')
        url = self._safe_url
        if answer.get('status') != 'okay':
            reason = 'the verifier %s refused an assertion: %.200s' % (url, answer.get('reason'))
            raise _rejected(logging.INFO, reason, 'The verification service refused the assertion.')
        if answer.get('email') != email:
            raise _rejected(logging.WARNING, 'the verifier %s answered for another email address' % url,
                            'The verification service answered for another address.')
        if 'audience' in answer and answer['audience'] != bundle.audience:
            raise _rejected(logging.WARNING, 'the verifier %s answered for another audience' % url,
                            'The verification service answered for another site.')
        result = dict(answer)
        result.setdefault('audience', bundle.audience)
        return result

    @property
    def _safe_url(self):
        return redact_url(self.url)

    def _post(self, payload):
        """POST ``payload``; return ``(status, body)`` read within the timeout."""
        deadline = time.monotonic() + self.timeout
        try:
            # total=: connecting and waiting for the answer share one
            # budget, instead of each getting the whole timeout.
            response = self.session.post(self.url, json=payload,
                                         timeout=urllib3.Timeout(total=self.timeout),
                                         allow_redirects=False, stream=True)
            try:
                return response.status_code, _read_body(response, deadline)
            finally:
                response.close()
        except (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError):
            raise self._unavailable('did not answer within %ss' % self.timeout,
                                    'The verification service did not answer in time.')
        except _TooLarge:
            raise self._unavailable('answered more than %d bytes' % MAX_ANSWER_BYTES,
                                    'The verification service is not working.')
        except urllib3.exceptions.ProtocolError:
            raise self._unavailable('cut its answer short',
                                    'The verification service is not working.')
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, ValueError) as e:
            raise self._unavailable('could not be reached: %s' % _reason(e),
                                    'The verification service could not be reached.')

    def _unavailable(self, problem, message):
        log.error('pyramid_persona: the verifier %s %s', self._safe_url, problem)
        return VerifierUnavailable(message)


#: The largest answer read from a remote verifier.
MAX_ANSWER_BYTES = 64 * 1024


class _TooLarge(Exception):
    pass


def _read_body(response, deadline):
    # requests' timeout bounds each socket operation; the deadline bounds
    # the whole body, so a verifier dripping bytes cannot hold a worker.
    sock = getattr(getattr(response.raw, 'connection', None), 'sock', None)
    read = getattr(response.raw, 'read1', response.raw.read)  # read1: whatever has arrived
    chunks, size = [], 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError()
        if sock is not None:
            sock.settimeout(remaining)
        chunk = read(8192, decode_content=True)
        if not chunk:
            return b''.join(chunks)
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise _TooLarge()
        chunks.append(chunk)


def _rejected(level, reason, message):
    log.log(level, 'pyramid_persona: %s', reason)
    error = AssertionRejected(message)
    error.logged = True  # the login view does not log it again
    return error


def _reason(error):
    text = str(error)
    return text if len(text) < 300 else text[:300] + '...'


def _decode_answer(body):
    try:
        answer = strict_json_loads(body.decode('utf-8'))
    except (ValueError, RecursionError):
        return None
    return answer if isinstance(answer, dict) else None


#: Claims of the protocol; any other claim of the certificate or of the
#: assertion is passed on (``idpClaims``, ``userClaims``), as PyBrowserID does.
RESERVED_CLAIMS = frozenset((
    'iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'public-key', 'pubkey', 'principal',
))
_PRINCIPAL_CLAIMS = RESERVED_CLAIMS | {'email'}


def _extra_claims(payload):
    principal = payload.get('principal')
    if payload.keys() <= RESERVED_CLAIMS and (
        not isinstance(principal, dict) or principal.keys() <= _PRINCIPAL_CLAIMS
    ):
        return None  # the usual case, decided without building a dict
    claims = {name: value for name, value in payload.items() if name not in RESERVED_CLAIMS}
    if isinstance(principal, dict):
        for name, value in principal.items():
            if name not in RESERVED_CLAIMS and name != 'email':
                claims.setdefault(name, value)
    return claims


class LocalVerifier(_BrowserIDLocalVerifier):
    """Verify assertions in-process.

    The checks are PyBrowserID's (audience, expiry, issuer trust, then the
    certificate's and the assertion's signatures), cheapest first; the
    tokens are parsed strictly by :mod:`pyramid_persona.tokens` and the
    signatures are checked with ``cryptography`` (:mod:`pyramid_persona.keys`),
    each public key loaded once.  ``trusted_issuers`` are the secondary
    identity providers trusted for any address; ``support_documents`` a
    :class:`SupportDocuments`.  It is a PyBrowserID ``LocalVerifier``, so
    code written for one keeps working.
    """

    def __init__(self, settings, support_documents=None):
        self.settings = settings
        if support_documents is None:
            support_documents = SupportDocuments(
                settings.support_documents,
                fetch=settings.fetch_support_documents,
                timeout=settings.verifier_timeout,
            )
        super().__init__(
            audiences=list(settings.audiences),
            # Never None: PyBrowserID's default list names dead persona.org hosts.
            trusted_secondaries=set(settings.trusted_issuers),
            supportdocs=support_documents,
        )
        self._keys = KeyCache()
        self._accepted_audiences = set()  # a site has few; bounded below

    def trust_issuer(self, hostname, support_document=None):
        """Trust ``hostname`` to certify any address; pin its document."""
        self.trusted_secondaries.add(hostname.lower())
        if support_document is not None:
            self.supportdocs.pin(hostname, support_document)

    def check_audience(self, assertion, expected_audience=None):
        """Return the audience of ``assertion`` if it is one of the site's
        (and ``expected_audience``, when given); raise otherwise."""
        audience = parse_bundle(assertion).audience
        self._accept_audience(audience, expected_audience)
        return audience

    def _accept_audience(self, audience, expected_audience=None):
        # _check_audience, remembering the audiences it accepted.
        if audience in self._accepted_audiences and expected_audience in (None, audience):
            return
        _check_audience(self.settings, audience, expected_audience)
        if len(self._accepted_audiences) < _MAX_AUDIENCES:
            self._accepted_audiences.add(audience)

    def verify(self, assertion, audience=None, now=None):
        """Verify ``assertion``; return PyBrowserID's result dict
        (``status``, ``email``, ``audience``, ``issuer``, and ``idpClaims``
        and ``userClaims`` when there are any) plus ``expires``."""
        bundle = parse_bundle(assertion)
        cert, token = bundle.certificates[0], bundle.assertion
        claims = token.payload
        self._accept_audience(claims['aud'], audience)
        email = check_email(cert.payload['principal']['email'])
        if now is None:
            now = int(time.time() * 1000)
        if claims['exp'] < now:
            raise AssertionRejected('The assertion has expired.')
        if cert.payload['exp'] < now:
            raise AssertionRejected('The assertion or its certificate has expired.')
        issuer = cert.payload['iss']
        if not self._trusts(email.rpartition('@')[2], issuer):
            raise AssertionRejected('The identity provider is not trusted for this address.')
        if not check_signature(cert, self._issuer_key(issuer), self._keys):
            raise AssertionRejected('The signature of the assertion is not valid.')
        if not check_signature(token, cert.payload['public-key'], self._keys):
            raise AssertionRejected('The signature of the assertion is not valid.')
        result = {'status': 'okay', 'audience': claims['aud'], 'email': email, 'issuer': issuer}
        idp_claims = _extra_claims(cert.payload)
        if idp_claims:
            result['idpClaims'] = idp_claims
        user_claims = _extra_claims(claims)
        if user_claims:
            result['userClaims'] = user_claims
        result['expires'] = claims['exp']
        return result

    def _trusts(self, provider, issuer):
        # The usual cases first; delegation needs support documents.
        if issuer == provider or issuer in self.trusted_secondaries:
            return True
        return self.is_trusted_issuer(provider, issuer)

    def _issuer_key(self, issuer):
        try:
            return self.supportdocs.get_key(issuer)
        except browserid_errors.ConnectionError:
            raise VerifierUnavailable('The identity provider could not be reached.')
        except browserid_errors.Error as e:
            log.info('pyramid_persona: issuer refused: %s', e)
            raise AssertionRejected('The identity provider of this address is not known.')


def build_verifier(settings):
    """Make the verifier that ``settings`` ask for."""
    if settings.verifier == 'remote':
        return RemoteVerifier(settings)
    if settings.verifier == 'local':
        return LocalVerifier(settings)
    return settings.verifier_factory(list(settings.audiences))


def get_verifier(registry):
    """Return the verifier of an application's registry."""
    return registry[VERIFIER_KEY]


def includeme(config):
    """Build the verifier from the settings; keep it in the registry."""
    config.registry[VERIFIER_KEY] = build_verifier(get_settings(config.registry))
