"""The development identity provider (``persona.dev_idp = true``).

Placeholder: implemented separately.
"""
from pyramid.exceptions import ConfigurationError

from .settings import get_settings


def includeme(config):
    """Serve the development identity provider when it is switched on."""
    if get_settings(config.registry).dev_idp:
        raise ConfigurationError('persona.dev_idp is not implemented yet')
