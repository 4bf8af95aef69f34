"""Support documents: which key an identity provider signs with.

:class:`SupportDocuments` plugs into PyBrowserID's trust logic
(``is_trusted_issuer``, ``get_key``).  Documents come from
``persona.support_documents`` (pinned, never fetched), from in-process
providers such as the development identity provider, and, when
``persona.fetch_support_documents`` is true, from
``https://<host>/.well-known/browserid``.

The host name comes from the assertion, that is from whoever posts the
login form, so fetching is guarded against server-side request forgery:
only https on port 443, only host names (no IP literals, no ports), and
only hosts whose every address is public.  The name is resolved once and
the connection goes to the address that was checked, with TLS verified
for the host name.  Redirects are refused, the answer's size and the
whole fetch's time are bounded, and every result, failures included, is
cached for a while.
"""
import http.client
import ipaddress
import logging
import re
import socket
import ssl
import threading
import time
from collections import OrderedDict

from browserid.errors import ConnectionError as BrowserIDConnectionError
from browserid.errors import InvalidIssuerError
from browserid.supportdoc import SupportDocumentManager

from .utils import strict_json_loads

log = logging.getLogger(__name__)

WELL_KNOWN_PATH = '/.well-known/browserid'
HTTPS_PORT = 443
MAX_DOCUMENT_BYTES = 64 * 1024

_LABEL = r'[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?'
_HOSTNAME = re.compile(r'^(?=.{1,253}$)%s(\.%s)+$' % (_LABEL, _LABEL))
_NUMERIC_LABEL = re.compile(r'^([0-9]+|0x[0-9a-f]*)$')
_NAT64 = ipaddress.ip_network('64:ff9b::/96')


def resolve(hostname, port):
    """Every address ``hostname`` resolves to (strings), for ``port``."""
    infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def connect(address, port, timeout):
    """Open a TCP connection to ``address`` (an IP address), ``port``."""
    return socket.create_connection((address, port), timeout=timeout)


def check_hostname(hostname):
    """Raise :class:`InvalidIssuerError` unless ``hostname`` may be fetched
    from: a lower-case DNS name with a dot, no port, not an IP address."""
    if not isinstance(hostname, str) or not _HOSTNAME.match(hostname):
        raise InvalidIssuerError('%.100r is not a host name that can be fetched from' % (hostname,))
    if _NUMERIC_LABEL.match(hostname.rsplit('.', 1)[1]):
        # 10.0.0.1, 127.1, 0x7f.1: IP addresses in disguise.
        raise InvalidIssuerError('%r is an IP address, not a host name' % hostname)
    return hostname


def is_public_address(address):
    """Whether ``address`` (text) is a public unicast address, and not a
    loopback, private, link-local, shared, multicast or reserved one,
    including IPv4 addresses embedded in IPv6 ones."""
    try:
        ip = ipaddress.ip_address(address.split('%', 1)[0])
    except ValueError:
        return False
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip.teredo:
            embedded = ip.teredo[1]
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified
    )


class _Refused(Exception):
    """The host may not be fetched from, or its answer is not a document."""


class _Unreachable(Exception):
    """The host could not be reached, or failed while answering."""


