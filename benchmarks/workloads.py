"""The workloads, on the current pyramid_persona.

Each ``*_cases`` function returns ``{case name: operation}``; an operation
is a callable doing one unit of work (verify one assertion, serve one
request) and raising if the work fails.  The 1.6.1 runner
(``legacy_runner.py``) builds cases of the same names.
"""
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from pyramid.config import Configurator
from pyramid.csrf import get_csrf_token
from pyramid.response import Response

from pyramid_persona.settings import parse_settings
from pyramid_persona.tokens import parse_bundle
from pyramid_persona.verifier import LocalVerifier, RemoteVerifier

from .common import (
    PAGE_BODY,
    PAGE_END,
    PAGE_HEAD,
    fresh_client,
    login_environ_factory,
    login_operation,
    page_operation,
)


def page_with_persona(request):
    """A page showing the login button."""
    # str.join, as a template would: Markup's + would escape the page's HTML.
    return Response(''.join((PAGE_HEAD, request.persona_head, PAGE_BODY, request.persona_button, PAGE_END)))


def page_without_persona(request):
    """The same page without pyramid_persona's parts."""
    return Response(PAGE_HEAD + PAGE_BODY + PAGE_END)


def page_with_csrf_token(request):
    """The page without the add-on's parts, but with the CSRF token, which
    loads the session (and re-issues its cookie) as persona_js does."""
    return Response(''.join((PAGE_HEAD, PAGE_BODY, get_csrf_token(request), PAGE_END)))


def make_app(settings):
    """The benchmark application: ``/`` and ``/bare``, plus the add-on."""
    with Configurator(settings=settings) as config:
        config.include('pyramid_persona')
        config.add_route('home', '/')
        config.add_view(page_with_persona, route_name='home')
        config.add_route('bare', '/bare')
        config.add_view(page_without_persona, route_name='bare')
        config.add_route('csrf', '/csrf')
        config.add_view(page_with_csrf_token, route_name='csrf')
    return config.make_wsgi_app()


def make_app_without_addon():
    """A bare Pyramid application serving the page without the add-on's
    parts at ``/bare``: what the same page costs when the add-on is not
    included at all."""
    with Configurator() as config:
        config.add_route('bare', '/bare')
        config.add_view(page_without_persona, route_name='bare')
    return config.make_wsgi_app()


def verify_cases(fixtures, settings):
    """``verify:<alg>``: LocalVerifier.verify of one assertion."""
    verifier = LocalVerifier(parse_settings(settings))
    cases = {}
    for algorithm, assertion in fixtures.assertions.items():
        verifier.verify(assertion)  # fails loudly now rather than in the loop

        def verify(assertion=assertion):
            verifier.verify(assertion)

        cases['verify:' + algorithm] = verify
    return cases


def floor_cases(fixtures):
    """``floor:<alg>``: the two bare signature checks of an assertion,
    with ``cryptography`` and keys already loaded."""
    cases = {}
    for algorithm, assertion in fixtures.assertions.items():
        bundle = parse_bundle(assertion)
        issuer_key = fixtures.providers[algorithm].keypair.private_key.public_key()
        user_key = fixtures.user_keys[algorithm].private_key.public_key()
        checks = [
            (issuer_key, bundle.certificates[0]),
            (user_key, bundle.assertion),
        ]
        cases['floor:' + algorithm] = _floor(algorithm, checks)
    return cases


def _floor(algorithm, checks):
    if algorithm.startswith('RS'):
        pkcs1, sha256 = padding.PKCS1v15(), hashes.SHA256()
        prepared = [(key, token.signature, token.signed_data.encode('ascii')) for key, token in checks]

        def check():
            for key, signature, data in prepared:
                key.verify(signature, data, pkcs1, sha256)

        return check
    digest = hashes.SHA1() if algorithm == 'DS128' else hashes.SHA256()
    prepared = [(key, token.signature, token.signed_data) for key, token in checks]

    def check():
        # The signature is r || s; cryptography wants DER.
        for key, signature, data in prepared:
            width = len(signature) // 2
            der = encode_dss_signature(
                int.from_bytes(signature[:width], 'big'), int.from_bytes(signature[width:], 'big')
            )
            key.verify(der, data.encode('ascii'), digest)

    return check


def login_cases(fixtures, settings, algorithms=('RS256', 'DS128')):
    """``login:<alg>``: ``POST /login`` through WSGI, for a fresh client
    (session cookie and CSRF token from one visit) with a valid assertion."""
    app = make_app(settings)
    cases = {}
    for algorithm in algorithms:
        cookie, token = fresh_client(app)
        make_environ = login_environ_factory(cookie, token, fixtures.assertions[algorithm])
        operation = login_operation(app, make_environ)
        operation()
        cases['login:' + algorithm] = operation
    return cases


def page_cases(settings):
    """``page:with`` and ``page:without``: a returning anonymous visitor
    (session cookie set) GETs the page with and without the add-on's parts;
    ``page:csrf-only``: the page without them but with the CSRF token;
    ``page:no-addon``: the page without them, from an application that
    does not include the add-on."""
    app = make_app(settings)
    cookie, _ = fresh_client(app)
    cases = {
        'page:with': page_operation(app, '/', cookie),
        'page:without': page_operation(app, '/bare', cookie),
        'page:csrf-only': page_operation(app, '/csrf', cookie),
        'page:no-addon': page_operation(make_app_without_addon(), '/bare', cookie),
    }
    for operation in cases.values():
        operation()
    return cases


def remote_cases(fixtures, settings, verifier_url):
    """``remote``: RemoteVerifier.verify against the loopback verifier."""
    verifier = RemoteVerifier(parse_settings(dict(settings, **{
        'persona.verifier': 'remote',
        'persona.verifier_url': verifier_url,
    })))
    assertion = fixtures.assertions['RS256']
    verifier.verify(assertion)

    def verify():
        verifier.verify(assertion)

    return {'remote': verify}
