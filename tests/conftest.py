"""Fixtures shared by the test modules.

``idp`` is a real identity provider (a real RSA key); ``make_app`` builds a
real application with ``config.include('pyramid_persona')``.
"""
import pytest
import webtest
from pyramid.config import Configurator
from pyramid.security import NO_PERMISSION_REQUIRED

from pyramid_persona.testing import IdentityProvider

AUDIENCE = 'http://localhost'
SECRET = 'a-test-secret-that-is-long-enough-0123456789'


@pytest.fixture(scope='session')
def idp():
    """An identity provider trusted by the apps of ``make_app``."""
    return IdentityProvider('idp.example')


def protected(request):
    return 'Hello %s!' % request.authenticated_userid


def home(request):
    return '<html><head>%s</head><body>%s</body></html>' % (request.persona_head, request.persona_button)


class _Root:
    from pyramid.authorization import Allow, Authenticated

    __acl__ = [(Allow, Authenticated, 'view_protected')]

    def __init__(self, request):
        pass


def build_app(settings, configure=None):
    """A small application: ``/`` shows the button, ``/protected`` needs
    the ``view_protected`` permission (any signed-in user)."""
    with Configurator(settings=settings, root_factory=_Root) as config:
        config.include('pyramid_persona')
        config.add_route('home', '/')
        config.add_view(home, route_name='home', renderer='string', permission=NO_PERMISSION_REQUIRED)
        config.add_route('protected', '/protected')
        config.add_view(protected, route_name='protected', renderer='string', permission='view_protected')
        if configure is not None:
            configure(config)
    return config.make_wsgi_app()


@pytest.fixture
def settings(idp, tmp_path):
    """Settings of an app whose local verifier trusts ``idp``."""
    values = {'persona.secret': SECRET, 'persona.audiences': AUDIENCE}
    values.update(idp.settings(tmp_path))
    return values


def with_overrides(settings, overrides):
    """A copy of ``settings`` where each override ``name=value`` sets
    ``persona.<name>`` (``None`` removes it)."""
    values = dict(settings)
    for key, value in overrides.items():
        if value is None:
            values.pop('persona.' + key, None)
        else:
            values['persona.' + key] = value
    return values


@pytest.fixture
def make_app(settings):
    """``make_app(configure=None, **overrides)`` -> a ``webtest.TestApp``."""

    def make(configure=None, **overrides):
        values = with_overrides(settings, overrides)
        return webtest.TestApp(build_app(values, configure), extra_environ={'HTTP_HOST': 'localhost'})

    return make


@pytest.fixture
def app(make_app):
    return make_app()


def csrf_token(app):
    """Visit the home page and return the CSRF token its script carries."""
    import json
    import re

    page = app.get('/')
    match = re.search(r'"csrfToken": ("[^"]*")', page.text)
    return json.loads(match.group(1))


@pytest.fixture
def login(idp):
    """``login(app, email=..., assertion=..., **fields)`` posts a login."""

    def do_login(app, email='alice@example.com', assertion=None, status='*', **fields):
        if assertion is None:
            assertion = idp.assertion(email, AUDIENCE)
        form = {'assertion': assertion, 'csrf_token': csrf_token(app)}
        form.update(fields)
        return app.post('/login', form, status=status)

    return do_login


def free_port():
    """A TCP port free on 127.0.0.1 right now."""
    import socket

    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='session')
def redis_server(tmp_path_factory):
    """A real ``redis-server`` on a free loopback port, for the session.

    Yields its URL (``redis://127.0.0.1:<port>/0``); the server persists
    nothing and is stopped at the end.
    """
    import shutil
    import subprocess
    import time

    import redis

    executable = shutil.which('redis-server')
    if executable is None:
        pytest.skip('redis-server is not installed (Debian package "redis-server"; .ci/run installs it)')
    port = free_port()
    directory = tmp_path_factory.mktemp('redis')
    process = subprocess.Popen(
        [executable, '--port', str(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
         '--dir', str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = 'redis://127.0.0.1:%d/0' % port
    client = redis.Redis.from_url(url, socket_connect_timeout=0.2)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError('redis-server did not start on port %d' % port)
                time.sleep(0.05)
        yield url
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
