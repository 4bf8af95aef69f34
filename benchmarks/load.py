"""Load test: the demo app under waitress, concurrent valid and invalid logins.

Runs the demo (development identity provider, local verifier, in-memory
replay cache) in waitress with several threads on 127.0.0.1, and sends
logins from several client threads: valid ones, and invalid ones (forged
signatures, expired, for another site, replayed, garbage, and the demo's
refused address).  Every flow uses its own cookies and ends by asking the
site who is signed in.

It passes when no answer is a 5xx and every flow ends signed in as the
email it proved (valid) or anonymous (invalid).  It prints throughput and
latency percentiles of the login requests, and exits non-zero on failure::

    python -m benchmarks.load                    # make load: 300 logins
    python -m benchmarks.load --logins 2000 --clients 16 --server-threads 8

The assertions are made before timing starts; the run stops after
``--logins`` logins or ``--max-seconds``, whichever comes first.
"""
import argparse
import concurrent.futures
import json
import logging
import re
import sys
import threading
import time

import requests
import waitress

from pyramid_persona.devidp import get_identity_provider
from pyramid_persona.testing import make_keypair, now_ms, sign_jwt, tamper

DENIED_EMAIL = 'denied@example.com'  # the demo refuses it (403)
_CSRF = re.compile(r'"csrfToken": ("[^"]*")')
_INVALID_KINDS = ('forged', 'expired', 'other-site', 'replayed', 'garbage', 'denied')


def _parse_args(argv):
    parser = argparse.ArgumentParser(prog='python -m benchmarks.load', description=__doc__.split('\n')[0])
    parser.add_argument('--logins', type=int, default=300, help='logins to send (default 300)')
    parser.add_argument('--invalid-share', type=float, default=0.4, help='share of invalid logins (0.4)')
    parser.add_argument('--clients', type=int, default=8, help='concurrent client threads (8)')
    parser.add_argument('--server-threads', type=int, default=4, help='waitress threads (4)')
    parser.add_argument('--max-seconds', type=float, default=60.0, help='stop sending after this (60)')
    parser.add_argument('--timeout', type=float, default=10.0, help='client timeout per request (10)')
    return parser.parse_args(argv)


class _Server:
    """The demo app in waitress on a free 127.0.0.1 port."""

    def __init__(self, threads):
        self._app = None
        self._server = waitress.create_server(self._dispatch, host='127.0.0.1', port=0, threads=threads,
                                              channel_timeout=30)
        self.url = 'http://127.0.0.1:%s' % self._server.effective_port
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def _dispatch(self, environ, start_response):
        return self._app(environ, start_response)

    def start(self, app):
        self._app = app
        self._thread.start()

    def stop(self):
        self._server.close()


def build_demo(audience):
    """The demo app (as ``make demo`` serves it) for ``audience``."""
    from demo import main

    return main({}, **{
        'persona.secret': 'load-test-secret-load-test-secret-0123456789',
        'persona.audiences': audience,
        'persona.dev_idp': 'true',
        'persona.siteName': 'load test',
    })


class _Flow:
    """One login attempt: its kind, email, assertion, and what it must end as."""

    __slots__ = ('kind', 'email', 'assertion', 'expect_email')

    def __init__(self, kind, email, assertion, expect_email):
        self.kind = kind
        self.email = email
        self.assertion = assertion
        self.expect_email = expect_email


def make_flows(app, audience, count, invalid_share):
    """Pre-generate ``count`` flows, valid and invalid interleaved; also
    return the assertions to use once before timing (for replays)."""
    provider = get_identity_provider(app.registry)
    user_keys = [make_keypair('RS256') for _ in range(4)]

    def assertion(email, i, aud=audience, expires=None):
        key = user_keys[i % len(user_keys)]
        certificate = provider.certify(email, key.public_key)
        # Unique expiries: two assertions by one key for one audience and
        # expiry would be the same signed bytes, hence replays.
        payload = {'exp': expires or base_expiry + i, 'aud': aud}
        return certificate + '~' + sign_jwt(payload, key)

    base_expiry = now_ms() + 10 * 60 * 1000
    flows, warm_up = [], []
    invalid = 0
    for i in range(count):
        email = 'user%d@example.com' % i
        if int((i + 1) * invalid_share) > int(i * invalid_share):  # spread evenly
            kind = _INVALID_KINDS[invalid % len(_INVALID_KINDS)]
            invalid += 1
            if kind == 'forged':
                text = tamper(assertion(email, i), 'certificate-payload')
            elif kind == 'expired':
                text = assertion(email, i, expires=now_ms() - 60_000)
            elif kind == 'other-site':
                text = assertion(email, i, aud='http://attacker.example')
            elif kind == 'replayed':
                text = assertion(email, i)
                warm_up.append(_Flow('valid', email, text, email))
            elif kind == 'garbage':
                text = assertion(email, i)[:-20] + '~~..'
            else:
                email = DENIED_EMAIL
                text = assertion(email, i)
            flows.append(_Flow(kind, email, text, None))
        else:
            flows.append(_Flow('valid', email, assertion(email, i), email))
    return flows, warm_up


