"""The documentation says what the code does, and its examples run.

- Every ``persona.*`` setting the code reads is a ``.. confval::`` in
  docs/config.rst, and config.rst documents no setting the code ignores.
- Python in the docs comes from files in docs/examples/ (literalinclude)
  or is a doctest; every example file is included by a page and exercised
  here; every INI block of a page is a valid configuration.
"""
import configparser
import doctest
import importlib
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import webtest
from pyramid.config import Configurator

from pyramid_persona import settings as settings_module
from pyramid_persona.settings import KNOWN_SETTINGS, parse_settings
from pyramid_persona.testing import IdentityProvider

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / 'docs'
EXAMPLES = DOCS / 'examples'
PACKAGE = HERE.parent / 'pyramid_persona'
PAGES = sorted(DOCS.glob('*.rst'))

AUDIENCE = 'http://localhost'
SECRET = 'a-secret-for-the-docs-tests-0123456789abcdef'
# Settings every configuration needs; an INI block of the docs adds its own.
REQUIRED = {'persona.secret': SECRET, 'persona.audiences': 'https://www.example.com'}


# -- the settings reference -------------------------------------------------

def settings_read_by_code():
    """Every ``persona.<name>`` string literal in the package's modules."""
    names = set()
    for module in PACKAGE.glob('*.py'):
        for match in re.finditer(r"""['"]persona\.([A-Za-z_][A-Za-z0-9_.]*?)['"]""", module.read_text()):
            names.add(match.group(1))
    # Literals that name registry keys, routes and loggers, not settings.
    internal = {name for name in names if not name[:1].islower() or name in _REGISTRY_KEYS}
    # A registry key or route name that is not a setting belongs in a
    # module constant named *_KEY or *_ROUTE, where _registry_keys finds it.
    return (names - internal) | set(KNOWN_SETTINGS)


def _registry_keys():
    keys = set()
    for module in PACKAGE.glob('*.py'):
        text = module.read_text()
        # registry[...] / environ[...] keys and route names are assigned to
        # module constants (FOO_KEY = 'persona.x', FOO_ROUTE = 'persona.x').
        for match in re.finditer(r"""^[A-Z_]*(?:KEY|ROUTE)\s*=\s*['"]persona\.([^'"]+)['"]""", text, re.M):
            keys.add(match.group(1))
        for match in re.finditer(r"""registry\[\s*['"]persona\.([^'"]+)['"]\s*\]""", text):
            keys.add(match.group(1))
        for match in re.finditer(r"""environ(?:\.get)?[\[(]\s*['"]persona\.([^'"]+)['"]""", text):
            keys.add(match.group(1))
    return keys - set(KNOWN_SETTINGS)


_REGISTRY_KEYS = _registry_keys()


def documented_settings():
    """``{name: body}`` of each ``.. confval:: persona.<name>`` of config.rst."""
    text = (DOCS / 'config.rst').read_text()
    found = {}
    for match in re.finditer(r'^\.\. confval:: persona\.(\S+)\n((?:[ \t]+.*\n|[ \t]*\n)*)', text, re.M):
        assert match.group(1) not in found, 'persona.%s is documented twice' % match.group(1)
        found[match.group(1)] = match.group(2)
    return found


def test_every_setting_the_code_reads_is_documented():
    missing = settings_read_by_code() - set(documented_settings())
    assert not missing, 'docs/config.rst does not document: %s' % ', '.join(
        'persona.' + name for name in sorted(missing))


def test_config_documents_no_setting_the_code_ignores():
    stale = set(documented_settings()) - set(KNOWN_SETTINGS)
    assert not stale, 'docs/config.rst documents unknown settings: %s' % ', '.join(
        'persona.' + name for name in sorted(stale))


def test_the_check_sees_settings_read_in_code():
    # The scan must find the literals the modules really use.
    assert {'secret', 'audiences', 'verifier_url', 'dev_idp'} <= settings_read_by_code()
    assert 'settings' not in settings_read_by_code()  # registry['persona.settings']


