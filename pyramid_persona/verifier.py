"""Verifiers: turn an assertion into a verified email address.

A verifier is any object with ``verify(assertion)`` returning a dict with
at least ``email``; it raises :class:`~pyramid_persona.errors.AssertionRejected`
(HTTP 400) or :class:`~pyramid_persona.errors.VerifierUnavailable` (HTTP 503).
The one in use lives at ``registry['persona.verifier']``.
"""
import json
import logging
import re
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3
from browserid import errors as browserid_errors
from browserid.verifiers.local import LocalVerifier as _BrowserIDLocalVerifier

from .discovery import SupportDocuments
from .errors import AssertionRejected, VerificationError, VerifierUnavailable
from .keys import KeyCache, check_signature
from .settings import get_settings
from .tokens import parse_bundle

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


def _check_audience(settings, bundle):
    if not settings.audience_matches(bundle.audience):
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
        _check_audience(self.settings, bundle)
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
        return _redact_url(self.url)

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


def _redact_url(url):
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    netloc = '***@' + parts.netloc.rsplit('@', 1)[1]
    return urlunsplit(parts._replace(netloc=netloc))


def _reason(error):
    text = str(error)
    return text if len(text) < 300 else text[:300] + '...'


def _decode_answer(body):
    try:
        answer = json.loads(body.decode('utf-8'), parse_constant=_refuse)
    except (ValueError, RecursionError):
        return None
    return answer if isinstance(answer, dict) else None


def _refuse(name):
    raise ValueError(name)


class _VerifiableToken:
    """A strictly parsed token, shaped like PyBrowserID's JWT objects."""

    __slots__ = ('token', 'payload', '_keys')

    def __init__(self, token, keys):
        self.token = token
        self.payload = token.payload
        self._keys = keys

    def check_signature(self, key_data):
        return check_signature(self.token, key_data, self._keys)


class LocalVerifier(_BrowserIDLocalVerifier):
    """Verify assertions in-process.

    PyBrowserID's logic checks the audience, expiry and issuer trust; the
    tokens are parsed strictly by :mod:`pyramid_persona.tokens` and the
    signatures are checked with ``cryptography`` (:mod:`pyramid_persona.keys`).
    ``trusted_issuers`` are the secondary identity providers trusted for any
    address; ``support_documents`` a :class:`SupportDocuments`.
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
        self._local = threading.local()
        self._accepted_audiences = set()  # a site has few; bounded below

    def trust_issuer(self, hostname, support_document=None):
        """Trust ``hostname`` to certify any address; pin its document."""
        self.trusted_secondaries.add(hostname.lower())
        if support_document is not None:
            self.supportdocs.pin(hostname, support_document)

    def check_audience(self, assertion, expected_audience=None):
        # PyBrowserID's verify() calls this after ours has checked the
        # bundle's audience by normalized origin (PyBrowserID's fnmatch
        # patterns would read '[::1]' as a character class).
        bundle = getattr(self._local, 'bundle', None)
        if bundle is None:  # called on its own, not from verify()
            bundle = parse_bundle(assertion)
            _check_audience(self.settings, bundle)
        return bundle.audience

    def parse_jwt(self, data):
        parsed = getattr(self._local, 'parsed', None)
        token = parsed.get(data) if parsed else None
        if token is None:
            raise AssertionRejected('The assertion is malformed.')
        return _VerifiableToken(token, self._keys)

    def verify(self, assertion, audience=None, now=None):
        """Verify ``assertion``; return PyBrowserID's result dict
        (``status``, ``email``, ``audience``, ``issuer``) plus ``expires``."""
        bundle = parse_bundle(assertion)
        if bundle.audience not in self._accepted_audiences:
            _check_audience(self.settings, bundle)  # raises unless accepted
            if len(self._accepted_audiences) < _MAX_AUDIENCES:
                self._accepted_audiences.add(bundle.audience)
        check_email(bundle.email)
        if now is None:
            now = int(time.time() * 1000)
        if bundle.expires < now:
            raise AssertionRejected('The assertion has expired.')
        self._local.parsed = bundle.texts
        self._local.bundle = bundle
        try:
            result = super().verify(assertion, audience, now=now)
        except VerificationError:
            raise
        except browserid_errors.ExpiredSignatureError:
            raise AssertionRejected('The assertion or its certificate has expired.')
        except browserid_errors.AudienceMismatchError:
            raise AssertionRejected('The assertion was made for another site.')
        except browserid_errors.InvalidIssuerError as e:
            log.info('pyramid_persona: issuer refused: %s', e)
            raise AssertionRejected('The identity provider of this address is not known.')
        except browserid_errors.InvalidSignatureError as e:
            if str(e).startswith('untrusted'):
                raise AssertionRejected('The identity provider is not trusted for this address.')
            raise AssertionRejected('The signature of the assertion is not valid.')
        except browserid_errors.ConnectionError:
            raise VerifierUnavailable('The identity provider could not be reached.')
        except (browserid_errors.Error, ValueError, KeyError, TypeError, AttributeError,
                IndexError, OverflowError, RecursionError, UnicodeError) as e:
            log.info('pyramid_persona: malformed assertion (%s)', type(e).__name__)
            raise AssertionRejected('The assertion is malformed.')
        finally:
            self._local.parsed = self._local.bundle = None
        result['expires'] = bundle.expires
        return result


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