class _Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = []
        self.statuses = {}
        self.failures = []
        self.done = 0

    def record(self, status, latency):
        with self.lock:
            self.latencies.append(latency)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def fail(self, message):
        with self.lock:
            self.failures.append(message)


def run_flow(http, base, flow, results, timeout):
    """Sign in with ``flow``'s assertion, then check who the site says we are."""
    http.cookies.clear()
    page = http.get(base + '/', timeout=timeout)
    if page.status_code >= 500:
        results.fail('GET / answered %d' % page.status_code)
        return
    token = json.loads(_CSRF.search(page.text).group(1))
    started = time.perf_counter()
    answer = http.post(base + '/login', data={'assertion': flow.assertion, 'csrf_token': token},
                       timeout=timeout)
    results.record(answer.status_code, time.perf_counter() - started)
    if answer.status_code >= 500:
        results.fail('%s login of %s answered %d' % (flow.kind, flow.email, answer.status_code))
        return
    expected_status = 200 if flow.expect_email else (403 if flow.kind == 'denied' else 400)
    if answer.status_code != expected_status:
        results.fail('%s login of %s answered %d, not %d: %.200s'
                     % (flow.kind, flow.email, answer.status_code, expected_status, answer.text))
    restricted = http.get(base + '/restricted', timeout=timeout, headers={'Accept': 'text/html'})
    if restricted.status_code >= 500:
        results.fail('GET /restricted answered %d' % restricted.status_code)
    elif flow.expect_email:
        greeting = 'Hello %s!' % flow.expect_email
        if restricted.status_code != 200 or greeting not in restricted.text:
            results.fail('valid login of %s did not end signed in as %s' % (flow.email, flow.expect_email))
    elif restricted.status_code != 403:
        results.fail('%s login of %s ended signed in' % (flow.kind, flow.email))


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(args):
    """Run the load test; return the process exit status."""
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger('pyramid_persona').setLevel(logging.ERROR)  # refusals are expected
    logging.getLogger('waitress.queue').setLevel(logging.ERROR)  # a queue is what load makes
    server = _Server(args.server_threads)
    app = build_demo(server.url)
    server.start(app)
    try:
        print('Preparing %d logins...' % args.logins, flush=True)
        flows, warm_up = make_flows(app, server.url, args.logins, args.invalid_share)
        results = _Results()
        local = threading.local()

        def client():
            if not hasattr(local, 'http'):
                local.http = requests.Session()
            return local.http

        for flow in warm_up:  # the replayed assertions are used once, untimed
            run_flow(client(), server.url, flow, results, args.timeout)
        if results.failures:
            print('Warm-up failed: %s' % results.failures[0])
            return 1
        results = _Results()

        deadline = time.monotonic() + args.max_seconds
        started = time.perf_counter()
        sent = 0

        def task(flow):
            if time.monotonic() > deadline:
                return False
            try:
                run_flow(client(), server.url, flow, results, args.timeout)
            except requests.RequestException as e:
                results.fail('%s login of %s: %s' % (flow.kind, flow.email, e))
            return True

        with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
            sent = sum(pool.map(task, flows))
        elapsed = time.perf_counter() - started
    finally:
        server.stop()

    return _report(args, results, sent, elapsed)


def _report(args, results, sent, elapsed):
    ms = [v * 1000 for v in results.latencies]
    print('Logins: %d of %d sent in %.1f s with %d clients, %d server threads'
          % (sent, args.logins, elapsed, args.clients, args.server_threads))
    if sent < args.logins:
        print('Stopped at --max-seconds %.0f' % args.max_seconds)
    print('Statuses: %s' % ', '.join('%s: %d' % kv for kv in sorted(results.statuses.items())))
    if ms:
        print('Throughput: %.1f logins/s (each: a page, the login, a check of who is signed in)'
              % (len(ms) / elapsed))
        print('Login latency: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms'
              % (_percentile(ms, 0.50), _percentile(ms, 0.95), _percentile(ms, 0.99), max(ms)))
    server_errors = sum(n for status, n in results.statuses.items() if status >= 500)
    print('5xx answers: %d; failures: %d' % (server_errors, len(results.failures)))
    for failure in results.failures[:20]:
        print('  FAIL: %s' % failure)
    if server_errors or results.failures:
        print('LOAD TEST FAILED')
        return 1
    print('OK: no 5xx, every session ended as the email it proved or anonymous')
    return 0


def main(argv=None):
    """Command line entry point."""
    return run(_parse_args(sys.argv[1:] if argv is None else argv))


if __name__ == '__main__':
    sys.exit(main())
