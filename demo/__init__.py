"""The pyramid_persona demo: sign in with an email address, offline.

``make demo`` (or ``pserve demo/development.ini`` from the repository root)
serves it on http://localhost:6543 with the development identity provider.
"""
from pyramid.authorization import Allow, Authenticated
from pyramid.config import Configurator
from pyramid.security import NO_PERMISSION_REQUIRED

from pyramid_persona.settings import get_settings

from . import views


class Root:
    """Everyone may see the site; signed-in people may see /restricted."""

    __acl__ = [(Allow, Authenticated, 'view_restricted')]

    def __init__(self, request):
        self.request = request


def main(global_config, **settings):
    """Build the demo's WSGI application from ``settings`` (the
    ``[app:main]`` section of an .ini file, or a dict in tests)."""
    with Configurator(settings=settings, root_factory=Root) as config:
        config.include('pyramid_mako')
        config.include('pyramid_persona')
        config.include('.views')
        # Added here, not in an include, so it replaces pyramid_persona's view.
        config.add_view(views.login, route_name=get_settings(config.registry).login_route,
                        request_method='POST', renderer='json', require_csrf=True,
                        permission=NO_PERMISSION_REQUIRED)
    return config.make_wsgi_app()
