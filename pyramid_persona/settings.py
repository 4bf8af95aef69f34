"""Parse and validate the ``persona.*`` settings, once, at include time.

Every other module reads :class:`PersonaSettings` from the registry
(:func:`get_settings`); none of them reads the raw strings.
"""

import logging
import re
import warnings
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from pyramid.exceptions import ConfigurationError
from pyramid.settings import asbool

from .utils import strict_json_loads

log = logging.getLogger(__name__)

SETTINGS_KEY = 'persona.settings'

DEFAULT_VERIFIER_URL = 'https://verifier.login.persona.org/verify'
DEFAULT_INCLUDE_JS_URL = 'https://login.persona.org/include.js'
DEFAULT_MAX_ASSERTION_BYTES = 16384
MIN_SECRET_LENGTH = 32

#: Dialog options passed to ``navigator.id.request``: setting name -> option.
DIALOG_OPTIONS = (
    'siteName',
    'siteLogo',
    'privacyPolicy',
    'termsOfService',
    'backgroundColor',
)

#: Every setting pyramid_persona reads (without the ``persona.`` prefix).
KNOWN_SETTINGS = frozenset(
    (
        'secret',
        'audiences',
        'audience',
        'verifier',
        'verifier_url',
        'verifier_timeout',
        'trusted_issuers',
        'support_documents',
        'fetch_support_documents',
        'include_js_url',
        'login_route',
        'login_path',
        'logout_route',
        'logout_path',
        'redirect_url_parameter',
        'max_assertion_bytes',
        'replay_cache',
        'dev_idp',
        'dev_idp.key_file',
    )
    + DIALOG_OPTIONS
)

# Names 1.6.1 users wrote for the verifier; they now select the safer
# built-in verifiers (timeouts, explicit trust, no 500 on hostile input).
_LEGACY_VERIFIER_NAMES = {
    'browserid.RemoteVerifier': 'remote',
    'browserid.verifiers.remote.RemoteVerifier': 'remote',
    'browserid.LocalVerifier': 'local',
    'browserid.verifiers.local.LocalVerifier': 'local',
}

_HOSTNAME = re.compile(r'^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$')
_COLOR = re.compile(r'^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$')
_DEFAULT_PORTS = {'http': 80, 'https': 443}


@dataclass(frozen=True)
class PersonaSettings:
    """The validated ``persona.*`` settings of one application."""

    secret: Optional[str]
    audiences: Tuple[str, ...]
    verifier: str = 'remote'
    verifier_factory: Optional[Callable[..., Any]] = None
    verifier_url: str = DEFAULT_VERIFIER_URL
    verifier_timeout: float = 5.0
    trusted_issuers: Tuple[str, ...] = ()
    support_documents: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    fetch_support_documents: bool = True
    include_js_url: str = DEFAULT_INCLUDE_JS_URL
    login_route: str = 'login'
    login_path: str = '/login'
    logout_route: str = 'logout'
    logout_path: str = '/logout'
    redirect_url_parameter: str = 'came_from'
    request_options: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    max_assertion_bytes: int = DEFAULT_MAX_ASSERTION_BYTES
    replay_cache: str = 'memory'
    dev_idp: bool = False
    dev_idp_key_file: Optional[str] = None

    @property
    def secure_cookies(self):
        """True when every audience is https: cookies get ``Secure``."""
        return all(a.startswith('https://') for a in self.audiences)

    def audience_matches(self, audience):
        """Whether ``audience`` (an origin) is one of this site's audiences."""
        try:
            origin = normalize_origin(audience)
        except ValueError:
            return False
        return any(_origin_matches(origin, a) for a in self.audiences)

    @property
    def uses_dead_persona_org(self):
        """Names of settings still pointing at the defunct persona.org."""
        dead = []
        if self.verifier == 'remote' and self.verifier_url == DEFAULT_VERIFIER_URL:
            dead.append('persona.verifier_url')
        if not self.dev_idp and self.include_js_url == DEFAULT_INCLUDE_JS_URL:
            dead.append('persona.include_js_url')
        return dead


def _origin_matches(origin, audience):
    # '*' is a wildcard (as PyBrowserID allowed, e.g. https://*.example.com);
    # nothing else is special, so '[::1]' stays an IPv6 literal.
    if '*' not in audience:
        return origin == audience
    pattern = '.*'.join(re.escape(part) for part in audience.split('*'))
    return re.fullmatch(pattern, origin) is not None


def get_settings(registry):
    """Return the :class:`PersonaSettings` of an application's registry."""
    return registry[SETTINGS_KEY]


def includeme(config):
    """Parse the settings and keep them at ``registry['persona.settings']``."""
    settings = parse_settings(config.get_settings(), resolve=config.maybe_dotted)
    config.registry[SETTINGS_KEY] = settings
    config.registry['persona.redirect_url_parameter'] = settings.redirect_url_parameter
    if settings.uses_dead_persona_org:
        log.warning(
            'pyramid_persona: %s still point(s) at persona.org, which has been '
            'offline since 30 November 2016; logins cannot work. Run your own '
            'identity provider or broker and set persona.include_js_url and '
            'persona.verifier_url, or use persona.verifier = local with '
            'persona.trusted_issuers, or persona.dev_idp = true for development.',
            ' and '.join(settings.uses_dead_persona_org),
        )


