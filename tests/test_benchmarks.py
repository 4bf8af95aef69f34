"""The benchmark harness runs (``make bench`` itself is not part of the tests).

Quickest mode, on this checkout only: no 1.6.1 virtualenv is built.  The
numbers are not checked; speed is shown by ``make bench``, not by tests.
"""
from benchmarks.__main__ import run


def test_the_benchmark_harness_runs_and_reports_every_workload():
    messages = []
    text = run(['--quick', '--new-only', '--rounds', '1'], log=messages.append)
    for title in (
        'Local verification',
        'POST /login through WSGI',
        'Per-page cost',
        'Remote verification',
        'Login throughput under waitress',
    ):
        assert title in text
    for algorithm in ('RS256', 'RS128', 'DS128', 'DS256'):
        assert algorithm in text
    assert '1.6.1' not in text.split('Command:', 1)[1].split('\n', 1)[1]
    assert messages
