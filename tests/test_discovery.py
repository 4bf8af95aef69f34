"""Support documents are fetched only from public hosts, over verified TLS.

The identity provider is a real HTTPS server on 127.0.0.1 with a
certificate for its host name; an injected resolver gives that name a
public address, and an injected connector records the address it is asked
for and connects to the loopback server instead.  No traffic leaves the
machine.
"""
import logging
import socket
import time

import pytest
from browserid.errors import ConnectionError as BrowserIDConnectionError
from browserid.errors import InvalidIssuerError

from pyramid_persona.discovery import SupportDocuments, check_hostname, is_public_address
from pyramid_persona.testing import IdentityProvider

from .conftest import AUDIENCE, free_port
from .servers import (
    Certificates,
    LoopbackServer,
    dripping_reply,
    json_reply,
    raw_reply,
    redirect_reply,
    slow_reply,
    truncated_reply,
)

HOST = 'login.example.com'
PUBLIC_ADDRESS = '93.184.215.14'


@pytest.fixture(scope='module')
def certificates(tmp_path_factory):
    return Certificates(tmp_path_factory.mktemp('tls'), [HOST, 'shop.example.com'])


@pytest.fixture(scope='module')
def provider():
    return IdentityProvider(HOST)


class Network:
    """A resolver and a connector under test control: every name resolves
    to ``addresses``; every connection goes to 127.0.0.1:``port``."""

    def __init__(self, addresses=(PUBLIC_ADDRESS,), port=None):
        self.addresses = addresses if isinstance(addresses, Exception) else list(addresses)
        self.port = port
        self.resolved = []
        self.connected = []

    def resolve(self, hostname, port):
        self.resolved.append((hostname, port))
        if isinstance(self.addresses, Exception):
            raise self.addresses
        return self.addresses

    def connect(self, address, port, timeout):
        self.connected.append((address, port))
        return socket.create_connection(('127.0.0.1', self.port or free_port()), timeout=timeout)


def documents(network, certificates, **kw):
    kw.setdefault('timeout', 2.0)
    return SupportDocuments(resolver=network.resolve, connector=network.connect,
                            ssl_context=certificates.client_context(), **kw)


def pyramid_logs(caplog):
    return [r for r in caplog.records if r.name.startswith('pyramid_persona')]


# -- The decisions ----------------------------------------------------------

@pytest.mark.parametrize('hostname', [
    'login.example.com', 'a.b', 'xn--bcher-kva.example', 'idp-1.example.org',
])
def test_host_names_are_accepted(hostname):
    assert check_hostname(hostname) == hostname


@pytest.mark.parametrize('hostname', [
    '10.0.0.1', '127.0.0.1', '127.1', '0x7f.1', '2130706433', '[::1]', '::1',
    'login.example.com:8443', 'localhost', 'intranet', 'a..b', '.example.com',
    'example.com.', 'user@example.com', 'example.com/path', 'ex ample.com',
    'LOGIN.example.com', '', 'a' * 300 + '.com', 'éxample.com', 'example.com\x00.evil',
])
def test_ip_literals_ports_and_odd_names_are_refused(hostname):
    with pytest.raises(InvalidIssuerError):
        check_hostname(hostname)


@pytest.mark.parametrize('address', [
    '127.0.0.1', '127.255.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1',
    '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '240.0.0.1',
    '255.255.255.255', '192.0.2.1', '198.18.0.1', '::1', '::', 'fe80::1', 'fe80::1%eth0',
    'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1',
    '2002:7f00:1::1', '64:ff9b::a00:1', '2001:db8::1', 'not an address',
])
def test_non_public_addresses_are_refused(address):
    assert is_public_address(address) is False


@pytest.mark.parametrize('address', ['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111'])
def test_public_addresses_are_allowed(address):
    assert is_public_address(address) is True


# -- Fetching ----------------------------------------------------------------

def test_the_document_is_fetched_from_the_checked_address_over_verified_tls(certificates, provider):
    with LoopbackServer(json_reply(provider.support_document), tls=certificates.server_context()) as server:
        network = Network(port=server.port)
        assert documents(network, certificates).get_support_document(HOST) == provider.support_document
    assert network.resolved == [(HOST, 443)]
    assert network.connected == [(PUBLIC_ADDRESS, 443)]  # the vetted address, not a new lookup
    [request] = server.requests
    assert request['path'] == '/.well-known/browserid'
    assert request['headers']['Host'] == HOST


