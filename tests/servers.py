"""Tiny HTTP(S) servers on 127.0.0.1 that misbehave on purpose.

Each reply is a function of the request handler; the helpers below make
the usual ones (JSON, HTML, a 5xx, a slow answer, a truncated body, a
redirect)::

    with LoopbackServer(json_reply({'status': 'okay'})) as server:
        requests.post(server.url + '/verify', ...)
        server.requests  # what was received
"""
import datetime
import http.server
import json
import ssl
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def setup(self):
        super().setup()
        self.server.owner.connections += 1

    def _handle(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        self.server.owner.requests.append(
            {'method': self.command, 'path': self.path, 'headers': dict(self.headers), 'body': body}
        )
        self.server.owner.reply(self)

    do_GET = do_POST = _handle

    def log_message(self, format, *args):  # keep test output quiet
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):
        pass  # a client that gave up (timeout tests) is expected


class LoopbackServer:
    """An HTTP server on 127.0.0.1 answering every request with ``reply``
    (a function of the request handler); HTTPS when ``tls`` (an
    :class:`ssl.SSLContext` for the server side) is given."""

    def __init__(self, reply, tls=None):
        self.reply = reply
        self.requests = []
        self.connections = 0
        self.released = threading.Event()  # wakes up slow replies at stop
        self._server = _Server(('127.0.0.1', 0), _Handler)
        self._server.owner = self
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        scheme = 'https' if tls is not None else 'http'
        self.url = '%s://127.0.0.1:%d' % (scheme, self.port)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={'poll_interval': 0.05})

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def send(handler, status, body, content_type='application/json', headers=(), keep_alive=False):
    handler.send_response(status)
    handler.send_header('Content-Type', content_type)
    handler.send_header('Content-Length', str(len(body)))
    if not keep_alive:
        handler.send_header('Connection', 'close')
    for name, value in headers:
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)
    handler.close_connection = not keep_alive


def json_reply(value, status=200, keep_alive=False):
    """Answer ``value`` as JSON (keeping the connection open if asked)."""
    return lambda handler: send(handler, status, json.dumps(value).encode('utf-8'), keep_alive=keep_alive)


def raw_reply(body, status=200, content_type='text/html'):
    """Answer ``body`` (bytes) as is."""
    return lambda handler: send(handler, status, body, content_type)


def slow_reply(seconds, then):
    """Wait ``seconds`` (or until the server stops), then ``then``."""

    def reply(handler):
        if not handler.server.owner.released.wait(seconds):
            then(handler)

    return reply


def truncated_reply(body, claimed):
    """Announce ``claimed`` bytes, send ``body`` (fewer), close."""

    def reply(handler):
        handler.send_response(200)
        handler.send_header('Content-Type', 'application/json')
        handler.send_header('Content-Length', str(claimed))
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()
        handler.close_connection = True

    return reply


def dripping_reply(content_length=None, count=200):
    """Send one byte every 0.1 s (``count`` bytes): no single read times out,
    only an overall deadline stops it."""

    def reply(handler):
        handler.send_response(200)
        handler.send_header('Content-Type', 'application/json')
        if content_length is not None:
            handler.send_header('Content-Length', str(content_length))
        handler.end_headers()
        for _ in range(count):
            handler.wfile.write(b' ')
            handler.wfile.flush()
            if handler.server.owner.released.wait(0.1):
                return

    return reply


def redirect_reply(location, status=302):
    """Redirect to ``location``."""
    return lambda handler: send(handler, status, b'', 'text/plain', [('Location', location)])


class Certificates:
    """A throwaway certificate authority and a server certificate it signed
    for ``hostnames``: ``server_context()`` for the server, ``client_context()``
    trusting only this authority, for the client."""

    def __init__(self, directory, hostnames):
        now = datetime.datetime.now(datetime.timezone.utc)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'pyramid_persona test CA')])
        ca = (
            x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
            .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                           critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostnames[0])]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hostnames]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        self.ca_file = directory / 'ca.pem'
        self.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        self.cert_file = directory / 'server.pem'
        self.cert_file.write_bytes(
            cert.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        )

    def server_context(self):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file)
        return context

    def client_context(self):
        return ssl.create_default_context(cafile=str(self.ca_file))