def normalize_origin(value):
    """Return ``scheme://host[:port]`` with the default port left out.

    Raises :class:`ValueError` when ``value`` is not an http(s) origin.
    """
    if not isinstance(value, str) or not value or value != value.strip():
        raise ValueError('not an origin')
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError('not an http(s) origin')
    if parts.path not in ('', '/') or parts.query or parts.fragment:
        raise ValueError('an origin has no path, query or fragment')
    if parts.username is not None or parts.password is not None:
        raise ValueError('an origin has no user information')
    port = parts.port  # raises ValueError on a bad port
    host = parts.hostname
    if ':' in host:
        host = '[%s]' % host
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return '%s://%s' % (scheme, host)
    return '%s://%s:%d' % (scheme, host, port)


def _fail(name, problem, fix):
    raise ConfigurationError('persona.%s %s: %s' % (name, problem, fix))


def _words(value):
    return tuple(w for w in re.split(r'[\s,]+', value or '') if w)


def _parse_audiences(raw):
    audiences = _words(raw.get('persona.audiences'))
    if not audiences and raw.get('persona.audience'):
        warnings.warn(
            'persona.audience is deprecated; rename it persona.audiences',
            DeprecationWarning,
            stacklevel=4,
        )
        audiences = _words(raw['persona.audience'])
    if not audiences:
        _fail(
            'audiences',
            'is missing',
            'set it to the origin(s) of your site, separated by spaces, '
            'e.g. "persona.audiences = https://example.com"',
        )
    normalized = []
    for audience in audiences:
        try:
            normalized.append(normalize_origin(audience.lower()))
        except ValueError:
            _fail(
                'audiences',
                'has an invalid value %r' % audience,
                'each audience is a scheme, host and optional port such as '
                '"https://example.com" or "http://localhost:6543"',
            )
    return tuple(normalized)


def _parse_secret(raw):
    secret = raw.get('persona.secret')
    if secret is None:
        return None
    if not isinstance(secret, str) or not secret.strip():
        _fail(
            'secret',
            'is empty',
            'set it to a long random string, e.g. the output of '
            '"python -c \'import secrets; print(secrets.token_hex(32))\'"',
        )
    if len(secret) < MIN_SECRET_LENGTH:
        log.warning(
            'pyramid_persona: persona.secret is shorter than %d characters; use a longer random string',
            MIN_SECRET_LENGTH,
        )
    return secret


def _parse_url(raw, name, default):
    value = raw.get('persona.' + name, default)
    parts = urlsplit(value or '')
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        _fail(
            name, 'is not an http(s) URL (%r)' % value, 'give a full URL such as "https://id.example.com/..."'
        )
    return value


def _parse_positive(raw, name, default, kind):
    value = raw.get('persona.' + name, default)
    try:
        value = kind(value)
    except (TypeError, ValueError):
        value = None
    if value is None or not value > 0 or value != value or value == float('inf'):
        _fail(
            name,
            'must be a positive number (got %r)' % raw.get('persona.' + name),
            'for example "persona.%s = %s"' % (name, default),
        )
    return value


def _parse_hostnames(raw, name):
    hosts = tuple(h.lower() for h in _words(raw.get('persona.' + name)))
    for host in hosts:
        if not _HOSTNAME.match(host):
            _fail(
                name,
                'has an invalid hostname %r' % host,
                'list host names such as "idp.example.com", separated by spaces',
            )
    return hosts


def _parse_support_documents(raw):
    path = raw.get('persona.support_documents')
    if not path:
        return MappingProxyType({})
    try:
        with open(path, encoding='utf-8') as f:
            documents = strict_json_loads(f.read())
    except (OSError, ValueError) as e:
        _fail(
            'support_documents',
            'could not be read from %r (%s)' % (path, e),
            'give the path of a JSON file {"hostname": support document}',
        )
    if not isinstance(documents, dict):
        _fail(
            'support_documents',
            'in %r is not a JSON object' % path,
            'the file maps host names to support documents',
        )
    checked = {}
    for host, document in documents.items():
        key = document.get('public-key') if isinstance(document, dict) else None
        if (
            not _HOSTNAME.match(str(host).lower())
            or not isinstance(key, dict)
            or not isinstance(key.get('algorithm'), str)
        ):
            _fail(
                'support_documents',
                'in %r has an invalid entry for %r' % (path, host),
                'each entry is {"public-key": {"algorithm": ..., ...}, ...}',
            )
        checked[host.lower()] = MappingProxyType(dict(document))
    return MappingProxyType(checked)