@pytest.mark.parametrize('name', sorted(KNOWN_SETTINGS))
def test_each_setting_has_type_default_and_example(name):
    body = documented_settings().get(name)
    assert body is not None, 'persona.%s is not documented' % name
    assert re.search(r'^\s+:type: \S', body, re.M), 'persona.%s has no :type:' % name
    assert re.search(r'^\s+:default: \S', body, re.M), 'persona.%s has no :default:' % name
    assert re.search(r'persona\.%s\s*=' % re.escape(name), body), 'persona.%s has no example' % name


@pytest.mark.parametrize('name, default', [
    ('verifier_timeout', settings_module.PersonaSettings.verifier_timeout),
    ('max_assertion_bytes', settings_module.DEFAULT_MAX_ASSERTION_BYTES),
    ('redirect_url_parameter', settings_module.PersonaSettings.redirect_url_parameter),
    ('login_path', settings_module.PersonaSettings.login_path),
    ('logout_path', settings_module.PersonaSettings.logout_path),
    ('replay_cache', settings_module.PersonaSettings.replay_cache),
    ('verifier_url', settings_module.DEFAULT_VERIFIER_URL),
    ('include_js_url', settings_module.DEFAULT_INCLUDE_JS_URL),
])
def test_documented_defaults_are_the_code_defaults(name, default):
    body = documented_settings()[name]
    documented = re.search(r'^\s+:default: (.*)$', body, re.M).group(1)
    value = re.sub(r'^``(.*)``$', r'\1', documented.strip())
    assert value in (str(default), repr(default).strip("'")), (name, documented, default)


# -- code in the pages ------------------------------------------------------

def _directive_blocks(text, language):
    """Contents of each ``.. code-block:: <language>`` of an rst text."""
    blocks = []
    for match in re.finditer(r'^([ \t]*)\.\. code-block:: %s\n' % language, text, re.M):
        indent = len(match.group(1))
        lines = text[match.end():].split('\n')
        body = []
        for line in lines:
            if line.strip() and len(line) - len(line.lstrip()) <= indent:
                break
            body.append(line)
        body = [line for line in body if not re.match(r'^\s+:\w[\w-]*:', line)]
        blocks.append(_dedent('\n'.join(body)))
    return blocks


def _dedent(text):
    import textwrap

    return textwrap.dedent(text).strip('\n') + '\n'


@pytest.mark.parametrize('page', PAGES, ids=lambda p: p.name)
def test_no_untested_python_in_pages(page):
    """Python reaches the pages from docs/examples/ or as doctests."""
    text = page.read_text()
    assert not re.search(r'^\s*\.\. (code-block|code|sourcecode):: (python|py|python3)\s*$', text, re.M), (
        '%s: put the example in docs/examples/ and literalinclude it' % page.name)


@pytest.mark.parametrize('page', PAGES, ids=lambda p: p.name)
def test_no_bare_literal_blocks_in_pages(page):
    """A ``::`` block has no language, so no test can know what it is."""
    for number, line in enumerate(page.read_text().splitlines(), 1):
        if line.rstrip().endswith('::') and not re.match(r'^\s*\.\. [\w:-]+::', line):
            pytest.fail('%s:%d: use a code-block with a language, or a literalinclude' % (page.name, number))


def test_no_untested_examples_in_the_documented_docstrings():
    """api.rst shows the docstrings of these modules: their code examples
    would be untested, so they point at docs/examples/ instead."""
    modules = re.findall(r'^\.\. automodule:: pyramid_persona\.?(\w*)', (DOCS / 'api.rst').read_text(), re.M)
    assert len(modules) >= 10
    for name in modules:
        path = PACKAGE / ('%s.py' % name if name else '__init__.py')
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not line.rstrip().endswith('::'), (
                '%s:%d: a code example in a docstring is untested; put it in docs/examples/'
                % (path.name, number))


@pytest.mark.parametrize('page', PAGES, ids=lambda p: p.name)
def test_literalincludes_exist(page):
    for target in re.findall(r'^\s*\.\. literalinclude:: (\S+)', page.read_text(), re.M):
        assert (DOCS / target).is_file(), '%s includes missing %s' % (page.name, target)


