"""Your own security policy (groups from the settings) and session factory."""
from pyramid.authorization import Allow, Authenticated
from pyramid.config import Configurator
from pyramid.session import SignedCookieSessionFactory
from pyramid.settings import aslist
from pyramid.view import view_config

from pyramid_persona.security import PersonaSecurityPolicy, derive_secret


class GroupSecurityPolicy(PersonaSecurityPolicy):
    """pyramid_persona's cookie policy, plus a ``group:admins`` principal."""

    def __init__(self, secret, admins, **cookie_options):
        super().__init__(secret, **cookie_options)
        self.admins = frozenset(admins)

    def effective_principals(self, request):
        principals = super().effective_principals(request)
        if self.authenticated_userid(request) in self.admins:
            principals.append('group:admins')
        return principals


class Root:
    __acl__ = [(Allow, Authenticated, 'read'), (Allow, 'group:admins', 'admin')]

    def __init__(self, request):
        pass


@view_config(route_name='admin', renderer='string', permission='admin')
def admin(request):
    return 'Administration'


def main(global_config, **settings):
    secret = settings['persona.secret']
    with Configurator(settings=settings, root_factory=Root) as config:
        config.include('pyramid_persona')
        # Your own policy and session factory win over pyramid_persona's
        # defaults, before or after the include.
        config.set_security_policy(GroupSecurityPolicy(
            derive_secret(secret, 'myapp.authtkt'),
            admins=aslist(settings.get('myapp.admins', '')),
            secure=settings.get('persona.audiences', '').startswith('https://'),
            max_age=30 * 24 * 3600,  # a login lasts 30 days
        ))
        config.set_session_factory(SignedCookieSessionFactory(
            derive_secret(secret, 'myapp.session'),
            timeout=3600,
            httponly=True,
            samesite='Lax',
        ))
        config.add_route('admin', '/admin')
        config.scan()
    return config.make_wsgi_app()