def test_host_names_are_fetched_in_lower_case(certificates, provider):
    with LoopbackServer(json_reply(provider.support_document), tls=certificates.server_context()) as server:
        network = Network(port=server.port)
        docs = documents(network, certificates)
        assert docs.get_support_document('Login.Example.COM') == provider.support_document
        assert docs.get_support_document(HOST) == provider.support_document
    assert network.resolved == [(HOST, 443)]
    assert server.requests[0]['headers']['Host'] == HOST


def test_a_certificate_for_another_name_is_refused(tmp_path, provider):
    other = Certificates(tmp_path, ['other.example.net'])
    with LoopbackServer(json_reply(provider.support_document), tls=other.server_context()) as server:
        network = Network(port=server.port)
        with pytest.raises(BrowserIDConnectionError):
            documents(network, other).get_support_document(HOST)
    assert server.requests == []


def test_an_untrusted_certificate_authority_is_refused(tmp_path, certificates, provider):
    stranger = Certificates(tmp_path, [HOST])
    with LoopbackServer(json_reply(provider.support_document), tls=stranger.server_context()) as server:
        with pytest.raises(BrowserIDConnectionError):
            documents(Network(port=server.port), certificates).get_support_document(HOST)
    assert server.requests == []


@pytest.mark.parametrize('addresses', [
    ['127.0.0.1'], ['10.1.2.3'], ['169.254.169.254'], ['::1'], ['::ffff:192.168.0.1'],
    [PUBLIC_ADDRESS, '192.168.0.1'],  # one bad address is enough
])
def test_a_name_resolving_to_a_private_address_is_not_connected_to(certificates, addresses, caplog):
    network = Network(addresses)
    with pytest.raises(InvalidIssuerError):
        documents(network, certificates).get_support_document(HOST)
    assert network.connected == []
    [record] = pyramid_logs(caplog)
    assert record.levelno == logging.WARNING
    assert 'non-public address' in record.getMessage()


def test_ip_literal_issuers_are_refused_before_any_lookup(certificates, caplog):
    network = Network()
    for hostname in ('10.0.0.1', '127.0.0.1', 'login.example.com:8443'):
        with pytest.raises(InvalidIssuerError):
            documents(network, certificates).get_support_document(hostname)
    assert network.resolved == [] and network.connected == []


def test_a_redirect_is_not_followed(certificates, provider):
    with LoopbackServer(json_reply(provider.support_document)) as elsewhere:
        reply = redirect_reply(elsewhere.url + '/.well-known/browserid')
        with LoopbackServer(reply, tls=certificates.server_context()) as server:
            with pytest.raises(InvalidIssuerError):
                documents(Network(port=server.port), certificates).get_support_document(HOST)
    assert len(server.requests) == 1
    assert elsewhere.requests == []


@pytest.mark.parametrize('reply, error, reason', [
    (json_reply({'error': 'down'}, status=503), BrowserIDConnectionError, 'HTTP 503'),
    (json_reply({'error': 'gone'}, status=404), InvalidIssuerError, 'HTTP 404'),
    (raw_reply(b'<html><body>Welcome!</body></html>'), InvalidIssuerError, 'not JSON'),
    (json_reply(['public-key']), InvalidIssuerError, 'no public key'),
    (json_reply({'public-key': 'RS'}), InvalidIssuerError, 'no public key'),
    (raw_reply(b'{"public-key": {"algorithm": "RS", "n": NaN}}', content_type='application/json'),
     InvalidIssuerError, 'not JSON'),
    (truncated_reply(b'{"public-key": {"alg', claimed=500), BrowserIDConnectionError, 'cut short'),
    (raw_reply(b' ' * 70_000, content_type='application/json'), InvalidIssuerError, 'larger than'),
])
def test_a_failing_provider_is_refused_with_the_reason_logged_once(certificates, reply, error, reason,
                                                                   caplog):
    with LoopbackServer(reply, tls=certificates.server_context()) as server:
        with pytest.raises(error):
            documents(Network(port=server.port), certificates).get_support_document(HOST)
    [record] = pyramid_logs(caplog)
    assert record.levelno == logging.WARNING
    assert reason in record.getMessage()


def test_an_endless_body_without_length_is_cut_at_the_size_cap(certificates):
    def endless(handler):
        handler.send_response(200)
        handler.send_header('Content-Type', 'application/json')
        handler.end_headers()
        for _ in range(100):
            handler.wfile.write(b' ' * 8192)
        handler.close_connection = True

    with LoopbackServer(endless, tls=certificates.server_context()) as server:
        with pytest.raises(InvalidIssuerError):
            documents(Network(port=server.port), certificates, max_bytes=16_384).get_support_document(HOST)