def test_every_example_is_shown_and_tested():
    included = set()
    for page in PAGES:
        for target in re.findall(r'^\s*\.\. literalinclude:: (\S+)', page.read_text(), re.M):
            included.add((DOCS / target).resolve())
    files = {p.resolve() for p in EXAMPLES.rglob('*') if p.is_file() and '__pycache__' not in p.parts}
    assert files - included == set(), 'examples no page shows: %s' % sorted(files - included)
    untested = {p.relative_to(EXAMPLES).as_posix() for p in files} - EXERCISED
    assert not untested, 'examples no test exercises: %s' % sorted(untested)


def _ini_settings(text, section='app:main'):
    parser = configparser.ConfigParser(defaults={'here': str(EXAMPLES)})
    if not re.search(r'^\[', text, re.M):
        text = '[%s]\n%s' % (section, text)
    parser.read_string(text)
    return {k: v for k, v in parser.items(section) if k.startswith('persona.')}


INI_BLOCKS = [
    pytest.param(block, id='%s-%d' % (page.name, i))
    for page in PAGES
    for i, block in enumerate(_directive_blocks(page.read_text(), 'ini'))
]


@pytest.mark.parametrize('block', INI_BLOCKS)
def test_ini_blocks_of_the_pages_are_valid_settings(block):
    values = dict(REQUIRED)
    values.update(_ini_settings(block))
    if values.get('persona.dev_idp') == 'true':
        values['persona.audiences'] = 'http://localhost:6543'
    parse_settings(values)


def test_pages_have_ini_blocks():
    assert len(INI_BLOCKS) >= len(KNOWN_SETTINGS)  # config.rst has an example per setting


DOCTEST_PAGES = [p for p in PAGES if '>>> ' in p.read_text()]


def test_some_pages_have_doctests():
    assert {p.name for p in DOCTEST_PAGES} >= {'config.rst', 'migration.rst'}


