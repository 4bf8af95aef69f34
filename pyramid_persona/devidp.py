"""The development identity provider (``persona.dev_idp = true``).

An identity provider served by the application itself, so that a site can
be signed in to on a laptop with no network.  It speaks the real BrowserID
protocol: the browser makes the user's keypair (WebCrypto), this provider
certifies the public key for the email address with its own RSA key, and
the browser signs the assertion.  The site's local verifier trusts the
provider in-process and checks every signature as in production.

It accepts ANY address without a password: it is for development only, and
refuses to start unless every audience is on the local machine.

Routes (all need no permission):

``/.well-known/browserid``
    The support document: public key, authentication and provisioning pages.
``/_persona_dev_idp/include.js``
    ``navigator.id`` (``watch``, ``request``, ``logout``) for the site's pages.
``/_persona_dev_idp/sign_in``
    The sign-in dialog (shown in the page by include.js).
``/_persona_dev_idp/provision``
    The provisioning page named by the support document.  It only explains
    where certificates come from: the site's pages get theirs from the
    certificate endpoint, through include.js, and no broker is involved.
``/_persona_dev_idp/certify``
    ``POST {"email", "publicKey"}`` -> ``{"certificate"}``.
"""
import logging
import os
import pkgutil
import string
import time
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from markupsafe import escape
from pyramid.exceptions import ConfigurationError
from pyramid.httpexceptions import (
    HTTPBadRequest,
    HTTPForbidden,
    HTTPMethodNotAllowed,
    HTTPRequestEntityTooLarge,
)
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED

from .errors import AssertionRejected
from .keys import load_public_key
from .rendering import DEV_IDP_INCLUDE_JS_ROUTE, script_json
from .settings import get_settings
from .utils import b64encode, encode_json, read_script, strict_json_loads
from .verifier import LocalVerifier, check_email, get_verifier

log = logging.getLogger(__name__)

DEV_IDP_KEY = 'persona.dev_idp'
_ASSETS_KEY = 'persona.dev_idp.assets'
SUPPORT_DOCUMENT_ROUTE = 'persona.dev_idp.support_document'
SIGN_IN_ROUTE = 'persona.dev_idp.sign_in'
PROVISION_ROUTE = 'persona.dev_idp.provision'
CERTIFY_ROUTE = 'persona.dev_idp.certify'
SIGN_IN_PATH = '/_persona_dev_idp/sign_in'
PROVISION_PATH = '/_persona_dev_idp/provision'

#: Host names the development identity provider may serve.
LOCAL_HOSTS = frozenset(('localhost', '127.0.0.1', '::1'))
KEY_BITS = 2048
#: How long a certificate is valid, in milliseconds.
CERTIFICATE_LIFETIME = 24 * 3600 * 1000
MAX_CERTIFY_BYTES = 16 * 1024


class DevelopmentIdentityProvider:
    """The provider of one application: its ``issuer`` host name and
    signing key (an RSA private key from ``cryptography``)."""

    def __init__(self, issuer, private_key):
        self.issuer = issuer
        self.private_key = private_key
        numbers = private_key.public_key().public_numbers()
        self.public_key = {'algorithm': 'RS', 'n': str(numbers.n), 'e': str(numbers.e)}

    def support_document(self, authentication=SIGN_IN_PATH, provisioning=PROVISION_PATH):
        """The ``/.well-known/browserid`` document of this provider."""
        return {
            'public-key': dict(self.public_key),
            'authentication': authentication,
            'provisioning': provisioning,
        }

    def certify(self, email, public_key, now=None):
        """Return a certificate (a JWT) binding ``email`` to ``public_key``."""
        now = int(time.time() * 1000) if now is None else now
        payload = {
            'iss': self.issuer,
            'iat': now,
            'exp': now + CERTIFICATE_LIFETIME,
            'public-key': public_key,
            'principal': {'email': email},
        }
        signed = encode_json({'alg': 'RS256'}) + '.' + encode_json(payload)
        signature = self.private_key.sign(signed.encode('ascii'), padding.PKCS1v15(), hashes.SHA256())
        return signed + '.' + b64encode(signature)


def get_identity_provider(registry):
    """Return the :class:`DevelopmentIdentityProvider` of an application."""
    return registry[DEV_IDP_KEY]


