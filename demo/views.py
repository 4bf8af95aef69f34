"""The demo's pages and its own login view.

The login view replaces pyramid_persona's to show what
:func:`pyramid_persona.views.verify_login` is for: a welcome page for
people who sign in for the first time, and an address that is refused.
"""
import os
from urllib.parse import urlsplit

from pyramid.csrf import new_csrf_token
from pyramid.response import FileResponse
from pyramid.security import NO_PERMISSION_REQUIRED, remember

from pyramid_persona.views import came_from, verify_login

#: The address this demo refuses, to show a login answered ``success: false``.
DENIED_EMAIL = 'denied@example.com'
_SEEN_KEY = 'demo.seen_emails'


def home(request):
    """The front page: a greeting and the sign-in or sign-out button."""
    return {'user': request.authenticated_userid, 'denied_email': DENIED_EMAIL}


def welcome(request):
    """Shown after someone's first sign-in (signed-in people only)."""
    return {'user': request.authenticated_userid, 'next': came_from_param(request)}


def restricted(request):
    """Only for signed-in people (the ``view_restricted`` permission)."""
    return {'user': request.authenticated_userid}


def favicon(request):
    """The site's icon, where browsers look for it."""
    path = os.path.join(os.path.dirname(__file__), 'static', 'favicon.svg')
    return FileResponse(path, request=request, content_type='image/svg+xml', cache_max_age=86400)


def came_from_param(request):
    """Where the welcome page's "continue" link goes (a path on this site)."""
    value = request.params.get('came_from', '/')
    return value if value.startswith('/') and not value.startswith('//') else '/'


def login(request):
    """Verify the assertion with ``verify_login``, then refuse the denied
    address, or welcome a first-time visitor, or go back where they were."""
    email = verify_login(request)
    redirect = came_from(request)
    if email == DENIED_EMAIL:
        request.response.status = 403
        return {
            'success': False,
            'error': '%s may not sign in to this demo (it is on its deny list).' % email,
            'redirect': redirect,
        }
    request.session.invalidate()
    new_csrf_token(request)
    request.response.headerlist.extend(remember(request, email))
    seen = request.registry[_SEEN_KEY]
    if email not in seen:
        seen.add(email)
        parts = urlsplit(redirect)  # a path, or a URL on this site
        back = parts.path + ('?' + parts.query if parts.query else '')
        redirect = request.route_path('welcome', _query={'came_from': back})
    return {'success': True, 'redirect': redirect}


def includeme(config):
    """The demo's routes and pages (its login view is added by ``main``)."""
    config.registry[_SEEN_KEY] = set()
    config.add_route('home', '/')
    config.add_view(home, route_name='home', renderer='demo:templates/home.mako')
    config.add_route('welcome', '/welcome')
    config.add_view(welcome, route_name='welcome', renderer='demo:templates/welcome.mako',
                    permission='view_restricted')
    config.add_route('restricted', '/restricted')
    config.add_view(restricted, route_name='restricted', renderer='demo:templates/restricted.mako',
                    permission='view_restricted')
    config.add_route('favicon', '/favicon.ico')
    config.add_view(favicon, route_name='favicon', permission=NO_PERMISSION_REQUIRED)