@pytest.mark.parametrize('page', DOCTEST_PAGES, ids=lambda p: p.name)
def test_doctests_of_the_pages(page):
    result = doctest.testfile(
        str(page), module_relative=False, encoding='utf-8', report=True,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 0
    assert result.failed == 0, '%d doctest(s) of %s failed (see the output)' % (result.failed, page.name)


# -- the examples -------------------------------------------------------------

#: Example files (relative to docs/examples) that a test below exercises.
EXERCISED = {
    'myapp.py', 'test_myapp.py', 'templates/home.mako', 'templates/home.jinja2', 'templates/home.pt',
    'custom_login.py', 'login_events.py', 'own_policy.py', 'own_forbidden.py', 'templates/forbidden.mako',
    'templates/buttons.mako', 'secret_from_env.py', 'development.ini', 'broker.ini', 'local.ini',
    'production.ini', 'support-documents.json',
}


@pytest.fixture
def examples(monkeypatch):
    """Import an example module by name, fresh."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    imported = []

    def load(name):
        sys.modules.pop(name, None)
        imported.append(name)
        return importlib.import_module(name)

    yield load
    for name in imported:
        sys.modules.pop(name, None)


@pytest.fixture(scope='module')
def example_idp():
    return IdentityProvider('idp.example')


@pytest.fixture
def example_settings(example_idp, tmp_path):
    values = {
        'persona.secret': SECRET,
        'persona.audiences': AUDIENCE,
        'persona.include_js_url': 'https://idp.example/include.js',
    }
    values.update(example_idp.settings(tmp_path))
    return values


def _csrf_token(app, path='/'):
    page = app.get(path, status='*')
    return json.loads(re.search(r'"csrfToken": ("[^"]*")', page.text).group(1))


def _login(app, idp, email, status=200, path='/', **fields):
    form = {'assertion': idp.assertion(email, AUDIENCE), 'csrf_token': _csrf_token(app, path)}
    form.update(fields)
    return app.post('/login', form, status=status)


def test_the_testing_example_passes_as_an_application_would_run_it():
    """docs/examples/test_myapp.py, run by pytest in a process of its own."""
    result = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'test_myapp.py'],
        cwd=EXAMPLES, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r'\b9 passed\b', result.stdout), result.stdout


def test_quick_start_application(examples, example_settings, example_idp):
    myapp = examples('myapp')
    app = webtest.TestApp(myapp.main({}, **example_settings))
    page = app.get('/')
    assert '<script src="https://idp.example/include.js"></script>' in page.text
    assert 'id="signin"' in page.text and 'Hello' not in page.text
    app.get('/secret', status=403)
    assert _login(app, example_idp, 'alice@example.com').json == {'redirect': '/', 'success': True}
    assert 'Hello alice@example.com!' in app.get('/').text
    assert app.get('/secret').text == 'Only signed-in users see this, alice@example.com.'


@pytest.mark.parametrize('template, package', [
    ('home.mako', 'pyramid_mako'),
    ('home.jinja2', 'pyramid_jinja2'),
    ('home.pt', 'pyramid_chameleon'),
])
def test_templates_render_head_and_button_unescaped_and_the_user_escaped(
        template, package, example_settings, example_idp):
    pytest.importorskip(package)

    def home(request):
        return {'user': request.authenticated_userid}

    with Configurator(settings=example_settings) as config:
        config.include(package)
        config.include('pyramid_persona')
        config.add_route('home', '/')
        renderer = str(EXAMPLES / 'templates' / template)
        if package == 'pyramid_jinja2':  # it looks templates up in search paths
            config.add_jinja2_search_path(str(EXAMPLES / 'templates'))
            renderer = template
        config.add_view(home, route_name='home', renderer=renderer)
    app = webtest.TestApp(config.make_wsgi_app())
    page = app.get('/').text
    assert '<script src="https://idp.example/include.js"></script>' in page
    assert '<button type="button" id="signin"' in page
    assert '"csrfToken": "' in page
    _login(app, example_idp, 'o\'brien@example.com')
    page = app.get('/').text
    assert 'id="signout"' in page
    assert ('Hello o&#39;brien@example.com!' in page or 'Hello o&#x27;brien@example.com!' in page
            or "Hello o'brien@example.com!" in page)
    assert '&lt;' not in page.split('<body>')[0], 'persona_head was escaped'


def test_own_buttons_template(example_settings, example_idp):
    with Configurator(settings=example_settings) as config:
        config.include('pyramid_mako')
        config.include('pyramid_persona')
        config.add_route('home', '/')
        config.add_view(lambda request: {}, route_name='home',
                        renderer=str(EXAMPLES / 'templates' / 'buttons.mako'))
    app = webtest.TestApp(config.make_wsgi_app())
    page = app.get('/').text
    assert '<a href="#" class="signin">Sign in</a>' in page
    assert '<div id="persona-error" hidden></div>' in page
    _login(app, example_idp, 'alice@example.com')
    assert '<a href="#" class="signout">Sign out</a>' in app.get('/').text
    # The script binds both the ids and the classes.
    script = (PACKAGE / 'static' / 'persona.js').read_text()
    assert "'#signin, .signin'" in script and "'#signout, .signout'" in script
    assert "getElementById('persona-error')" in script


def _home_view(config):
    config.add_route('home', '/')
    config.add_view(lambda request: '<head>%s</head>' % request.persona_head, route_name='home',
                    renderer='string')


def test_custom_login_view(examples, example_settings, example_idp):
    custom_login = examples('custom_login')
    custom_login.KNOWN_USERS.clear()
    app = webtest.TestApp(_with_home(custom_login, example_settings))

    def login(email, status=200, **fields):
        return _login(app, example_idp, email, status=status, **fields)

    refused = login('bob@elsewhere.example', status=403)
    assert refused.json == {'success': False, 'error': 'Only example.com addresses may sign in here.',
                            'redirect': '/'}
    assert login('alice@example.com').json == {'redirect': '/welcome', 'success': True}
    assert app.get('/welcome').text == 'Welcome, alice@example.com!'
    again = login('alice@example.com', came_from='/somewhere?x=1')
    assert again.json == {'redirect': '/somewhere?x=1', 'success': True}
    for offsite in ('https://evil.example/', '//evil.example'):  # as customization.rst says
        assert login('alice@example.com', came_from=offsite).json['redirect'] == '/'
    # verify_login still answers a bad assertion with the JSON 400.
    bad = app.post('/login', {'assertion': 'garbage', 'csrf_token': _csrf_token(app)}, status=400)
    assert bad.json['success'] is False


def test_login_events(examples, example_settings, example_idp, caplog):
    login_events = examples('login_events')
    login_events.KNOWN_USERS.clear()
    app = webtest.TestApp(_with_home(login_events, example_settings))

    refused = _login(app, example_idp, 'mallory@example.com', status=403)
    assert refused.json['error'] == 'This address may not sign in here.'
    assert _login(app, example_idp, 'alice@example.com').json == {'redirect': '/welcome', 'success': True}
    assert _login(app, example_idp, 'alice@example.com', came_from='/here').json['redirect'] == '/here'
    with caplog.at_level(logging.INFO, logger='login_events'):
        app.post('/logout', {'csrf_token': _csrf_token(app)})
    assert 'alice@example.com signed out' in caplog.text


def test_own_security_policy_and_session_factory(examples, example_settings, example_idp):
    own_policy = examples('own_policy')
    settings = dict(example_settings, **{'myapp.admins': 'admin@example.com'})
    app = webtest.TestApp(_with_home(own_policy, settings))
    answer = _login(app, example_idp, 'admin@example.com')
    auth_cookies = [c for c in answer.headers.getall('Set-Cookie') if c.startswith('auth_tkt=')]
    assert auth_cookies and all('Max-Age=2592000' in c for c in auth_cookies)  # the example's policy
    assert app.get('/admin').text == 'Administration'
    app.reset()
    _login(app, example_idp, 'alice@example.com')
    app.get('/admin', status=403)
    # The session cookie is the example's: signed with its own derived secret.
    from pyramid.interfaces import ISessionFactory
    from pyramid.session import SignedCookieSessionFactory

    from pyramid_persona.security import derive_secret

    registry = app.app.registry
    theirs = SignedCookieSessionFactory(derive_secret(SECRET, 'myapp.session'))
    ours = SignedCookieSessionFactory(derive_secret(SECRET, 'pyramid_persona.session'))
    cookie = app.cookies['session']
    assert registry.queryUtility(ISessionFactory) is not None
    assert _session_loads(theirs, cookie) and not _session_loads(ours, cookie)


def _session_loads(factory, cookie):
    from pyramid.testing import DummyRequest

    request = DummyRequest(cookies={'session': cookie})
    session = factory(request)
    return '_csrft_' in session


def _with_home(module, settings):
    """``module.main`` with a page that shows persona_head (for the token)."""
    original = Configurator.make_wsgi_app

    def make_wsgi_app(config):
        _home_view(config)
        config.commit()
        return original(config)

    Configurator.make_wsgi_app = make_wsgi_app
    try:
        return module.main({}, **settings)
    finally:
        Configurator.make_wsgi_app = original


def test_own_forbidden_view(examples, example_settings, example_idp):
    own_forbidden = examples('own_forbidden')
    app = webtest.TestApp(_with_home(own_forbidden, example_settings))
    page = app.get('/secret', status=403)
    assert 'This page is for members.' in page.text
    assert 'id="signin"' in page.text and '<script src="https://idp.example/include.js">' in page.text
    _login(app, example_idp, 'alice@example.com')
    assert app.get('/secret').text == 'The secret'


def test_secret_from_the_environment(examples, example_settings, example_idp, monkeypatch):
    secret_from_env = examples('secret_from_env')
    settings = dict(example_settings)
    del settings['persona.secret']
    monkeypatch.delenv('MYAPP_PERSONA_SECRET', raising=False)
    with pytest.raises(KeyError):
        secret_from_env.main({}, **settings)
    monkeypatch.setenv('MYAPP_PERSONA_SECRET', SECRET)
    app = webtest.TestApp(_with_home(secret_from_env, settings))
    assert _login(app, example_idp, 'alice@example.com').json['success'] is True


def test_testing_page_https_advice(examples, example_idp, tmp_path):
    """What testing.rst says about sites on https holds."""
    myapp = examples('myapp')
    settings = dict(example_idp.settings(tmp_path), **{
        'persona.secret': SECRET, 'persona.audiences': 'https://localhost',
        'persona.include_js_url': 'https://idp.example/include.js'})
    app = webtest.TestApp(myapp.main({}, **settings), extra_environ={'wsgi.url_scheme': 'https'})
    form = {'assertion': example_idp.assertion('alice@example.com', 'https://localhost'),
            'csrf_token': _csrf_token(app)}
    app.post('/login', form, status=400)  # no Origin: Pyramid refuses the POST
    answer = app.post('/login', form, headers={'Origin': 'https://localhost'})
    assert answer.json['success'] is True
    assert all('secure' in c for c in answer.headers.getall('Set-Cookie'))
    assert app.get('/secret').status_int == 200


def test_testing_page_trust_an_application_built_already(examples, example_idp):
    from pyramid_persona.testing import trust_identity_provider

    myapp = examples('myapp')
    wsgi_app = myapp.main({}, **{
        'persona.secret': SECRET, 'persona.audiences': AUDIENCE, 'persona.verifier': 'local',
        'persona.fetch_support_documents': 'false', 'persona.include_js_url': '/include.js'})
    app = webtest.TestApp(wsgi_app)
    _login(app, example_idp, 'alice@example.com', status=400)
    trust_identity_provider(wsgi_app.registry, example_idp)
    assert _login(app, example_idp, 'alice@example.com').json['success'] is True


def _ini(name):
    return _ini_settings((EXAMPLES / name).read_text())


def test_development_ini():
    values = _ini('development.ini')
    assert set(values) == {'persona.secret', 'persona.audiences', 'persona.dev_idp'}
    settings = parse_settings(values)
    assert settings.dev_idp is True and settings.verifier == 'local'
    assert settings.audiences == ('http://localhost:6543',)


def test_development_ini_builds_an_application_with_the_development_provider(examples):
    myapp = examples('myapp')
    try:
        app = webtest.TestApp(myapp.main({}, **_ini('development.ini')), extra_environ={
            'HTTP_HOST': 'localhost:6543'})
    except Exception as e:  # pragma: no cover - before the provider exists
        pytest.fail('persona.dev_idp = true does not start: %s' % e)
    page = app.get('/')
    assert '/_persona_dev_idp/include.js' in page.text
    assert app.get('/.well-known/browserid').json['public-key']['algorithm'] == 'RS'


def test_broker_ini():
    settings = parse_settings(_ini('broker.ini'))
    assert settings.verifier == 'remote'
    assert settings.include_js_url == 'https://login.example.com/include.js'
    assert settings.verifier_url == 'https://login.example.com/verify'
    assert settings.uses_dead_persona_org == []
    assert settings.secure_cookies


def test_local_ini_trusts_the_pinned_provider():
    settings = parse_settings(_ini('local.ini'))
    assert settings.verifier == 'local' and settings.fetch_support_documents is False
    assert settings.trusted_issuers == ('id.example.com',)
    document = settings.support_documents['id.example.com']
    assert document['public-key']['algorithm'] == 'RS'
    assert settings.uses_dead_persona_org == []


def test_production_ini():
    values = _ini('production.ini')
    settings = parse_settings(values)
    assert settings.secure_cookies
    assert settings.replay_cache.startswith('redis://')
    assert settings.audience_matches('https://example.com')
    assert settings.uses_dead_persona_org == []
    parser = configparser.ConfigParser()
    parser.read(EXAMPLES / 'production.ini')
    server = dict(parser.items('server:main'))
    assert server.pop('use') == 'egg:waitress#main'
    from waitress.adjustments import Adjustments

    adjustments = Adjustments(**server)
    assert adjustments.trusted_proxy == '127.0.0.1'
    assert adjustments.trusted_proxy_headers == {'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-for'}


def test_the_example_secret_is_long_enough():
    for name in ('development.ini', 'broker.ini', 'local.ini', 'production.ini'):
        assert len(_ini(name)['persona.secret']) >= settings_module.MIN_SECRET_LENGTH


def test_ci_builds_the_docs_before_the_tests():
    script = (HERE.parent / '.ci' / 'run').read_text()
    assert 'make docs' in script
    assert script.index('make docs') < script.index('make test')
    assert '-W' in (HERE.parent / 'Makefile').read_text().split('docs:')[1].split('\n\n')[0]


if os.environ.get('PYRAMID_PERSONA_DOCS_DEBUG'):  # pragma: no cover
    print(sorted(settings_read_by_code()), sorted(_REGISTRY_KEYS))