class SupportDocuments(SupportDocumentManager):
    """Support documents for one verifier: pinned, then fetched and cached.

    ``documents`` maps host names to support documents (dicts).
    ``fetch`` turns network discovery on or off; ``timeout`` (seconds)
    bounds a whole fetch, ``ttl`` is how long (seconds) a result, success or
    failure, is kept, and ``max_bytes`` the size of a document.
    ``resolver(hostname, port)`` returns addresses, ``connector(address,
    port, timeout)`` returns a connected socket and ``ssl_context``
    verifies the provider's certificate (the system's CAs by default).
    """

    def __init__(self, documents=None, fetch=True, timeout=5.0, ttl=300.0, *,
                 resolver=resolve, connector=connect, ssl_context=None,
                 max_bytes=MAX_DOCUMENT_BYTES, max_cached=1024, clock=time.monotonic):
        super().__init__(cache={})
        self._pinned = {h.lower(): dict(d) for h, d in (documents or {}).items()}
        self._fetch = fetch
        self._timeout = timeout
        self._ttl = ttl
        self._resolver = resolver
        self._connector = connector
        self._ssl_context = ssl_context or ssl.create_default_context()
        self._max_bytes = max_bytes
        self._max_cached = max_cached
        self._clock = clock
        self._fetched = OrderedDict()  # hostname -> (until, error, document)
        self._fetching = {}  # hostname -> lock held while it is fetched
        self._lock = threading.Lock()

    def pin(self, hostname, document):
        """Use ``document`` for ``hostname`` from now on, without fetching."""
        self._pinned[hostname.lower()] = dict(document)

    def get_support_document(self, hostname):
        """Return the support document of ``hostname`` (pinned or fetched).

        Raises PyBrowserID's ``InvalidIssuerError`` (the host is refused or
        has no valid document) or ``ConnectionError`` (it could not be
        reached).
        """
        if not isinstance(hostname, str):
            raise InvalidIssuerError('invalid host name')
        hostname = hostname.lower()  # DNS names are case-insensitive
        document = self._pinned.get(hostname)
        if document is not None:
            return document
        if not self._fetch:
            raise InvalidIssuerError('%.100r is not a known identity provider' % hostname)
        cached = self._cached(hostname)
        if cached is None:
            # One fetch per host at a time: concurrent logins naming the
            # same provider wait for it rather than each fetching.
            with self._lock:
                fetching = self._fetching.setdefault(hostname, threading.Lock())
            with fetching:
                cached = self._cached(hostname)
                if cached is None:
                    cached = self._fetch_and_cache(hostname)
            with self._lock:
                self._fetching.pop(hostname, None)
        error, document = cached
        if error is not None:
            raise error
        return document

    def _cached(self, hostname):
        with self._lock:
            cached = self._fetched.get(hostname)
        if cached is not None and cached[0] > self._clock():
            return cached[1:]
        return None

    def _fetch_and_cache(self, hostname):
        error = document = None
        try:
            document = self.fetch_support_document(hostname)
        except (InvalidIssuerError, BrowserIDConnectionError) as e:
            error = e
        with self._lock:
            self._fetched[hostname] = (self._clock() + self._ttl, error, document)
            self._fetched.move_to_end(hostname)
            while len(self._fetched) > self._max_cached:
                self._fetched.popitem(last=False)
        return error, document

    def fetch_support_document(self, hostname):
        """Fetch ``https://<hostname>/.well-known/browserid``, guarded."""
        try:
            check_hostname(hostname)
        except InvalidIssuerError as e:
            log.warning('pyramid_persona: support document not fetched: %s', e)
            raise
        try:
            body = self._get(hostname, time.monotonic() + self._timeout)
            return _parse_document(hostname, body)
        except _Refused as e:
            log.warning('pyramid_persona: support document of %s refused: %s', hostname, e)
            raise InvalidIssuerError('%s is not a usable identity provider' % hostname)
        except _Unreachable as e:
            log.warning('pyramid_persona: support document of %s could not be fetched: %s', hostname, e)
            raise BrowserIDConnectionError('could not fetch the support document of %s' % hostname)

    def _get(self, hostname, deadline):
        try:
            addresses = self._resolver(hostname, HTTPS_PORT)
        except (OSError, UnicodeError) as e:
            raise _Unreachable('the name does not resolve (%s)' % e)
        if not addresses:
            raise _Unreachable('the name does not resolve')
        for address in addresses:
            if not is_public_address(address):
                raise _Refused('it resolves to the non-public address %s' % address)
        sock = self._connect(addresses, deadline)
        connection = http.client.HTTPSConnection(hostname, HTTPS_PORT, context=self._ssl_context)
        try:
            tls = connection.sock = self._wrap_tls(sock, hostname, deadline)
            connection.request('GET', WELL_KNOWN_PATH, headers={
                'Accept': 'application/json',
                'User-Agent': 'pyramid_persona',
                'Connection': 'close',
            })
            _set_timeout(tls, deadline)
            response = connection.getresponse()
            if 300 <= response.status < 400:
                raise _Refused('it answered a redirect (HTTP %d), not followed' % response.status)
            if response.status >= 500:
                raise _Unreachable('it answered HTTP %d' % response.status)
            if response.status != 200:
                raise _Refused('it answered HTTP %d' % response.status)
            return self._read(tls, response, deadline)
        except (OSError, http.client.HTTPException) as e:
            raise _Unreachable(_describe(e))
        finally:
            connection.close()
            sock.close()

    def _connect(self, addresses, deadline):
        error = None
        for address in addresses:
            try:
                return self._connector(address, HTTPS_PORT, _remaining(deadline))
            except OSError as e:
                error = e
        raise _Unreachable('could not connect (%s)' % _describe(error))

    def _wrap_tls(self, sock, hostname, deadline):
        _set_timeout(sock, deadline)
        return self._ssl_context.wrap_socket(sock, server_hostname=hostname)

    def _read(self, sock, response, deadline):
        length = response.getheader('Content-Length')
        if length is not None and length.isdigit() and int(length) > self._max_bytes:
            raise _Refused('the document is larger than %d bytes' % self._max_bytes)
        chunks, size = [], 0
        while True:
            _set_timeout(sock, deadline)
            chunk = response.read1(8192)
            if not chunk:
                break
            size += len(chunk)
            if size > self._max_bytes:
                raise _Refused('the document is larger than %d bytes' % self._max_bytes)
            chunks.append(chunk)
        if response.length:
            raise _Unreachable('the answer was cut short')
        return b''.join(chunks)


def _parse_document(hostname, body):
    try:
        document = strict_json_loads(body.decode('utf-8'))
    except (ValueError, RecursionError):
        raise _Refused('the document is not JSON')
    if not isinstance(document, dict) or not isinstance(document.get('public-key'), dict):
        raise _Refused('the document has no public key')
    authority = document.get('authority')
    if authority is not None and not isinstance(authority, str):
        raise _Refused('the document has an invalid authority')
    return document


def _remaining(deadline):
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _Unreachable('timed out')
    return remaining


def _set_timeout(sock, deadline):
    remaining = _remaining(deadline)
    try:
        sock.settimeout(remaining)
    except OSError:
        # Python 3.13's http.client closes the connection's socket once the
        # headers say "Connection: close"; the answer is still read through
        # the response's own file, under the timeout set last, and the
        # deadline is checked before every read.
        pass


def _describe(error):
    if isinstance(error, (socket.timeout, TimeoutError)):
        return 'timed out'
    if isinstance(error, http.client.IncompleteRead):
        return 'the answer was cut short'
    text = str(error) or type(error).__name__
    return text if len(text) <= 200 else text[:200] + '...'

