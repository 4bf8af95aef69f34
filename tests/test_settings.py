"""persona.* settings: parsed once, validated, with errors that say how to fix them."""
import json
import logging

import pytest
from pyramid.exceptions import ConfigurationError

from pyramid_persona.settings import (
    DEFAULT_INCLUDE_JS_URL,
    DEFAULT_VERIFIER_URL,
    parse_settings,
)

from .conftest import with_overrides

BASE = {'persona.secret': 's' * 40, 'persona.audiences': 'https://example.com'}


def parse(**values):
    return parse_settings(with_overrides(BASE, values))


def test_defaults_are_those_of_1_6_1():
    settings = parse()
    assert settings.audiences == ('https://example.com',)
    assert settings.verifier == 'remote'
    assert settings.verifier_url == DEFAULT_VERIFIER_URL
    assert settings.include_js_url == DEFAULT_INCLUDE_JS_URL
    assert (settings.login_route, settings.login_path) == ('login', '/login')
    assert (settings.logout_route, settings.logout_path) == ('logout', '/logout')
    assert settings.redirect_url_parameter == 'came_from'
    assert settings.request_options == {}
    assert settings.replay_cache == 'memory'
    assert settings.dev_idp is False
    assert settings.uses_dead_persona_org == ['persona.verifier_url', 'persona.include_js_url']


def test_audiences_are_a_list_normalized_to_origins():
    settings = parse(audiences='https://Example.com:443/\n  http://localhost:6543 http://[::1]:80')
    assert settings.audiences == ('https://example.com', 'http://localhost:6543', 'http://[::1]')


def test_missing_audiences_is_an_error_that_says_what_to_do():
    with pytest.raises(ConfigurationError) as e:
        parse(audiences=None)
    assert 'persona.audiences is missing' in str(e.value)
    assert 'https://example.com' in str(e.value)


@pytest.mark.parametrize('value', ['example.com', 'ftp://example.com', 'https://example.com/path',
                                   'https://user@example.com', 'https://example.com:99999'])
def test_invalid_audience_is_named(value):
    with pytest.raises(ConfigurationError, match='persona.audiences has an invalid value'):
        parse(audiences=value)


def test_legacy_audience_setting_still_works_with_a_deprecation_warning():
    with pytest.warns(DeprecationWarning, match='persona.audiences'):
        settings = parse(audiences=None, audience='http://localhost:6543')
    assert settings.audiences == ('http://localhost:6543',)


def test_empty_secret_is_refused():
    with pytest.raises(ConfigurationError, match='persona.secret is empty'):
        parse(secret='   ')


def test_short_secret_logs_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger='pyramid_persona'):
        parse(secret='short')
    assert 'shorter than 32 characters' in caplog.text


def test_missing_secret_is_allowed_at_parse_time():
    # Whether it is needed depends on the defaults in use (see test_security).
    assert parse(secret=None).secret is None


@pytest.mark.parametrize('name,value', [('local', 'local'), ('remote', 'remote'),
                                        ('browserid.RemoteVerifier', 'remote'),
                                        ('browserid.LocalVerifier', 'local')])
def test_verifier_names(name, value):
    assert parse(verifier=name).verifier == value


def test_verifier_dotted_name_is_resolved():
    settings = parse(verifier='tests.test_settings.custom_verifier')
    assert settings.verifier_factory is custom_verifier


def custom_verifier(audiences):
    return object()


@pytest.mark.parametrize('value,message', [
    ('magic', 'unknown value'),
    ('tests.no_such_module.Verifier', 'cannot be imported'),
    ('tests.test_settings.BASE', 'not callable'),
])
def test_bad_verifier_is_named(value, message):
    with pytest.raises(ConfigurationError, match='persona.verifier .*' + message):
        parse(verifier=value)


@pytest.mark.parametrize('name,value', [('verifier_timeout', '0'), ('verifier_timeout', 'soon'),
                                        ('verifier_timeout', 'nan'), ('max_assertion_bytes', '-1'),
                                        ('max_assertion_bytes', '1.5')])
def test_numbers_must_be_positive(name, value):
    with pytest.raises(ConfigurationError, match='persona.%s must be a positive number' % name):
        parse(**{name: value})


def test_numbers_are_parsed():
    settings = parse(verifier_timeout='2.5', max_assertion_bytes='4096')
    assert settings.verifier_timeout == 2.5
    assert settings.max_assertion_bytes == 4096


