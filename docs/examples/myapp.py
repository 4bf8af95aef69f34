"""The quick start application: a front page with the login button and a
page only signed-in users may see."""
from pyramid.authorization import Allow, Authenticated
from pyramid.config import Configurator
from pyramid.view import view_config


class Root:
    """Anyone who signed in may ``read``; the ACL is all the policy needs."""

    __acl__ = [(Allow, Authenticated, 'read')]

    def __init__(self, request):
        self.request = request


@view_config(route_name='home', renderer='templates/home.mako')
def home(request):
    return {'user': request.authenticated_userid}


@view_config(route_name='secret', renderer='string', permission='read')
def secret(request):
    return 'Only signed-in users see this, %s.' % request.authenticated_userid


def main(global_config, **settings):
    """The WSGI application (``pserve development.ini`` calls this)."""
    with Configurator(settings=settings, root_factory=Root) as config:
        config.include('pyramid_mako')
        config.include('pyramid_persona')
        config.add_route('home', '/')
        config.add_route('secret', '/secret')
        config.scan()
    return config.make_wsgi_app()