def test_a_slow_provider_times_out(certificates, provider, caplog):
    reply = slow_reply(30, json_reply(provider.support_document))
    with LoopbackServer(reply, tls=certificates.server_context()) as server:
        started = time.monotonic()
        with pytest.raises(BrowserIDConnectionError):
            documents(Network(port=server.port), certificates, timeout=0.3).get_support_document(HOST)
        assert time.monotonic() - started < 10  # the reply would take 30 s
    assert 'timed out' in pyramid_logs(caplog)[0].getMessage()


def test_a_provider_dripping_bytes_is_stopped_by_the_overall_deadline(certificates):
    with LoopbackServer(dripping_reply(), tls=certificates.server_context()) as server:
        started = time.monotonic()
        with pytest.raises(BrowserIDConnectionError):
            documents(Network(port=server.port), certificates, timeout=0.5).get_support_document(HOST)
        assert time.monotonic() - started < 10  # dripping would take 20 s


def test_connection_refused_and_dns_failure_are_connection_errors(certificates, caplog):
    with pytest.raises(BrowserIDConnectionError):
        documents(Network(port=free_port()), certificates).get_support_document(HOST)
    failing = Network(socket.gaierror(socket.EAI_NONAME, 'Name or service not known'))
    with pytest.raises(BrowserIDConnectionError):
        documents(failing, certificates).get_support_document('nowhere.invalid')
    messages = [r.getMessage() for r in pyramid_logs(caplog)]
    assert len(messages) == 2
    assert 'could not connect' in messages[0]
    assert 'does not resolve' in messages[1]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_results_and_failures_are_cached_for_the_ttl(certificates, provider):
    clock = Clock()
    with LoopbackServer(json_reply(provider.support_document), tls=certificates.server_context()) as server:
        network = Network(port=server.port)
        docs = documents(network, certificates, ttl=60, clock=clock)
        docs.get_support_document(HOST)
        docs.get_support_document(HOST)
        assert len(server.requests) == 1
        clock.now += 61
        docs.get_support_document(HOST)
        assert len(server.requests) == 2

    failing = Network(['10.0.0.1'])
    docs = documents(failing, certificates, ttl=60, clock=clock)
    for _ in range(3):
        with pytest.raises(InvalidIssuerError):
            docs.get_support_document('bad.example.com')
    assert len(failing.resolved) == 1
    clock.now += 61
    with pytest.raises(InvalidIssuerError):
        docs.get_support_document('bad.example.com')
    assert len(failing.resolved) == 2


