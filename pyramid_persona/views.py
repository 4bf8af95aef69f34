"""The login, logout and forbidden views, and :func:`verify_login`.

Every answer of the login and logout views is JSON.  Failures have one
shape: ``{"success": false, "error": "<sentence>", "redirect": "<url>"}``.
"""
import functools
import logging
import pkgutil
import string

import requests
from browserid.errors import ConnectionError as BrowserIDConnectionError
from markupsafe import escape
from pyramid.csrf import new_csrf_token
from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken
from pyramid.httpexceptions import (
    HTTPBadRequest,
    HTTPForbidden,
    HTTPMethodNotAllowed,
    HTTPServiceUnavailable,
)
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED, forget, remember

from .errors import AssertionRejected, VerificationError, VerifierUnavailable
from .events import PersonaLogin, PersonaLogout
from .redirects import DEFAULT_REDIRECT, safe_redirect
from .replay import get_replay_cache
from .settings import get_settings
from .tokens import parse_token
from .verifier import get_verifier

log = logging.getLogger(__name__)

_CONNECTION_ERRORS = (BrowserIDConnectionError, requests.RequestException, OSError)
_FORBIDDEN_KEY = 'persona.forbidden_template'
_VERIFICATION_KEY = 'persona.verification'


def json_error(exception_class, message, redirect=DEFAULT_REDIRECT):
    """An HTTP error whose body is the JSON error shape of the views."""
    return exception_class(
        json_body={'success': False, 'error': message, 'redirect': redirect},
        content_type='application/json',
        charset='utf-8',
    )


def _form_value(request, name):
    values = request.POST.getall(name)
    if len(values) > 1:
        raise AssertionRejected('The form field %r was sent more than once.' % name)
    value = values[0] if values else None
    if value is not None and not isinstance(value, str):
        raise AssertionRejected('The form field %r must be text.' % name)
    return value


def came_from(request):
    """The safe redirect target of this login or logout request."""
    try:
        values = request.POST.getall('came_from')
    except Exception:  # an unparseable body is reported by the view itself
        return DEFAULT_REDIRECT
    return safe_redirect(request, values[0] if len(values) == 1 else None)


def verify_assertion(request):
    """Verify the assertion POSTed to ``request``; return the verifier's
    answer (a dict with ``email``).

    Raises the JSON ``HTTPBadRequest`` (400) for a missing or invalid
    assertion, or ``HTTPServiceUnavailable`` (503) when the verifier cannot
    be used.
    """
    cached = request.environ.get(_VERIFICATION_KEY)
    if cached is not None:
        return cached
    return _verify_assertion(request, came_from(request))


def _verify_assertion(request, redirect):
    # ``redirect``: where the JSON errors send the browser.
    settings = get_settings(request.registry)
    try:
        assertion = _form_value(request, 'assertion')
        if not assertion:
            raise AssertionRejected('No assertion was sent.')
        if len(assertion.encode('utf-8')) > settings.max_assertion_bytes:
            raise AssertionRejected('The assertion is too large.')
        result = _verify(request, assertion)
    except VerifierUnavailable as e:
        raise json_error(HTTPServiceUnavailable, str(e), redirect)
    except VerificationError as e:
        if not getattr(e, 'logged', False):  # a verifier may have logged the details
            log.info('pyramid_persona: login refused: %s', e)
        raise json_error(HTTPBadRequest, str(e), redirect)
    request.environ[_VERIFICATION_KEY] = result
    return result


def _verify(request, assertion):
    verifier = get_verifier(request.registry)
    try:
        result = verifier.verify(assertion)
    except VerificationError:
        raise
    except _CONNECTION_ERRORS as e:
        log.error('pyramid_persona: verifier %r unavailable: %s', type(verifier).__name__, e)
        raise VerifierUnavailable('The verification service could not be reached.')
    except Exception as e:
        # A third-party verifier (persona.verifier = dotted.name) may raise
        # anything on a hostile assertion: PyBrowserID lets KeyError,
        # TypeError and AttributeError out.
        log.warning('pyramid_persona: verifier %r refused an assertion: %s: %s',
                    type(verifier).__name__, type(e).__name__, e)
        raise AssertionRejected('The assertion is invalid.')
    email = result.get('email') if isinstance(result, dict) else None
    if not isinstance(email, str) or not email:
        raise AssertionRejected('The verifier did not confirm an email address.')
    _check_replay(request, assertion)
    return result


def _check_replay(request, assertion):
    cache = get_replay_cache(request.registry)
    if cache is None:
        return
    try:
        # The verifier has accepted the bundle: its last token, the
        # assertion, is all the cache needs (not the certificate, the
        # bulk of the bundle).
        token = parse_token(assertion.rpartition('~')[2], algorithms=None)
    except AssertionRejected:
        return  # a custom verifier's format; it is responsible for replays
    expires = token.payload.get('exp')
    if not isinstance(expires, int) or isinstance(expires, bool):
        return
    if not cache.first_use(token.digest, expires):
        raise AssertionRejected('This assertion has already been used; sign in again.')


def verify_login(request):
    """Verify the POSTed assertion and return the email address.

    Raises the JSON 400 (invalid assertion) or 503 (verifier unavailable).
    For applications writing their own login view, which then call
    ``remember(request, email)`` and answer ``{"redirect": ..., "success":
    true}``; the documentation's customization page has a complete, tested
    example (``docs/examples/custom_login.py``).
    """
    return verify_assertion(request)['email']


