"""Support documents: which key an identity provider signs with.

:class:`SupportDocuments` plugs into PyBrowserID's trust logic
(``is_trusted_issuer``, ``get_key``).  Documents come from
``persona.support_documents`` (pinned, never fetched), from in-process
providers such as the development identity provider, and, when
``persona.fetch_support_documents`` is true, from
``https://<host>/.well-known/browserid``.
"""
import json
import logging
import threading
import time

import requests
from browserid.errors import ConnectionError as BrowserIDConnectionError
from browserid.errors import InvalidIssuerError
from browserid.supportdoc import SupportDocumentManager

log = logging.getLogger(__name__)

WELL_KNOWN_PATH = '/.well-known/browserid'
MAX_DOCUMENT_BYTES = 64 * 1024


class SupportDocuments(SupportDocumentManager):
    """Support documents for one verifier: pinned, then fetched and cached.

    ``documents`` maps host names to support documents (dicts).
    ``fetch`` turns network discovery on or off; ``timeout`` (seconds) and
    ``ttl`` (seconds a result, success or failure, is kept) bound it.
    """

    def __init__(self, documents=None, fetch=True, timeout=5.0, ttl=300.0, session=None):
        super().__init__(cache={})
        self._pinned = {h.lower(): dict(d) for h, d in (documents or {}).items()}
        self._fetch = fetch
        self._timeout = timeout
        self._ttl = ttl
        self._session = session
        self._fetched = {}
        self._lock = threading.Lock()

    def pin(self, hostname, document):
        """Use ``document`` for ``hostname`` from now on, without fetching."""
        self._pinned[hostname.lower()] = dict(document)

    def get_support_document(self, hostname):
        """Return the support document of ``hostname`` (pinned or fetched)."""
        if not isinstance(hostname, str):
            raise InvalidIssuerError('invalid host name')
        document = self._pinned.get(hostname.lower())
        if document is not None:
            return document
        if not self._fetch:
            raise InvalidIssuerError('%s is not a known identity provider' % hostname)
        now = time.monotonic()
        with self._lock:
            cached = self._fetched.get(hostname)
        if cached is not None and cached[0] > now:
            error, document = cached[1], cached[2]
        else:
            error = document = None
            try:
                document = self.fetch_support_document(hostname)
            except (InvalidIssuerError, BrowserIDConnectionError) as e:
                error = e
            with self._lock:
                self._fetched[hostname] = (now + self._ttl, error, document)
        if error is not None:
            raise error
        return document

    def fetch_support_document(self, hostname):
        """Fetch ``https://<hostname>/.well-known/browserid``."""
        url = 'https://%s%s' % (hostname, WELL_KNOWN_PATH)
        session = self._session or requests
        try:
            response = session.get(url, timeout=self._timeout, allow_redirects=False, stream=True)
            body = response.raw.read(MAX_DOCUMENT_BYTES + 1, decode_content=True)
            response.close()
        except (requests.RequestException, OSError) as e:
            log.warning('pyramid_persona: could not fetch the support document of %s: %s', hostname, e)
            raise BrowserIDConnectionError('could not reach %s' % hostname)
        if response.status_code != 200:
            raise InvalidIssuerError('%s does not support BrowserID' % hostname)
        if len(body) > MAX_DOCUMENT_BYTES:
            raise InvalidIssuerError('the support document of %s is too large' % hostname)
        try:
            document = json.loads(body.decode('utf-8'), parse_constant=_refuse)
        except (ValueError, RecursionError):
            raise InvalidIssuerError('%s has a malformed support document' % hostname)
        if not isinstance(document, dict):
            raise InvalidIssuerError('%s has a malformed support document' % hostname)
        return document


def _refuse(name):
    raise ValueError(name)
