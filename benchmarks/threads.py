"""Login throughput under waitress on loopback, with 1 and 4 threads.

The application runs in its own process (``python -m benchmarks.threads
SETTINGS.json THREADS``, which prints its port); the clients are threads
of the calling process, each with one kept-alive connection.
"""
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from .common import HOST

CLIENTS = 8


def _client(port, assertion, deadline, counts):
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
    connection.request('GET', '/', headers={'Host': HOST})
    response = connection.getresponse()
    page = response.read().decode('utf-8')
    jar = SimpleCookie()
    for value in response.headers.get_all('Set-Cookie') or ():
        jar.load(value)
    cookie = '; '.join('%s=%s' % (k, m.value) for k, m in jar.items())
    token = json.loads(page.split('"csrfToken": ', 1)[1].split(',', 1)[0])
    # Bytes, so http.client sends headers and body in one segment (a str
    # body goes out separately and meets Nagle's algorithm and delayed ACKs).
    body = urlencode({'assertion': assertion, 'csrf_token': token, 'came_from': '/'}).encode('ascii')
    headers = {
        'Host': HOST,
        'Cookie': cookie,
        'Content-Type': 'application/x-www-form-urlencoded',
    }
    done = 0
    while time.monotonic() < deadline:
        connection.request('POST', '/login', body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        if response.status != 200 or b'"success": true' not in answer:
            raise RuntimeError('login answered %s: %.200r' % (response.status, answer))
        done += 1
    connection.close()
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
    server.close()


if __name__ == '__main__':
    _serve(sys.argv[1], int(sys.argv[2]))
