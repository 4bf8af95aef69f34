"""``config.include('pyramid_persona')``: what an application gets."""
import logging

import pytest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError
from pyramid.interfaces import IRoutesMapper

from pyramid_persona.settings import PersonaSettings
from pyramid_persona.verifier import LocalVerifier, RemoteVerifier


def include(**settings):
    config = Configurator(settings=settings)
    config.include('pyramid_persona')
    config.commit()
    return config.registry


def test_include_with_two_settings_gives_a_complete_setup(caplog):
    with caplog.at_level(logging.WARNING, logger='pyramid_persona'):
        registry = include(**{'persona.secret': 's' * 40, 'persona.audiences': 'http://localhost:6543'})
    assert isinstance(registry['persona.settings'], PersonaSettings)
    assert isinstance(registry['persona.verifier'], RemoteVerifier)
    assert registry['persona.redirect_url_parameter'] == 'came_from'
    routes = {r.name: r.pattern for r in registry.getUtility(IRoutesMapper).get_routes()}
    assert routes['login'] == '/login' and routes['logout'] == '/logout'
    # The defaults still point at the defunct persona.org: one warning says so and what to set.
    (record,) = [r for r in caplog.records if 'persona.org' in r.getMessage()]
    assert 'persona.verifier_url' in record.getMessage()
    assert 'persona.include_js_url' in record.getMessage()


def test_no_warning_once_a_real_identity_setup_is_configured(caplog):
    with caplog.at_level(logging.WARNING, logger='pyramid_persona'):
        registry = include(**{
            'persona.secret': 's' * 40,
            'persona.audiences': 'https://example.com',
            'persona.verifier_url': 'https://broker.example.com/verify',
            'persona.include_js_url': 'https://broker.example.com/include.js',
        })
    assert registry['persona.verifier'].url == 'https://broker.example.com/verify'
    assert 'persona.org' not in caplog.text


def test_local_verifier_from_settings():
    registry = include(**{'persona.secret': 's' * 40, 'persona.audiences': 'https://example.com',
                          'persona.verifier': 'local'})
    assert isinstance(registry['persona.verifier'], LocalVerifier)


def test_configuration_errors_surface_at_include_time():
    with pytest.raises(ConfigurationError, match='persona.audiences is missing'):
        include(**{'persona.secret': 's' * 40})