def test_urls_are_checked():
    with pytest.raises(ConfigurationError, match='persona.verifier_url is not an http'):
        parse(verifier_url='verifier.example.com/verify')
    settings = parse(verifier_url='https://broker.example.com/verify', include_js_url='/include.js')
    assert settings.verifier_url == 'https://broker.example.com/verify'
    assert settings.include_js_url == '/include.js'
    assert settings.uses_dead_persona_org == []


def test_trusted_issuers_are_host_names():
    assert parse(trusted_issuers='idp.example.com\nBroker.Example.org').trusted_issuers == (
        'idp.example.com', 'broker.example.org')
    with pytest.raises(ConfigurationError, match='persona.trusted_issuers has an invalid hostname'):
        parse(trusted_issuers='https://idp.example.com/')


def test_support_documents_are_read_from_a_json_file(tmp_path, idp):
    path = idp.support_documents_file(tmp_path)
    settings = parse(support_documents=path)
    assert settings.support_documents['idp.example']['public-key'] == idp.keypair.public_key


@pytest.mark.parametrize('content,message', [
    ('not json', 'could not be read'),
    ('[]', 'is not a JSON object'),
    ('{"idp.example": {"public-key": "nope"}}', 'invalid entry'),
    ('{"idp.example": {"public-key": {"algorithm": "RS", "n": NaN}}}', 'could not be read'),
])
def test_bad_support_documents_are_named(tmp_path, content, message):
    path = tmp_path / 'docs.json'
    path.write_text(content)
    with pytest.raises(ConfigurationError, match='persona.support_documents .*' + message):
        parse(support_documents=str(path))


def test_missing_support_documents_file_is_named(tmp_path):
    with pytest.raises(ConfigurationError, match='persona.support_documents could not be read'):
        parse(support_documents=str(tmp_path / 'missing.json'))


def test_dialog_options_become_request_options():
    settings = parse(siteName='My </script> site', siteLogo='/static/logo.png', privacyPolicy='/privacy',
                     termsOfService='https://example.com/tos', backgroundColor='3f88c5')
    assert dict(settings.request_options) == {
        'siteName': 'My </script> site',
        'siteLogo': '/static/logo.png',
        'privacyPolicy': '/privacy',
        'termsOfService': 'https://example.com/tos',
        'backgroundColor': '#3f88c5',
    }


@pytest.mark.parametrize('name,value', [('backgroundColor', 'red'), ('siteLogo', 'http://example.com/x.png'),
                                        ('siteLogo', '//evil.example/x.png'),
                                        ('privacyPolicy', 'javascript:alert(1)')])
def test_bad_dialog_options_are_named(name, value):
    with pytest.raises(ConfigurationError, match='persona.' + name):
        parse(**{name: value})


def test_routes_and_paths():
    settings = parse(login_route='persona_login', login_path='/auth/login', logout_path='/auth/logout')
    assert (settings.login_route, settings.login_path) == ('persona_login', '/auth/login')
    assert (settings.logout_route, settings.logout_path) == ('logout', '/auth/logout')
    with pytest.raises(ConfigurationError, match='persona.login_path must start with "/"'):
        parse(login_path='login')


def test_redirect_url_parameter():
    assert parse(redirect_url_parameter='next').redirect_url_parameter == 'next'
    with pytest.raises(ConfigurationError, match='persona.redirect_url_parameter'):
        parse(redirect_url_parameter='a b')


@pytest.mark.parametrize('value', ['memory', 'none', 'redis://127.0.0.1:6379/0'])
def test_replay_cache_values(value):
    assert parse(replay_cache=value).replay_cache == value


def test_unknown_replay_cache_is_named():
    with pytest.raises(ConfigurationError, match='persona.replay_cache has an unknown value'):
        parse(replay_cache='memcached://x')


def test_dev_idp_makes_local_verification_the_default():
    assert parse(dev_idp='true').verifier == 'local'
    assert parse(dev_idp='true', verifier='remote').verifier == 'remote'


def test_unknown_setting_logs_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger='pyramid_persona'):
        parse(audeinces='typo')
    assert 'unknown setting persona.audeinces' in caplog.text


def test_secure_cookies_only_when_every_audience_is_https():
    assert parse(audiences='https://a.example https://b.example').secure_cookies
    assert not parse(audiences='https://a.example http://localhost').secure_cookies


def test_audience_matches_normalizes():
    settings = parse(audiences='https://example.com http://localhost:6543')
    assert settings.audience_matches('https://example.com:443')
    assert settings.audience_matches('http://localhost:6543')
    assert not settings.audience_matches('http://example.com')
    assert not settings.audience_matches('https://example.com.evil.example')
    assert not settings.audience_matches(json)  # not even a string
