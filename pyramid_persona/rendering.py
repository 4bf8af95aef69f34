"""What pages show: ``request.persona_js``, ``persona_button``,
``persona_head``, and the package's static assets.

The static part of the script is read once, at include time; a request
only adds its own data, as JSON escaped for a ``<script>`` element.
"""
import json
import pkgutil

from markupsafe import Markup, escape
from pyramid.csrf import get_csrf_token

from .settings import get_settings

STATIC_VIEW_NAME = '_persona_static'
DEV_IDP_INCLUDE_JS_ROUTE = 'persona.dev_idp.include_js'
_SCRIPT_KEY = 'persona.script'

_SCRIPT_ESCAPES = {
    ord('<'): '\\u003c',
    ord('>'): '\\u003e',
    ord('&'): '\\u0026',
    0x2028: '\\u2028',
    0x2029: '\\u2029',
}


def script_json(value):
    """Serialize ``value`` as JSON that is safe inside a ``<script>`` element.

    ``json.dumps`` alone is not: ``</script>`` or ``<!--`` in a string would
    end or derail the element.
    """
    return json.dumps(value, ensure_ascii=True).translate(_SCRIPT_ESCAPES)


def include_js_url(request):
    """The URL of the identity provider's ``include.js`` (navigator.id)."""
    settings = get_settings(request.registry)
    if settings.dev_idp:
        return request.route_path(DEV_IDP_INCLUDE_JS_ROUTE)
    url = settings.include_js_url
    if url.startswith('/'):
        return request.script_name + url
    return url


def script_config(request):
    """The per-request data persona_js hands to its script."""
    settings = get_settings(request.registry)
    return {
        'user': request.authenticated_userid,
        'csrfToken': get_csrf_token(request),
        'loginUrl': request.route_path(settings.login_route),
        'logoutUrl': request.route_path(settings.logout_route),
        'redirectParam': settings.redirect_url_parameter,
        'request': dict(settings.request_options),
    }


def persona_js(request):
    """The JavaScript that binds the buttons and watches the login state."""
    script = request.registry[_SCRIPT_KEY]
    return Markup('%s(%s);' % (script, script_json(script_config(request))))


def persona_button(request):
    """A sign-in button for anonymous users, a sign-out button otherwise."""
    if request.authenticated_userid is None:
        icon = request.static_path('pyramid_persona:static/persona-icon.svg')
        return Markup(
            '<button type="button" id="signin" class="persona-button signin">'
            '<img src="%s" alt=""> <span>Sign in with your email</span></button>'
        ) % icon
    return Markup(
        '<button type="button" id="signout" class="persona-button signout">'
        '<span>Sign out</span></button>'
    )


def persona_head(request):
    """Everything a page's ``<head>`` needs: the stylesheet, the identity
    provider's include.js and persona_js."""
    css = request.static_path('pyramid_persona:static/persona.css')
    return Markup(
        '<link rel="stylesheet" href="%s">\n'
        '<script src="%s"></script>\n'
        '<script>%s</script>'
    ) % (css, include_js_url(request), persona_js(request))


def _load_script():
    source = pkgutil.get_data('pyramid_persona', 'static/persona.js').decode('utf-8')
    if source.startswith('/*'):
        source = source[source.index('*/') + 2:]  # the header comment is for developers
    return source.strip()


def includeme(config):
    """Add the request properties and the static view for the assets."""
    config.registry[_SCRIPT_KEY] = _load_script()
    config.add_static_view(STATIC_VIEW_NAME, 'pyramid_persona:static', cache_max_age=3600)
    config.add_request_method(persona_js, 'persona_js', reify=True)
    config.add_request_method(persona_button, 'persona_button', reify=True)
    config.add_request_method(persona_head, 'persona_head', reify=True)


__all__ = ['script_json', 'persona_js', 'persona_button', 'persona_head', 'escape']