def test_concurrent_logins_naming_one_provider_fetch_it_once(certificates, provider):
    import threading

    reply = slow_reply(0.3, json_reply(provider.support_document))
    with LoopbackServer(reply, tls=certificates.server_context()) as server:
        docs = documents(Network(port=server.port), certificates)
        results = []
        barrier = threading.Barrier(6)

        def fetch():
            barrier.wait()
            results.append(docs.get_support_document(HOST))

        threads = [threading.Thread(target=fetch) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results == [provider.support_document] * 6
    assert len(server.requests) == 1


def test_a_delegation_to_an_internal_address_is_not_followed(certificates, provider):
    document = dict(provider.support_document, authority='10.0.0.1')
    with LoopbackServer(json_reply(document), tls=certificates.server_context()) as server:
        network = Network(port=server.port)
        docs = documents(network, certificates)
        assert docs.is_trusted_issuer('shop.example.com', 'evil.example.net', trusted_secondaries=()) is False
    assert [host for host, _ in network.resolved] == ['shop.example.com']


def test_the_cache_is_bounded(certificates):
    network = Network(['10.0.0.1'])
    docs = documents(network, certificates, max_cached=10)
    for i in range(50):
        with pytest.raises(InvalidIssuerError):
            docs.get_support_document('host%d.example.com' % i)
    assert len(docs._fetched) == 10


def test_pinned_documents_are_never_fetched_and_fetching_can_be_off(certificates, provider):
    network = Network()
    docs = SupportDocuments({HOST: provider.support_document}, fetch=False,
                            resolver=network.resolve, connector=network.connect)
    assert docs.get_support_document(HOST) == provider.support_document
    with pytest.raises(InvalidIssuerError):
        docs.get_support_document('other.example.com')
    assert network.resolved == []


# -- At the login view --------------------------------------------------------

@pytest.fixture
def discovering_app(make_app, certificates):
    """An app whose local verifier trusts no one in particular and discovers
    providers through a :class:`Network` (``app.network``)."""

    def make(port=None, addresses=(PUBLIC_ADDRESS,), timeout=2.0):
        app = make_app(trusted_issuers=None, support_documents=None, fetch_support_documents='true')
        app.network = Network(addresses, port=port)
        verifier = app.app.registry['persona.verifier']
        verifier.supportdocs = documents(app.network, certificates, timeout=timeout)
        return app

    return make


def test_a_primary_provider_discovered_over_https_logs_its_user_in(discovering_app, login, certificates):
    shop = IdentityProvider('shop.example.com')
    with LoopbackServer(json_reply(shop.support_document), tls=certificates.server_context()) as server:
        app = discovering_app(port=server.port)
        answer = login(app, assertion=shop.assertion('bob@shop.example.com', AUDIENCE), status=200)
    assert answer.json['success'] is True
    assert app.get('/protected').text == 'Hello bob@shop.example.com!'
    assert app.network.connected == [(PUBLIC_ADDRESS, 443)]


@pytest.mark.parametrize('email, issuer, looked_up', [
    ('alice@10.0.0.1', '10.0.0.1', []),
    ('alice@127.0.0.1', '127.0.0.1', []),
    ('alice@shop.example.com:8443', 'shop.example.com:8443', []),
    # The address's own domain may be asked whether it delegates to the
    # issuer; the issuer itself is never looked up.
    ('alice@shop.example.com', '169.254.169.254', ['shop.example.com']),
    ('alice@shop.example.com', 'metadata.google.internal:80', ['shop.example.com']),
])
def test_a_login_cannot_make_the_server_fetch_an_internal_address(discovering_app, login, email, issuer,
                                                                   looked_up):
    app = discovering_app(port=free_port())
    attacker = IdentityProvider(issuer)
    answer = login(app, assertion=attacker.assertion(email, AUDIENCE), status=400)
    assert answer.json['success'] is False
    assert [host for host, _ in app.network.resolved] == looked_up
    assert [address for address, _ in app.network.connected] == [PUBLIC_ADDRESS] * len(looked_up)


def test_a_provider_on_a_private_network_is_refused_at_the_login_view(discovering_app, login):
    app = discovering_app(addresses=['10.20.30.40'])
    shop = IdentityProvider('shop.example.com')
    login(app, assertion=shop.assertion('bob@shop.example.com', AUDIENCE), status=400)
    assert app.network.resolved == [('shop.example.com', 443)]
    assert app.network.connected == []


def test_an_unreachable_provider_is_a_503(discovering_app, login):
    app = discovering_app(port=free_port())
    shop = IdentityProvider('shop.example.com')
    answer = login(app, assertion=shop.assertion('bob@shop.example.com', AUDIENCE), status=503)
    assert answer.json['success'] is False
    assert app.get('/protected', status=403)


VIEW_FAULTS = [
    ('5xx', json_reply({'error': 'down'}, status=502), 503),
    ('truncated', truncated_reply(b'{"public-key": {', claimed=300), 503),
    ('slow', slow_reply(30, json_reply({})), 503),
    ('404', json_reply({'error': 'gone'}, status=404), 400),
    ('html', raw_reply(b'<html>Hello</html>'), 400),
    ('too large', raw_reply(b' ' * 70_000, content_type='application/json'), 400),
    ('redirect', redirect_reply('https://127.0.0.1/.well-known/browserid'), 400),
]


@pytest.mark.parametrize('name, reply, status', VIEW_FAULTS, ids=[f[0] for f in VIEW_FAULTS])
def test_each_provider_fault_is_a_json_answer_at_the_login_view(discovering_app, login, certificates, caplog,
                                                                name, reply, status):
    shop = IdentityProvider('shop.example.com')
    with LoopbackServer(reply, tls=certificates.server_context()) as server:
        app = discovering_app(port=server.port, timeout=0.3)
        caplog.clear()
        started = time.monotonic()
        answer = login(app, assertion=shop.assertion('bob@shop.example.com', AUDIENCE), status=status)
        assert time.monotonic() - started < 10  # the slow reply would take 30 s
    assert answer.json['success'] is False
    assert app.get('/protected', status=403)
    warnings = [r for r in pyramid_logs(caplog) if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and 'shop.example.com' in warnings[0].getMessage()