def check_local_audiences(audiences):
    """Raise :class:`ConfigurationError` unless every audience is served
    from this machine (localhost, 127.0.0.1 or [::1])."""
    for audience in audiences:
        try:
            host = urlsplit(audience).hostname
        except ValueError:
            host = None
        if host not in LOCAL_HOSTS:
            raise ConfigurationError(
                'persona.dev_idp = true lets anyone sign in as anyone, so it only works when every '
                'persona.audiences is on this machine (localhost, 127.0.0.1 or [::1]); %r is not. '
                'Turn persona.dev_idp off for this site, or list only local origins.' % audience
            )


def load_signing_key(path=None):
    """Return the provider's RSA private key.

    With no ``path``, a new key for this process.  With a ``path``, the key
    in that PEM file, which is made (readable by its owner only) if it does
    not exist yet, so certificates stay valid across restarts.
    """
    if path is None:
        return _new_key()
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except FileNotFoundError:
        return _write_new_key(path)
    except OSError as e:
        raise _key_file_error(path, 'cannot be read (%s)' % e.strerror)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise _key_file_error(path, 'is not an unencrypted PEM private key')
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < KEY_BITS:
        raise _key_file_error(path, 'does not hold an RSA key of at least %d bits' % KEY_BITS)
    return key


def _new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)


def _write_new_key(path):
    key = _new_key()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, 'wb') as f:
            f.write(pem)
    except OSError as e:
        raise _key_file_error(path, 'cannot be written (%s)' % e.strerror)
    log.info('pyramid_persona: made a new development identity provider key in %s', path)
    return key


def _key_file_error(path, problem):
    return ConfigurationError(
        'persona.dev_idp.key_file %r %s: give the path of a PEM file made by the development identity '
        'provider (it makes one when the file does not exist), or leave the setting out for a new key '
        'at each start' % (path, problem)
    )


def _json_error(exception_class, message):
    return exception_class(json_body={'error': message}, content_type='application/json', charset='utf-8')


def certify(request):
    """``POST {"email", "publicKey"}``: certify the key for the address."""
    refusal = _refusal(request)
    if refusal is not None:
        return refusal  # not raised: the forbidden view would answer it with a page
    if request.content_length is not None and request.content_length > MAX_CERTIFY_BYTES:
        raise _json_error(HTTPRequestEntityTooLarge, 'The request is too large.')
    body = request.body_file.read(MAX_CERTIFY_BYTES + 1)
    if len(body) > MAX_CERTIFY_BYTES:
        raise _json_error(HTTPRequestEntityTooLarge, 'The request is too large.')
    try:
        data = strict_json_loads(body.decode('utf-8'))
    except (ValueError, RecursionError):
        raise _json_error(HTTPBadRequest, 'The request body is not JSON.')
    if not isinstance(data, dict):
        raise _json_error(HTTPBadRequest, 'Send a JSON object with "email" and "publicKey".')
    email = data.get('email')
    try:
        check_email(email.strip().lower() if isinstance(email, str) else email)
    except AssertionRejected:
        raise _json_error(HTTPBadRequest, 'Enter a valid email address, such as alice@example.com.')
    public_key = data.get('publicKey')
    try:
        load_public_key(public_key)
    except AssertionRejected:
        raise _json_error(HTTPBadRequest, 'The public key is not a usable BrowserID key.')
    provider = get_identity_provider(request.registry)
    email = email.strip().lower()
    certificate = provider.certify(email, dict(public_key))
    log.info('pyramid_persona: development identity provider certified %s', email)
    return {'certificate': certificate, 'email': email, 'issuer': provider.issuer}


def _refusal(request):
    # Only the site's own pages get certificates: not other sites' pages
    # (Origin), nor a host name rebound to this machine (Host).
    settings = get_settings(request.registry)
    origin = request.headers.get('Origin')
    for value in (request.host_url, origin):
        if value is not None and not settings.audience_matches(value):
            return _json_error(
                HTTPForbidden,
                'This development identity provider only certifies keys for pages of %s.'
                % ', '.join(settings.audiences),
            )
    return None


def certify_method_not_allowed(request):
    """Anything but POST on the certificate endpoint."""
    error = _json_error(HTTPMethodNotAllowed, 'Use POST with a JSON body {"email", "publicKey"}.')
    error.allow = ('POST',)
    return error


