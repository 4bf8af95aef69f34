"""persona_js, persona_button, persona_head: what a page shows."""
import json
import re
import shutil
import subprocess

import pytest
from markupsafe import Markup

from pyramid_persona.rendering import script_json

from .conftest import csrf_token

HOSTILE = '</script><script>alert("x")</script><!--\u2028\u2029\'"&'
HOSTILE_EMAIL = "</script><script>alert(1)</script>'\"@example.com"


class HostileVerifier:
    """A third-party verifier that confirms an address full of markup."""

    def __init__(self, audiences):
        pass

    def verify(self, assertion):
        return {'status': 'okay', 'email': HOSTILE_EMAIL}


def inline_script(page):
    """The text of the page's inline <script> element (persona_js)."""
    match = re.search(r'<script>(.*?)</script>', page, re.S)
    return match.group(1)


def test_script_json_escapes_what_could_end_a_script_element():
    text = script_json({'a': HOSTILE})
    for forbidden in ('<', '>', '&', '\u2028', '\u2029'):
        assert forbidden not in text
    assert json.loads(text) == {'a': HOSTILE}


def test_properties_are_markup_so_templates_do_not_escape_them(app):
    from pyramid.request import Request, apply_request_extensions

    request = Request.blank('/', base_url='http://localhost')
    request.registry = app.app.registry
    apply_request_extensions(request)
    for name in ('persona_js', 'persona_button', 'persona_head'):
        assert isinstance(getattr(request, name), Markup)


def test_button_signs_in_when_anonymous_and_out_when_signed_in(app, login):
    page = app.get('/').text
    assert '<button type="button" id="signin" class="persona-button signin">' in page
    assert 'src="/_persona_static/persona-icon.svg"' in page
    login(app)
    page = app.get('/').text
    assert '<button type="button" id="signout" class="persona-button signout">' in page


def test_nothing_is_loaded_from_persona_org_but_the_configured_include_js(make_app):
    page = make_app(include_js_url='https://broker.example.com/include.js').get('/').text
    assert 'persona.org' not in page
    assert '<script src="https://broker.example.com/include.js"></script>' in page


def test_include_js_on_the_site_itself_follows_the_script_name(make_app):
    app = make_app(include_js_url='/idp/include.js')
    page = app.get('/', extra_environ={'SCRIPT_NAME': '/app'}).text
    assert '<script src="/app/idp/include.js"></script>' in page


def test_static_assets_are_served_by_the_package(app):
    assert app.get('/_persona_static/persona-icon.svg').content_type == 'image/svg+xml'
    assert 'persona-button' in app.get('/_persona_static/persona.css').text


def test_script_carries_the_page_data_as_json(make_app, login):
    app = make_app(siteName='Demo', backgroundColor='#123456', redirect_url_parameter='next')
    script = inline_script(app.get('/').text)
    config = json.loads(re.search(r'\}\)\((\{.*\})\);$', script, re.S).group(1))
    assert config == {
        'user': None,
        'csrfToken': csrf_token(app),
        'loginUrl': '/login',
        'logoutUrl': '/logout',
        'redirectParam': 'next',
        'request': {'siteName': 'Demo', 'backgroundColor': '#123456'},
    }


def test_no_value_can_close_the_script_element(make_app, login):
    app = make_app(siteName=HOSTILE, verifier='tests.test_rendering.HostileVerifier')
    login(app, assertion='anything')
    page = app.get('/').text
    script = inline_script(page)
    assert '</' not in script and '<!--' not in script
    assert 'alert(1)' in script  # the email is there, as escaped data


class HostileCSRFPolicy:
    """A CSRF storage policy of an application, with tokens no page should
    trust to be plain text."""

    token = '</script><!--"\u2028'

    def new_csrf_token(self, request):
        return self.token

    def get_csrf_token(self, request):
        return self.token

    def check_csrf_token(self, request, supplied_token):
        return supplied_token == self.token


def test_a_csrf_token_of_any_shape_stays_data(make_app):
    app = make_app(lambda config: config.set_csrf_storage_policy(HostileCSRFPolicy()))
    script = inline_script(app.get('/').text)
    assert '</' not in script and '<!--' not in script
    config = json.loads(re.search(r'\}\)\((\{.*\})\);$', script, re.S).group(1))
    assert config['csrfToken'] == HostileCSRFPolicy.token


@pytest.mark.skipif(shutil.which('node') is None, reason='node is not installed: cannot run the script')
def test_generated_script_is_valid_javascript_and_keeps_hostile_values_intact(make_app, login, tmp_path):
    app = make_app(siteName=HOSTILE, verifier='tests.test_rendering.HostileVerifier')
    login(app, assertion='anything')
    script = inline_script(app.get('/').text)
    path = tmp_path / 'persona.js'
    path.write_text(script)
    subprocess.run(['node', '--check', str(path)], check=True)
    # Run it against a stand-in navigator.id and read back what it was given.
    harness = tmp_path / 'run.js'
    harness.write_text(
        'let seen = {};\n'
        'global.window = {location: {search: "", href: "http://localhost/"}};\n'
        'global.document = {readyState: "complete", addEventListener() {}};\n'
        'global.navigator = {id: {watch(o) { seen.user = o.loggedInUser; },'
        ' request(o) {}, logout() {}}};\n'
        'global.window.navigator = global.navigator;\n'
        + script
        + '\nprocess.stdout.write(JSON.stringify(seen));\n'
    )
    output = subprocess.run(['node', str(harness)], check=True, capture_output=True, text=True).stdout
    assert json.loads(output) == {'user': HOSTILE_EMAIL}


def test_persona_head_has_stylesheet_include_js_and_script(app):
    head = app.get('/').text
    link = head.index('<link rel="stylesheet" href="/_persona_static/persona.css">')
    include = head.index('<script src="https://login.persona.org/include.js"></script>')
    assert link < include < head.index('<script>(function (config)')


def test_script_is_read_once_at_include_time(app):
    registry = app.app.registry
    assert registry['persona.script'].startswith('(function (config)')
