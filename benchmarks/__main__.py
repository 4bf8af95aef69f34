"""``python -m benchmarks`` (``make bench``): measure pyramid_persona.

Runs every workload on this checkout and, in the same run, on
pyramid_persona 1.6.1 (``benchmarks/.venv-161``, built on first use),
alternating rounds between the two, and prints medians and ratios as
reStructuredText tables (the format of ``docs/performance.rst``).

Options: ``--quick`` (a fast smoke run), ``--new-only`` (skip 1.6.1),
``--rounds N``, ``--seconds S`` (per round and case), ``--no-threads``,
``--json FILE`` (raw per-round numbers).
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

from . import workloads
from .common import Clock
from .fixtures import ALGORITHMS, Fixtures
from .report import report

HERE = os.path.dirname(os.path.abspath(__file__))


def _parse_args(argv):
    parser = argparse.ArgumentParser(prog='python -m benchmarks', description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true', help='few, short rounds: proves the harness runs')
    parser.add_argument('--new-only', action='store_true', help='do not measure pyramid_persona 1.6.1')
    parser.add_argument('--rounds', type=int, help='rounds per case (default 25, quick 2)')
    parser.add_argument('--seconds', type=float, help='seconds per round and case (default 0.1)')
    parser.add_argument('--no-threads', action='store_true', help='skip the waitress 1 vs 4 threads run')
    parser.add_argument('--json', metavar='FILE', help='also write the raw numbers to FILE')
    args = parser.parse_args(argv)
    if args.rounds is None:
        args.rounds = 2 if args.quick else 25
    if args.seconds is None:
        args.seconds = 0.02 if args.quick else 0.1
    return args


class _LoopbackVerifier:
    """The loopback verifier service, in its own process."""

    def __init__(self):
        self._process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, 'loopback_verifier.py')],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.url = 'http://127.0.0.1:%d/verify' % int(self._process.stdout.readline())

    def close(self):
        self._process.stdin.close()
        self._process.wait(timeout=30)


def _new_cases(fixtures, settings, verifier_url):
    cases = {}
    cases.update(workloads.verify_cases(fixtures, settings))
    cases.update(workloads.floor_cases(fixtures))
    cases.update(workloads.login_cases(fixtures, settings))
    cases.update(workloads.page_cases(settings))
    cases.update(workloads.remote_cases(fixtures, settings, verifier_url))
    return cases


def _measure(cases, legacy, args, log):
    """Alternate rounds: each round times every case on both sides,
    the side going first swapping from one round to the next.  Many short
    rounds spread what else the machine is doing over every case."""
    clock = Clock(args.seconds)
    results = {name: {'new': [], 'old': []} for name in cases}
    legacy_cases = [n for n, failure in (legacy.cases.items() if legacy else ()) if failure is None]
    for name in legacy_cases:
        results.setdefault(name, {'new': [], 'old': []})
    for round_number in range(args.rounds):
        log('round %d/%d' % (round_number + 1, args.rounds))
        for name in results:
            sides = ['new', 'old'] if round_number % 2 == 0 else ['old', 'new']
            for side in sides:
                if side == 'new' and name in cases:
                    results[name]['new'].append(clock.ns_per_op(name, cases[name]))
                elif side == 'old' and name in legacy_cases:
                    results[name]['old'].append(legacy.ns_per_op(name, args.seconds))
    return results


def _threads(fixtures, settings, tmp, args, log):
    """``{algorithm: {threads: logins/s}}`` under waitress, 1 vs 4 threads."""
    from .threads import logins_per_second

    path = os.path.join(tmp, 'settings.json')
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(settings, f)
    seconds = 0.5 if args.quick else 4.0
    rounds = 1 if args.quick else 3
    results = {}
    for algorithm in ('RS256', 'DS128'):
        throughput = {1: [], 4: []}
        for round_number in range(rounds):
            for threads in (1, 4) if round_number % 2 == 0 else (4, 1):
                log('waitress, %s, %d thread(s), round %d' % (algorithm, threads, round_number + 1))
                rate = logins_per_second(path, fixtures.assertions[algorithm], threads, seconds)
                throughput[threads].append(rate)
        results[algorithm] = {threads: statistics.median(values) for threads, values in throughput.items()}
    return results


def run(argv=None, log=None):
    """Run the benchmarks; return the report (text)."""
    args = _parse_args(argv)
    log = log or (lambda message: print(message, file=sys.stderr, flush=True))
    legacy_python = None
    if not args.new_only:
        from .legacy import ensure_venv

        legacy_python = ensure_venv(log)
    log('making keys and assertions (%s)' % ', '.join(ALGORITHMS))
    fixtures = Fixtures()
    with tempfile.TemporaryDirectory() as tmp:
        documents, shared = fixtures.write(tmp)
        settings = fixtures.settings(documents)
        verifier = _LoopbackVerifier()
        legacy = None
        try:
            cases = _new_cases(fixtures, settings, verifier.url)
            if legacy_python:
                from .legacy import LegacyRunner

                legacy = LegacyRunner(legacy_python, shared, verifier.url)
            results = _measure(cases, legacy, args, log)
        finally:
            if legacy is not None:
                legacy.close()
            verifier.close()
        threads = None if args.no_threads else _threads(fixtures, settings, tmp, args, log)
    failures = {n: f for n, f in (legacy.cases.items() if legacy else ()) if f is not None}
    meta = {
        'command': 'python -m benchmarks ' + ' '.join(argv if argv is not None else sys.argv[1:]),
        'python': platform.python_version(),
        'machine': '%s, %d CPU(s)' % (platform.machine(), os.cpu_count() or 0),
        'rounds': args.rounds,
        'seconds': args.seconds,
    }
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            raw = {'meta': meta, 'results': results, 'failures': failures, 'threads': threads}
            json.dump(raw, f, indent=1)
    return report(results, failures, threads, meta, compare=legacy is not None)


def main(argv=None):
    """Entry point of ``python -m benchmarks``."""
    print(run(argv))


if __name__ == '__main__':
    main()
