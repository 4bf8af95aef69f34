"""Login throughput under waitress on loopback, with 1 and 4 threads.

The application runs in its own process (``python -m benchmarks.threads
SETTINGS.json THREADS``, which prints its port); the clients are threads
of the calling process, each with one kept-alive connection.
"""
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from .common import HOST

CLIENTS = 8
_CONTENT_LENGTH = re.compile(rb'(?i)\r\ncontent-length: *([0-9]+)')


def _fresh_session(port):
    """Visit ``/``: return the cookie header and the CSRF token."""
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
    connection.request('GET', '/', headers={'Host': HOST})
    response = connection.getresponse()
    page = response.read().decode('utf-8')
    jar = SimpleCookie()
    for value in response.headers.get_all('Set-Cookie') or ():
        jar.load(value)
    connection.close()
    cookie = '; '.join('%s=%s' % (k, m.value) for k, m in jar.items())
    return cookie, json.loads(page.split('"csrfToken": ', 1)[1].split(',', 1)[0])


def _read_response(sock):
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError('the server closed the connection')
        data += chunk
    head, _, body = data.partition(b'\r\n\r\n')
    length = int(_CONTENT_LENGTH.search(head).group(1))
    while len(body) < length:
        body += sock.recv(65536)
    return head, body


def _client(port, assertion, deadline, counts):
    # A raw socket and a request made once: http.client would spend more
    # time per request than the server, and the run would measure it.
    cookie, token = _fresh_session(port)
    body = urlencode({'assertion': assertion, 'csrf_token': token, 'came_from': '/'}).encode('ascii')
    request = (
        'POST /login HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\n'
        'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n'
        % (HOST, cookie, len(body))
    ).encode('ascii') + body
    sock = socket.create_connection(('127.0.0.1', port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    done = 0
    try:
        while time.monotonic() < deadline:
            sock.sendall(request)
            head, answer = _read_response(sock)
            if not head.startswith(b'HTTP/1.1 200') or b'"success": true' not in answer:
                raise RuntimeError('login answered %.200r' % (head + answer))
            done += 1
    finally:
        sock.close()
    counts.append(done)


def logins_per_second(settings_path, assertion, threads, seconds):
    """Start the server with ``threads`` threads; return logins per second
    over ``seconds`` with :data:`CLIENTS` concurrent clients."""
    server = subprocess.Popen(
        [sys.executable, '-m', 'benchmarks.threads', settings_path, str(threads)],
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(server.stdout.readline())
        _client(port, assertion, time.monotonic() + 0.3, [])  # warm up
        counts = []
        start = time.monotonic()
        deadline = start + seconds
        clients = [
            threading.Thread(target=_client, args=(port, assertion, deadline, counts))
            for _ in range(CLIENTS)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.monotonic() - start
        if len(counts) != CLIENTS:
            raise RuntimeError('a client failed')
        return sum(counts) / elapsed
    finally:
        server.stdin.close()
        server.wait(timeout=30)


def _serve(settings_path, threads):
    import logging

    import waitress

    # Queued requests are the point of the exercise, not worth a warning each.
    logging.getLogger('waitress.queue').setLevel(logging.ERROR)

    from .workloads import make_app

    with open(settings_path, encoding='utf-8') as f:
        settings = json.load(f)
    server = waitress.create_server(make_app(settings), host='127.0.0.1', port=0, threads=threads)
    print(server.effective_port, flush=True)
    threading.Thread(target=server.run, daemon=True).start()
    sys.stdin.read()
    # The run is over: end the process without closing the server under
    # its own threads' feet (waitress has no clean stop from another
    # thread; closing it raised "Bad file descriptor" now and then).
    sys.stdout.flush()
    os._exit(0)


if __name__ == '__main__':
    _serve(sys.argv[1], int(sys.argv[2]))
