"""Timing and WSGI helpers shared by both sides of the comparison.

Standard library only: the pyramid_persona 1.6.1 runner imports this
module too, from its own virtualenv.
"""
import gc
import io
import re
import time
from http.cookies import SimpleCookie

HOST = 'localhost'
AUDIENCE = 'http://localhost'
SECRET = 'benchmark-secret-benchmark-secret-0123456789'
EMAIL = 'alice@example.com'

PAGE_HEAD = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Home</title>'
PAGE_BODY = '</head><body><h1>Home</h1><p>Welcome.</p>'
PAGE_END = '</body></html>'


class Clock:
    """Times a callable: ``ns_per_op(fn)`` runs it for about ``seconds``.

    The number of iterations of each case is calibrated once, so every
    round of that case runs the same number of operations.
    """

    def __init__(self, seconds=0.2):
        self.seconds = seconds
        self._iterations = {}

    def iterations(self, name, fn):
        """How many times to run ``fn`` in a round (calibrated once)."""
        if name not in self._iterations:
            n, elapsed = 1, 0
            while elapsed < self.seconds / 10:
                n *= 2
                start = time.perf_counter_ns()
                for _ in range(n):
                    fn()
                elapsed = (time.perf_counter_ns() - start) / 1e9
            self._iterations[name] = max(3, int(n * self.seconds / elapsed))
        return self._iterations[name]

    def ns_per_op(self, name, fn):
        """Nanoseconds per call of ``fn``, over one round.

        As ``timeit`` does, the cyclic garbage collector is paused while
        timing, so that a collection falling in one round or another does
        not decide the result.
        """
        n = self.iterations(name, fn)
        gc.disable()
        try:
            start = time.perf_counter_ns()
            for _ in range(n):
                fn()
            return (time.perf_counter_ns() - start) / n
        finally:
            gc.enable()


def environ(method, path, body=b'', cookie=None, content_type=None):
    """A minimal WSGI environ for ``http://localhost<path>``."""
    path, _, query = path.partition('?')
    env = {
        'REQUEST_METHOD': method,
        'SCRIPT_NAME': '',
        'PATH_INFO': path,
        'QUERY_STRING': query,
        'SERVER_NAME': HOST,
        'SERVER_PORT': '80',
        'SERVER_PROTOCOL': 'HTTP/1.1',
        'HTTP_HOST': HOST,
        'wsgi.url_scheme': 'http',
        'wsgi.input': io.BytesIO(body),
        'wsgi.errors': io.StringIO(),
        'wsgi.version': (1, 0),
        'wsgi.multithread': False,
        'wsgi.multiprocess': False,
        'wsgi.run_once': False,
        'CONTENT_LENGTH': str(len(body)),
    }
    if content_type:
        env['CONTENT_TYPE'] = content_type
    if cookie:
        env['HTTP_COOKIE'] = cookie
    return env


def call(app, env):
    """Call a WSGI application; return ``(status, headers, body)``."""
    answer = []

    def start_response(status, headers, exc_info=None):
        answer[:] = [status, headers]

    chunks = app(env, start_response)
    try:
        body = b''.join(chunks)
    finally:
        if hasattr(chunks, 'close'):
            chunks.close()
    return answer[0], answer[1], body


def fresh_client(app):
    """Visit ``/`` as a new visitor: return ``(cookie header, CSRF token)``."""
    status, headers, body = call(app, environ('GET', '/'))
    if not status.startswith('200'):
        raise RuntimeError('GET / answered %s' % status)
    jar = SimpleCookie()
    for name, value in headers:
        if name.lower() == 'set-cookie':
            jar.load(value)
    cookie = '; '.join('%s=%s' % (k, m.value) for k, m in jar.items())
    text = body.decode('utf-8')
    # The new script's JSON configuration, or 1.6.1's template.
    match = re.search(r'"csrfToken": "([^"]+)"', text) or re.search(r"csrf_token: '([^']+)'", text)
    if match is None:
        raise RuntimeError('no CSRF token on the page')
    return cookie, match.group(1)


def login_environ_factory(cookie, token, assertion):
    """A function returning a fresh environ for ``POST /login`` each call."""
    from urllib.parse import urlencode

    body = urlencode({'assertion': assertion, 'csrf_token': token, 'came_from': '/'}).encode('ascii')

    def make():
        return environ('POST', '/login', body, cookie, 'application/x-www-form-urlencoded')

    return make


def page_operation(app, path, cookie):
    """A function that GETs ``path`` and checks it answered 200."""

    def get():
        status, _, _ = call(app, environ('GET', path, cookie=cookie))
        if status[:3] != '200':
            raise RuntimeError('GET %s answered %s' % (path, status))

    return get


def login_operation(app, make_environ):
    """A function that POSTs one login and checks it succeeded."""

    def post():
        status, _, body = call(app, make_environ())
        if status[:3] != '200' or b'"success": true' not in body:
            raise RuntimeError('login answered %s: %.200r' % (status, body))

    return post