def _parse_verifier(raw, resolve, dev_idp):
    name = raw.get('persona.verifier') or ('local' if dev_idp else 'remote')
    name = _LEGACY_VERIFIER_NAMES.get(name, name)
    if name in ('remote', 'local'):
        return name, None
    if '.' not in name and ':' not in name:
        _fail(
            'verifier',
            'has an unknown value %r' % name,
            'use "remote", "local" or the dotted name of a factory',
        )
    try:
        factory = resolve(name)
    except (ImportError, AttributeError, ValueError) as e:
        _fail(
            'verifier',
            'names %r, which cannot be imported (%s)' % (name, e),
            'give the dotted name of a callable taking the audiences list',
        )
    if not callable(factory):
        _fail(
            'verifier',
            'names %r, which is not callable' % name,
            'give the dotted name of a callable taking the audiences list',
        )
    return name, factory


def _parse_replay_cache(raw):
    value = (raw.get('persona.replay_cache') or 'memory').strip()
    if value in ('memory', 'none') or value.startswith(('redis://', 'rediss://', 'unix://')):
        return value
    _fail('replay_cache', 'has an unknown value %r' % value, 'use "memory", "none" or a redis:// URL')


def _is_site_path(value):
    # '/path' on this site; '//host/...' would be another site.
    return value.startswith('/') and not value.startswith('//')


def _parse_request_options(raw):
    options = {}
    for name in DIALOG_OPTIONS:
        value = raw.get('persona.' + name)
        if value is None or value == '':
            continue
        value = str(value).strip()
        if name == 'backgroundColor':
            if not _COLOR.match(value):
                _fail(name, 'is not a colour (%r)' % value, 'give a hex colour such as "#3f88c5"')
            value = '#' + value.lstrip('#')
        elif name == 'siteLogo':
            if not _is_site_path(value) and not value.startswith('https://'):
                _fail(
                    name,
                    'must be an absolute path or an https URL (%r)' % value,
                    'for example "/static/logo.png"',
                )
        elif name in ('privacyPolicy', 'termsOfService'):
            if not _is_site_path(value) and urlsplit(value).scheme not in ('http', 'https'):
                _fail(name, 'must be a path or an http(s) URL (%r)' % value, 'for example "/privacy"')
        options[name] = value
    return MappingProxyType(options)


def _parse_route(raw, kind):
    route = raw.get('persona.%s_route' % kind) or kind
    path = raw.get('persona.%s_path' % kind) or '/' + kind
    if not path.startswith('/'):
        _fail('%s_path' % kind, 'must start with "/" (%r)' % path, 'for example "/%s"' % kind)
    return route, path


def parse_settings(raw, resolve=None):
    """Build :class:`PersonaSettings` from a settings mapping.

    ``resolve`` turns a dotted name into an object (``config.maybe_dotted``).
    Raises :class:`pyramid.exceptions.ConfigurationError` naming the setting
    at fault and how to fix it.
    """
    if resolve is None:
        from pyramid.path import DottedNameResolver

        resolve = DottedNameResolver().maybe_resolve
    for key in raw:
        if key.startswith('persona.') and key[len('persona.') :] not in KNOWN_SETTINGS:
            log.warning('pyramid_persona: unknown setting %s is ignored', key)

    dev_idp = asbool(raw.get('persona.dev_idp', False))
    audiences = _parse_audiences(raw)
    verifier, factory = _parse_verifier(raw, resolve, dev_idp)
    login_route, login_path = _parse_route(raw, 'login')
    logout_route, logout_path = _parse_route(raw, 'logout')
    redirect_param = raw.get('persona.redirect_url_parameter') or 'came_from'
    if not re.match(r'^[A-Za-z0-9_.\-]+$', redirect_param):
        _fail(
            'redirect_url_parameter',
            'is not a valid query parameter name (%r)' % redirect_param,
            'use letters, digits, "_", "-" or "."',
        )
    key_file = raw.get('persona.dev_idp.key_file') or None

    return PersonaSettings(
        secret=_parse_secret(raw),
        audiences=audiences,
        verifier=verifier,
        verifier_factory=factory,
        verifier_url=_parse_url(raw, 'verifier_url', DEFAULT_VERIFIER_URL),
        verifier_timeout=_parse_positive(raw, 'verifier_timeout', 5.0, float),
        trusted_issuers=_parse_hostnames(raw, 'trusted_issuers'),
        support_documents=_parse_support_documents(raw),
        fetch_support_documents=asbool(raw.get('persona.fetch_support_documents', True)),
        include_js_url=_parse_include_js_url(raw),
        login_route=login_route,
        login_path=login_path,
        logout_route=logout_route,
        logout_path=logout_path,
        redirect_url_parameter=redirect_param,
        request_options=_parse_request_options(raw),
        max_assertion_bytes=_parse_positive(raw, 'max_assertion_bytes', DEFAULT_MAX_ASSERTION_BYTES, int),
        replay_cache=_parse_replay_cache(raw),
        dev_idp=dev_idp,
        dev_idp_key_file=key_file,
    )


def _parse_include_js_url(raw):
    value = raw.get('persona.include_js_url', DEFAULT_INCLUDE_JS_URL)
    if isinstance(value, str) and _is_site_path(value):
        return value  # served by the application itself
    return _parse_url(raw, 'include_js_url', DEFAULT_INCLUDE_JS_URL)
