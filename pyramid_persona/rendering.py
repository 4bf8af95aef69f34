"""What pages show: ``request.persona_js``, ``persona_button``,
``persona_head``, and the package's static assets.

The static part of the script is read once, at include time; a request
only adds its own data, as JSON escaped for a ``<script>`` element.
"""
import json

from markupsafe import Markup
from pyramid.csrf import get_csrf_token
from pyramid.interfaces import IRoutesMapper, IStaticURLInfo

from .settings import get_settings
from .utils import read_script

STATIC_VIEW_NAME = '_persona_static'
DEV_IDP_INCLUDE_JS_ROUTE = 'persona.dev_idp.include_js'
_SCRIPT_KEY = 'persona.script'
_USER_ATTR = '_persona_user'
_URLS_KEY = 'persona.page_urls'
_MAX_SCRIPT_NAMES = 16
_CSS = 'pyramid_persona:static/persona.css'
_ICON = 'pyramid_persona:static/persona-icon.svg'

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


def _user(request):
    # persona_js and persona_button both need it; the security policy would
    # parse the cookie for each.  Kept in the request's __dict__, as
    # Pyramid's reify keeps the properties themselves.
    try:
        return request.__dict__[_USER_ATTR]
    except KeyError:
        user = request.__dict__[_USER_ATTR] = request.authenticated_userid
        return user


def _user_json(request):
    user = _user(request)
    return 'null' if user is None else script_json(user)  # most pages: anonymous


def _token_json(token):
    if token.isascii() and token.isalnum():  # Pyramid's tokens are hex
        return '"%s"' % token
    return script_json(token)


class _PageURLs:
    """The URLs in a page's persona parts, and the part of the script's
    configuration that does not change from one request to the next."""

    __slots__ = ('css', 'icon', 'include_js', 'config_json', 'head_start', 'signin_button')

    def __init__(self, request):
        settings = get_settings(request.registry)
        self.css = request.static_path(_CSS)
        self.icon = request.static_path(_ICON)
        self.include_js = include_js_url(request)
        self.config_json = script_json({
            'loginUrl': request.route_path(settings.login_route),
            'logoutUrl': request.route_path(settings.logout_route),
            'redirectParam': settings.redirect_url_parameter,
            'request': dict(settings.request_options),
        })
        self.head_start = Markup(
            '<link rel="stylesheet" href="%s">\n<script src="%s"></script>\n<script>'
        ) % (self.css, self.include_js)
        self.signin_button = Markup(
            '<button type="button" id="signin" class="persona-button signin">'
            '<img src="%s" alt=""> <span>Sign in with your email</span></button>'
        ) % self.icon


def _urls_are_constant(registry):
    # Without cache busters or route pregenerators, these URLs depend on
    # the script name alone.
    static = registry.queryUtility(IStaticURLInfo)
    if static is not None and getattr(static, 'cache_busters', True):
        return False
    mapper = registry.queryUtility(IRoutesMapper)
    settings = get_settings(registry)
    names = [settings.login_route, settings.logout_route]
    if settings.dev_idp:
        names.append(DEV_IDP_INCLUDE_JS_ROUTE)
    return mapper is not None and all(
        (route := mapper.get_route(name)) is not None and route.pregenerator is None for name in names
    )


def _page_urls(request):
    cache = request.registry[_URLS_KEY]
    urls = cache.get(request.script_name)
    if urls is None:
        urls = _PageURLs(request)
        if len(cache) < _MAX_SCRIPT_NAMES and _urls_are_constant(request.registry):
            cache[request.script_name] = urls
    return urls


def persona_js(request):
    """The JavaScript that binds the buttons and watches the login state."""
    script = request.registry[_SCRIPT_KEY]
    # One JSON object made of two texts: the per-request part, then the
    # constant part serialized once per script name (see _PageURLs).
    return Markup('%s({"user": %s, "csrfToken": %s, %s);' % (
        script,
        _user_json(request),
        _token_json(get_csrf_token(request)),
        _page_urls(request).config_json[1:],
    ))


_SIGNOUT_BUTTON = Markup(
    '<button type="button" id="signout" class="persona-button signout">'
    '<span>Sign out</span></button>'
)


def persona_button(request):
    """A sign-in button for anonymous users, a sign-out button otherwise."""
    if _user(request) is None:
        return _page_urls(request).signin_button
    return _SIGNOUT_BUTTON


def persona_head(request):
    """Everything a page's ``<head>`` needs: the stylesheet, the identity
    provider's include.js and persona_js."""
    # str.join, not Markup's +, which would escape the closing tag.
    return Markup(''.join((_page_urls(request).head_start, request.persona_js, '</script>')))


def includeme(config):
    """Add the request properties and the static view for the assets."""
    config.registry[_SCRIPT_KEY] = read_script('static/persona.js')
    config.registry[_URLS_KEY] = {}  # script name -> _PageURLs
    config.add_static_view(STATIC_VIEW_NAME, 'pyramid_persona:static', cache_max_age=3600)
    config.add_request_method(persona_js, 'persona_js', reify=True)
    config.add_request_method(persona_button, 'persona_button', reify=True)
    config.add_request_method(persona_head, 'persona_head', reify=True)


__all__ = ['script_json', 'include_js_url', 'persona_js', 'persona_button', 'persona_head']
