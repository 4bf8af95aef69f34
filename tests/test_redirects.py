"""came_from: only this site's paths and the audiences' URLs."""
import pytest
from pyramid import testing

from pyramid_persona.redirects import safe_redirect
from pyramid_persona.settings import SETTINGS_KEY, parse_settings


@pytest.fixture
def request_():
    request = testing.DummyRequest()
    request.registry[SETTINGS_KEY] = parse_settings(
        {'persona.audiences': 'https://example.com http://localhost:6543'})
    return request


@pytest.mark.parametrize('value', [
    '/', '/protected', '/a/b?c=d#e', '/caf%C3%A9', '/café',
    'https://example.com/', 'https://example.com:443/x', 'HTTPS://EXAMPLE.COM/x',
    'http://localhost:6543/restricted',
])
def test_safe_targets_are_kept(request_, value):
    assert safe_redirect(request_, value) == value


@pytest.mark.parametrize('value', [
    None, '', 42, 'x' * 5000,
    'https://evil.example/', 'http://example.com/', 'https://example.com.evil.example/',
    '//evil.example', '///evil.example', '/\\evil.example', '\\\\evil.example',
    '/\t/evil.example', '/\n/evil.example', ' /x', '\x00/x',
    'javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>', 'ftp://example.com/',
    'https://example.com@evil.example/', 'https://user:pw@example.com/',
    'http://localhost:6543@evil.example/', 'http://localhost:99999/', 'https:example.com',
    'relative/path', '?next=//evil.example',
])
def test_unsafe_targets_fall_back_to_the_root(request_, value):
    assert safe_redirect(request_, value) == '/'
