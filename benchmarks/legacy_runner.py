"""The workloads on pyramid_persona 1.6.1 (Pyramid 1.10, PyBrowserID).

Run by ``python -m benchmarks`` with the interpreter of
``benchmarks/.venv-161``, as ``legacy_runner.py FIXTURES VERIFIER_URL``.
It builds the same cases as :mod:`benchmarks.workloads`, prints one JSON
line ``{"cases": {name: null or "fails: reason"}}``, then answers each
request line ``{"case": name, "seconds": s}`` with ``{"ns": ns per op}``.
"""
import json
import sys
import warnings

warnings.simplefilter('ignore')  # pkg_resources and Pyramid 1.10 deprecations

from common import (  # noqa: E402  (runs as a script next to common.py)
    AUDIENCE,
    PAGE_BODY,
    PAGE_END,
    PAGE_HEAD,
    SECRET,
    Clock,
    fresh_client,
    login_environ_factory,
    login_operation,
    page_operation,
)

# What 1.6.1's README puts in a page's <head> besides persona_js.
_LEGACY_HEAD = (
    '<script src="https://ajax.googleapis.com/ajax/libs/jquery/1.7.2/jquery.min.js"></script>'
    '<script src="https://login.persona.org/include.js"></script>'
)


def _local_verifier(documents):
    """PyBrowserID's LocalVerifier trusting the same providers with the
    same (pinned) support documents as the new add-on."""
    from browserid import LocalVerifier
    from browserid.errors import InvalidIssuerError
    from browserid.supportdoc import SupportDocumentManager

    class PinnedSupportDocuments(SupportDocumentManager):
        def fetch_support_document(self, hostname):
            try:
                return documents[hostname]
            except KeyError:
                raise InvalidIssuerError(hostname)

    return LocalVerifier(
        audiences=[AUDIENCE],
        trusted_secondaries=list(documents),
        supportdocs=PinnedSupportDocuments(),
    )


def _page_with_persona(request):
    from pyramid.response import Response

    # str.join, as a template would: Markup's + would escape the page's HTML.
    return Response(''.join((
        PAGE_HEAD, _LEGACY_HEAD, '<script>', request.persona_js, '</script>',
        PAGE_BODY, request.persona_button, PAGE_END,
    )))


def _page_without_persona(request):
    from pyramid.response import Response

    return Response(PAGE_HEAD + PAGE_BODY + PAGE_END)


def _page_with_csrf_token(request):
    from pyramid.response import Response

    return Response(''.join((PAGE_HEAD, PAGE_BODY, request.session.get_csrf_token(), PAGE_END)))


def _make_app(verifier):
    from pyramid.config import Configurator

    config = Configurator(settings={'persona.secret': SECRET, 'persona.audiences': AUDIENCE})
    config.include('pyramid_persona')
    # As persona.verifier would, but with the pinned support documents.
    config.registry['persona.verifier'] = verifier
    config.add_route('home', '/')
    config.add_view(_page_with_persona, route_name='home')
    config.add_route('bare', '/bare')
    config.add_view(_page_without_persona, route_name='bare')
    config.add_route('csrf', '/csrf')
    config.add_view(_page_with_csrf_token, route_name='csrf')
    return config.make_wsgi_app()


def _make_app_without_addon():
    from pyramid.config import Configurator

    config = Configurator()
    config.add_route('bare', '/bare')
    config.add_view(_page_without_persona, route_name='bare')
    return config.make_wsgi_app()


def _try(cases, failures, name, operation):
    try:
        operation()
    except Exception as e:  # a case 1.6.1 cannot do is reported, not fatal
        failures[name] = 'fails: %s: %s' % (type(e).__name__, str(e)[:120])
    else:
        cases[name] = operation


def build_cases(fixtures, verifier_url):
    """``({name: operation}, {name: failure})`` for 1.6.1."""
    from browserid import RemoteVerifier

    verifier = _local_verifier(fixtures['support_documents'])
    cases, failures = {}, {}
    for algorithm, assertion in fixtures['assertions'].items():
        _try(cases, failures, 'verify:' + algorithm, lambda a=assertion: verifier.verify(a))
    app = _make_app(verifier)
    for algorithm in ('RS256', 'DS128'):
        cookie, token = fresh_client(app)
        make_environ = login_environ_factory(cookie, token, fixtures['assertions'][algorithm])
        _try(cases, failures, 'login:' + algorithm, login_operation(app, make_environ))
    cookie, _ = fresh_client(app)
    _try(cases, failures, 'page:with', page_operation(app, '/', cookie))
    _try(cases, failures, 'page:without', page_operation(app, '/bare', cookie))
    _try(cases, failures, 'page:csrf-only', page_operation(app, '/csrf', cookie))
    _try(cases, failures, 'page:no-addon', page_operation(_make_app_without_addon(), '/bare', cookie))
    if verifier_url:
        remote = RemoteVerifier([AUDIENCE], verifier_url=verifier_url)
        assertion = fixtures['assertions']['RS256']
        _try(cases, failures, 'remote', lambda: remote.verify(assertion))
    return cases, failures


def main():
    """Build the cases, then time them on request."""
    with open(sys.argv[1], encoding='utf-8') as f:
        fixtures = json.load(f)
    verifier_url = sys.argv[2] if len(sys.argv) > 2 else None
    cases, failures = build_cases(fixtures, verifier_url)
    status = dict.fromkeys(cases)
    status.update(failures)
    print(json.dumps({'cases': status}), flush=True)
    clocks = {}
    for line in sys.stdin:
        request = json.loads(line)
        clock = clocks.setdefault(request['seconds'], Clock(request['seconds']))
        ns = clock.ns_per_op(request['case'], cases[request['case']])
        print(json.dumps({'ns': ns}), flush=True)


if __name__ == '__main__':
    main()
