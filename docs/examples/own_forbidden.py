"""Your own forbidden page, in your site's layout."""
from pyramid.authorization import Allow, Authenticated
from pyramid.config import Configurator
from pyramid.view import forbidden_view_config, view_config


class Root:
    __acl__ = [(Allow, Authenticated, 'read')]

    def __init__(self, request):
        pass


@forbidden_view_config(renderer='templates/forbidden.mako')
def forbidden(request):
    request.response.status_code = 403
    return {'user': request.authenticated_userid}


@view_config(route_name='secret', renderer='string', permission='read')
def secret(request):
    return 'The secret'


def main(global_config, **settings):
    with Configurator(settings=settings, root_factory=Root) as config:
        config.include('pyramid_mako')
        config.include('pyramid_persona')
        config.add_route('secret', '/secret')
        config.scan()  # this forbidden view replaces pyramid_persona's
    return config.make_wsgi_app()