def login(request):
    """``POST login``: verify, notify :class:`PersonaLogin`, remember."""
    redirect = came_from(request)
    result = _verify_assertion(request, redirect)
    email = result['email']
    event = PersonaLogin(request, email, result, redirect)
    _notify(request, event)
    if event.refused:
        log.info('pyramid_persona: login of %s refused by the application', email)
        # Returned, not raised: a raised HTTPForbidden would reach the forbidden view.
        return json_error(HTTPForbidden, event.refusal, event.redirect)
    # A fresh session and CSRF token: nothing from before login carries over.
    request.session.invalidate()
    new_csrf_token(request)
    request.response.headerlist.extend(remember(request, email))
    return {'redirect': event.redirect, 'success': True}


def logout(request):
    """``POST logout``: notify :class:`PersonaLogout`, forget, drop the session."""
    event = PersonaLogout(request, request.authenticated_userid, came_from(request))
    _notify(request, event)
    request.session.invalidate()
    request.response.headerlist.extend(forget(request))
    return {'redirect': event.redirect}


def _notify(request, event):
    registry = request.registry
    if registry.has_listeners:  # as Pyramid's router does: no lookup without subscribers
        registry.notify(event)


def method_not_allowed(request):
    """Any method but POST on the login and logout routes."""
    error = json_error(HTTPMethodNotAllowed, 'Use POST.')
    error.allow = ('POST',)
    return error


def bad_csrf_origin(exc, request):
    """An https login or logout whose Origin (or Referer) is not this site."""
    return json_error(
        HTTPBadRequest,
        'The request did not come from a page of this site.',
        came_from(request),
    )


def bad_csrf(exc, request):
    """A missing or wrong CSRF token on the login and logout routes."""
    return json_error(
        HTTPBadRequest,
        'The CSRF token is missing or wrong; reload the page and try again.',
        came_from(request),
    )


def undecodable_form(exc, request):
    """A form that is not valid UTF-8."""
    return json_error(HTTPBadRequest, 'The form is not valid UTF-8 text.')


#: Room for the CSRF token, ``came_from`` and encoding around the assertion.
FORM_OVERHEAD_BYTES = 16 * 1024


def _limit_form_size(view, info):
    # A view deriver: on the login and logout routes (the add-on's views
    # and any an application puts there), refuse a form larger than
    # persona.max_assertion_bytes + FORM_OVERHEAD_BYTES before anything,
    # the CSRF check included, reads it.  Views of other routes are left
    # as they are and pay nothing.
    settings = get_settings(info.registry)
    if info.exception_only or info.options.get('route_name') not in (
        settings.login_route, settings.logout_route,
    ):
        return view
    limit = settings.max_assertion_bytes + FORM_OVERHEAD_BYTES

    @functools.wraps(view)  # keeps what Pyramid's derivers set on the view
    def limited_view(context, request):
        length = request.content_length
        if length is not None and length > limit and request.method == 'POST':
            log.info('pyramid_persona: refused a %d-byte form at %s', length, request.path_info)
            return json_error(HTTPBadRequest, 'The form is too large.')
        return view(context, request)

    return limited_view


def forbidden(request):
    """403: a page offering to sign in, or JSON for clients that prefer it."""
    offers = request.accept.acceptable_offers(['text/html', 'application/json'])
    if offers and offers[0][0] == 'application/json':
        return json_error(HTTPForbidden, 'You are not allowed to see this page.', request.path_qs)
    user = request.authenticated_userid
    if user is None:
        message = 'You need to sign in to see this page.'
    else:
        message = 'You are signed in as %s, who is not allowed to see this page.' % user
    body = request.registry[_FORBIDDEN_KEY].substitute(
        head=request.persona_head,
        button=request.persona_button,
        message=escape(message),
    )
    return Response(body, status=403, content_type='text/html', charset='utf-8')


def includeme(config):
    """Add the login and logout routes and views, and the forbidden view."""
    settings = get_settings(config.registry)
    # Just before the CSRF check, the first thing that reads the form.
    config.add_view_deriver(_limit_form_size, name='pyramid_persona.limit_form_size',
                            under='secured_view', over='csrf_view')
    template = pkgutil.get_data('pyramid_persona', 'templates/forbidden.html').decode('utf-8')
    config.registry[_FORBIDDEN_KEY] = string.Template(template)
    for route, path, view in (
        (settings.login_route, settings.login_path, login),
        (settings.logout_route, settings.logout_path, logout),
    ):
        config.add_route(route, path)
        config.add_view(view, route_name=route, request_method='POST', renderer='json',
                        require_csrf=True, permission=NO_PERMISSION_REQUIRED)
        config.add_view(method_not_allowed, route_name=route, require_csrf=False,
                        permission=NO_PERMISSION_REQUIRED)
        config.add_exception_view(bad_csrf, context=BadCSRFToken, route_name=route)
        config.add_exception_view(bad_csrf_origin, context=BadCSRFOrigin, route_name=route)
        config.add_exception_view(undecodable_form, context=UnicodeDecodeError, route_name=route)
    config.add_forbidden_view(forbidden)
