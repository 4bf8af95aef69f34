"""Your own login view: only addresses of one domain may sign in, and
first-time users are sent to a welcome page."""
from pyramid.config import Configurator
from pyramid.csrf import new_csrf_token
from pyramid.security import NO_PERMISSION_REQUIRED, remember
from pyramid.view import view_config

from pyramid_persona.views import came_from, verify_login

ALLOWED_DOMAIN = 'example.com'
KNOWN_USERS = set()  # your user database


@view_config(route_name='login', request_method='POST', renderer='json',
             require_csrf=True, permission=NO_PERMISSION_REQUIRED)
def login(request):
    # An invalid assertion ends here with the JSON 400, an unreachable
    # verifier with the JSON 503; the page's script shows their message.
    email = verify_login(request)
    if email.rpartition('@')[2] != ALLOWED_DOMAIN:
        request.response.status_code = 403
        return {
            'success': False,
            'error': 'Only %s addresses may sign in here.' % ALLOWED_DOMAIN,
            'redirect': '/',
        }
    if email in KNOWN_USERS:
        # Where the user was, when it is on this site; '/' otherwise.
        redirect = came_from(request)
    else:
        KNOWN_USERS.add(email)
        redirect = request.route_path('welcome')
    # Nothing from the anonymous session carries over into the signed-in one.
    request.session.invalidate()
    new_csrf_token(request)
    request.response.headerlist.extend(remember(request, email))
    return {'redirect': redirect, 'success': True}


@view_config(route_name='welcome', renderer='string')
def welcome(request):
    return 'Welcome, %s!' % request.authenticated_userid


def main(global_config, **settings):
    with Configurator(settings=settings) as config:
        config.include('pyramid_persona')
        config.add_route('welcome', '/welcome')
        # Views of your own configuration override those of an include:
        # this login view replaces pyramid_persona's.
        config.scan()
    return config.make_wsgi_app()
