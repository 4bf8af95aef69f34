"""The default security policy and session factory.

Both are registered as late defaults: an application that calls
``set_security_policy``, ``set_authentication_policy`` /
``set_authorization_policy`` or ``set_session_factory`` keeps its own.
"""
import hashlib
import hmac

from pyramid.authentication import AuthTktCookieHelper
from pyramid.authorization import ACLHelper, Authenticated, Everyone
from pyramid.exceptions import ConfigurationError
from pyramid.interfaces import PHASE2_CONFIG, IAuthenticationPolicy, ISecurityPolicy, ISessionFactory
from pyramid.session import SignedCookieSessionFactory

from .settings import get_settings

#: The default session expires after this many seconds without a request.
SESSION_TIMEOUT = 1200
#: ...and its cookie is signed again at most this often when it is only
#: read: a tenth of the timeout, Pyramid's own rule of thumb.  Re-signing
#: it on every page (``reissue_time=0``) was most of what showing the login
#: button cost a page.
SESSION_REISSUE_TIME = 120


def derive_secret(secret, purpose):
    """Derive an independent secret for one use from ``persona.secret``."""
    return hmac.new(secret.encode('utf-8'), purpose.encode('ascii'), hashlib.sha512).hexdigest()


class PersonaSecurityPolicy:
    """AuthTkt cookie authentication with ACL authorization.

    The identity is the email address that signed in.  Principals are
    ``Everyone``, and for a signed-in user ``Authenticated`` and the email.
    """

    def __init__(self, secret, secure=False, **cookie_options):
        cookie_options.setdefault('hashalg', 'sha512')
        cookie_options.setdefault('http_only', True)
        cookie_options.setdefault('samesite', 'Lax')
        self.cookie = AuthTktCookieHelper(secret, secure=secure, **cookie_options)
        self.acl = ACLHelper()

    def identity(self, request):
        """The signed-in email address, or ``None``."""
        identity = self.cookie.identify(request)
        return identity['userid'] if identity else None

    def authenticated_userid(self, request):
        """The signed-in email address, or ``None``."""
        return self.identity(request)

    def effective_principals(self, request):
        """The principals the ACL sees for this request."""
        userid = self.authenticated_userid(request)
        if userid is None:
            return [Everyone]
        return [Everyone, Authenticated, userid]

    def permits(self, request, context, permission):
        """Check ``permission`` against the ACL of ``context``."""
        return self.acl.permits(context, self.effective_principals(request), permission)

    def remember(self, request, userid, **kw):
        """Headers that sign ``userid`` in."""
        return self.cookie.remember(request, userid, **kw)

    def forget(self, request, **kw):
        """Headers that sign out."""
        return self.cookie.forget(request)


def _missing_secret(what):
    return ConfigurationError(
        'persona.secret is missing: the default %s of pyramid_persona signs '
        'cookies with it. Set persona.secret to a long random string, or '
        'configure your own %s after config.include("pyramid_persona").' % (what, what)
    )


def includeme(config):
    """Register the default security policy and session factory, unless
    the application configures its own."""
    registry = config.registry
    settings = get_settings(registry)

    def default_security_policy():
        if registry.queryUtility(ISecurityPolicy) is not None:
            return  # set_security_policy, or the legacy policies, won
        if registry.queryUtility(IAuthenticationPolicy) is not None:
            return
        if settings.secret is None:
            raise _missing_secret('security policy')
        policy = PersonaSecurityPolicy(
            derive_secret(settings.secret, 'pyramid_persona.authtkt'),
            secure=settings.secure_cookies,
        )
        registry.registerUtility(policy, ISecurityPolicy)

    def default_session_factory():
        if registry.queryUtility(ISessionFactory) is not None:
            return
        if settings.secret is None:
            raise _missing_secret('session factory')
        factory = SignedCookieSessionFactory(
            derive_secret(settings.secret, 'pyramid_persona.session'),
            httponly=True,
            samesite='Lax',
            secure=settings.secure_cookies,
            timeout=SESSION_TIMEOUT,
            reissue_time=SESSION_REISSUE_TIME,
        )
        registry.registerUtility(factory, ISessionFactory)

    # After PHASE2 (where security policies are set) but before views are
    # derived (PHASE3), so views with permissions see the policy.
    config.action('pyramid_persona.default_security_policy', default_security_policy, order=PHASE2_CONFIG + 1)
    # Session factories are registered at PHASE3 (order 0); come after them.
    config.action('pyramid_persona.default_session_factory', default_session_factory, order=1)