def support_document(request):
    """``/.well-known/browserid``."""
    provider = get_identity_provider(request.registry)
    return provider.support_document(
        authentication=request.route_path(SIGN_IN_ROUTE),
        provisioning=request.route_path(PROVISION_ROUTE),
    )


def include_js(request):
    """The ``navigator.id`` script, with this application's URLs."""
    config = {
        'signInUrl': request.route_path(SIGN_IN_ROUTE),
        'certifyUrl': request.route_path(CERTIFY_ROUTE),
    }
    body = '%s(%s);\n' % (request.registry[_ASSETS_KEY]['include.js'], script_json(config))
    return _no_cache(Response(body, content_type='text/javascript', charset='utf-8'))


def sign_in(request):
    """The sign-in dialog."""
    return _page(request, 'sign_in.html')


def provision(request):
    """The provisioning page (a description; see the module's docstring)."""
    return _page(request, 'provision.html')


def _page(request, name):
    template = request.registry[_ASSETS_KEY][name]
    body = template.substitute(
        css=escape(request.static_path('pyramid_persona:static/devidp/dialog.css')),
        script=escape(request.static_path('pyramid_persona:static/devidp/sign_in.js')),
        certify_url=escape(request.route_path(CERTIFY_ROUTE)),
    )
    response = Response(body, content_type='text/html', charset='utf-8')
    # Only this site may frame the dialog.
    response.headers['Content-Security-Policy'] = "frame-ancestors 'self'"
    response.headers['X-Frame-Options'] = 'SAMEORIGIN'
    return _no_cache(response)


def _no_cache(response):
    response.cache_control.no_cache = True
    return response


def _load_assets():
    def read(path):
        return pkgutil.get_data('pyramid_persona', path).decode('utf-8')

    return {
        'include.js': read_script('static/devidp/include.js'),
        'sign_in.html': string.Template(read('templates/devidp/sign_in.html')),
        'provision.html': string.Template(read('templates/devidp/provision.html')),
    }


def _issuer(audiences):
    # The provider is the host of the site's first origin, where
    # /.well-known/browserid is served.
    return urlsplit(audiences[0]).netloc


def includeme(config):
    """Serve the development identity provider when it is switched on."""
    settings = get_settings(config.registry)
    if not settings.dev_idp:
        return
    check_local_audiences(settings.audiences)
    verifier = get_verifier(config.registry)
    if settings.verifier != 'local' or not isinstance(verifier, LocalVerifier):
        raise ConfigurationError(
            'persona.dev_idp = true needs the built-in local verifier, but persona.verifier is %r: '
            'remove persona.verifier (it defaults to "local" with the development identity provider) '
            'or set it to "local"' % settings.verifier
        )
    log.warning(
        'pyramid_persona: the development identity provider is on (persona.dev_idp = true): '
        'ANYONE CAN SIGN IN AS ANYONE, with any email address and no password. '
        'Never use it on a server others can reach.'
    )
    key = load_signing_key(settings.dev_idp_key_file)
    provider = DevelopmentIdentityProvider(_issuer(settings.audiences), key)
    config.registry[DEV_IDP_KEY] = provider
    config.registry[_ASSETS_KEY] = _load_assets()
    verifier.trust_issuer(provider.issuer, provider.support_document())

    routes = (
        (SUPPORT_DOCUMENT_ROUTE, '/.well-known/browserid', support_document, 'GET', 'json'),
        (DEV_IDP_INCLUDE_JS_ROUTE, '/_persona_dev_idp/include.js', include_js, 'GET', None),
        (SIGN_IN_ROUTE, SIGN_IN_PATH, sign_in, 'GET', None),
        (PROVISION_ROUTE, PROVISION_PATH, provision, 'GET', None),
        (CERTIFY_ROUTE, '/_persona_dev_idp/certify', certify, 'POST', 'json'),
    )
    for name, path, view, method, renderer in routes:
        config.add_route(name, path)
        config.add_view(view, route_name=name, request_method=method, renderer=renderer,
                        require_csrf=False, permission=NO_PERMISSION_REQUIRED)
    config.add_view(certify_method_not_allowed, route_name=CERTIFY_ROUTE, require_csrf=False,
                    permission=NO_PERMISSION_REQUIRED)
