"""Where to send the browser after login or logout.

``came_from`` comes from the browser, so it is honoured only when it points
at this site: a path, or a URL on one of the configured audiences.
"""
from urllib.parse import urlsplit

from .settings import get_settings, normalize_origin

DEFAULT_REDIRECT = '/'
MAX_REDIRECT_LENGTH = 4096


def _has_control_characters(value):
    # Browsers drop tabs and newlines inside URLs: "/\t/evil.example" would
    # become "//evil.example".
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)


def safe_redirect(request, value):
    """Return ``value`` if it is a safe place to redirect to, else ``'/'``."""
    if not isinstance(value, str) or not value or len(value) > MAX_REDIRECT_LENGTH:
        return DEFAULT_REDIRECT
    if '\\' in value or _has_control_characters(value):
        return DEFAULT_REDIRECT
    if value.startswith('/'):
        return DEFAULT_REDIRECT if value.startswith('//') else value
    try:
        parts = urlsplit(value)
        origin = normalize_origin('%s://%s' % (parts.scheme, parts.netloc))
    except ValueError:
        return DEFAULT_REDIRECT
    if parts.scheme.lower() not in ('http', 'https') or '@' in parts.netloc:
        return DEFAULT_REDIRECT
    if get_settings(request.registry).audience_matches(origin):
        return value
    return DEFAULT_REDIRECT
