"""Turn per-round timings into reStructuredText tables with the targets."""
import statistics

from .fixtures import ALGORITHMS

#: The issue's targets.
FLOOR_RATIO = 1.3
LOGIN_SPEEDUP = {'RS256': 3.5, 'DS128': 8.0}
PAGE_COST_OF_LEGACY = 1 / 3
PAGE_COST_OF_BARE = 1 / 4


def _median(values):
    return statistics.median(values) if values else None


def _us(ns):
    return '—' if ns is None else '%.1f' % (ns / 1000)


def _met(ok):
    return 'met' if ok else 'NOT met'


def _table(header, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    rule = '  '.join('=' * w for w in widths)
    lines = [rule, '  '.join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)), rule]
    lines += ['  '.join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.append(rule)
    return '\n'.join(lines)


def _section(title, body):
    return '%s\n%s\n\n%s\n' % (title, '-' * len(title), body)


def _verification(results, failures, compare):
    header = ['algorithm', 'floor µs', 'verify µs', 'verify / floor', '≤ %.1fx' % FLOOR_RATIO]
    if compare:
        header += ['1.6.1 µs', '1.6.1 / new']
    rows = []
    for algorithm in ALGORITHMS:
        floor = _median(results.get('floor:' + algorithm, {}).get('new'))
        entry = results.get('verify:' + algorithm, {})
        new, old = _median(entry.get('new')), _median(entry.get('old'))
        ratio = new / floor
        row = [algorithm, _us(floor), _us(new), '%.2f' % ratio, _met(ratio <= FLOOR_RATIO)]
        if compare:
            failure = failures.get('verify:' + algorithm)
            row += ['fails' if failure else _us(old), '—' if failure else '%.1fx' % (old / new)]
        rows.append(row)
    eddsa = ['EdDSA', '—', 'not supported', '', 'BrowserID defines RS and DS only']
    rows.append(eddsa + ([''] * 2 if compare else []))
    return _table(header, rows)


def _login(results, failures, compare):
    header = ['algorithm', 'new µs', 'new logins/s']
    if compare:
        header += ['1.6.1 µs', '1.6.1 logins/s', 'speed-up', 'target']
    rows = []
    for algorithm in LOGIN_SPEEDUP:
        entry = results.get('login:' + algorithm, {})
        new, old = _median(entry.get('new')), _median(entry.get('old'))
        row = [algorithm, _us(new), '%.0f' % (1e9 / new)]
        if compare:
            if old is None:
                row += ['fails', '—', '—', '≥ %.1fx' % LOGIN_SPEEDUP[algorithm]]
            else:
                speedup = old / new
                row += [_us(old), '%.0f' % (1e9 / old), '%.2fx' % speedup,
                        '≥ %.1fx: %s' % (LOGIN_SPEEDUP[algorithm], _met(speedup >= LOGIN_SPEEDUP[algorithm]))]
        rows.append(row)
    return _table(header, rows)


def _page_cost(entry_with, entry_without, side):
    """Median over rounds of (page with the add-on - page without)."""
    pairs = zip(entry_with.get(side, ()), entry_without.get(side, ()), strict=False)
    return _median([w - wo for w, wo in pairs])


def _page(results, compare):
    with_, without = results.get('page:with', {}), results.get('page:without', {})
    no_addon = results.get('page:no-addon', {})
    new_cost = _page_cost(with_, without, 'new')
    # A bare Pyramid request: the page of an application without the add-on.
    bare = _median(no_addon.get('new') or without.get('new'))
    header = ['', 'page with µs', 'page without µs', 'add-on cost µs']
    rows = [['new', _us(_median(with_.get('new'))), _us(_median(without.get('new'))), _us(new_cost)]]
    verdicts = ['Add-on cost / bare request (%s µs): %.2f (ideally < %.2f: %s).' % (
        _us(bare), new_cost / bare, PAGE_COST_OF_BARE, _met(new_cost / bare < PAGE_COST_OF_BARE))]
    if no_addon.get('new'):
        fixed = 'Every request of an application that includes the add-on, shown the button or not, ' \
            'against the same page of an application without it: new +%s µs' % _us(
                _page_cost(without, no_addon, 'new'))
        if compare and no_addon.get('old'):
            fixed += ', 1.6.1 +%s µs' % _us(_page_cost(without, no_addon, 'old'))
        verdicts.append(fixed + '.')
    csrf_only = results.get('page:csrf-only', {})
    if csrf_only.get('new'):
        session_cost = _page_cost(csrf_only, without, 'new')
        verdicts.append(
            'Of the add-on cost, the CSRF token alone (loading the session) '
            'is %s µs (%.0f%%).' % (_us(session_cost), 100 * session_cost / new_cost))
        if compare and csrf_only.get('old') and with_.get('old'):
            own_new = _page_cost(with_, csrf_only, 'new')
            own_old = _page_cost(with_, csrf_only, 'old')
            verdicts.append(
                'Without the session (page with the add-on - page with the CSRF token only): '
                'new %s µs, 1.6.1 %s µs, new / 1.6.1: %.2f.'
                % (_us(own_new), _us(own_old), own_new / own_old)
            )
    if compare and with_.get('old'):
        old_cost = _page_cost(with_, without, 'old')
        rows.append(['1.6.1', _us(_median(with_['old'])), _us(_median(without.get('old'))), _us(old_cost)])
        verdicts.insert(0, 'Add-on cost, new / 1.6.1: %.2f (target ≤ %.2f: %s).' % (
            new_cost / old_cost, PAGE_COST_OF_LEGACY, _met(new_cost / old_cost <= PAGE_COST_OF_LEGACY)))
    return _table(header, rows) + '\n\n' + '\n'.join(verdicts)


def _remote(results, compare):
    entry = results.get('remote', {})
    new, old = _median(entry.get('new')), _median(entry.get('old'))
    header = ['', 'µs per verification', 'verifications/s']
    rows = [['new (one pooled session)', _us(new), '%.0f' % (1e9 / new)]]
    if compare and old:
        rows.append(['1.6.1 (a connection per login)', _us(old), '%.0f' % (1e9 / old)])
        return _table(header, rows) + '\n\nSpeed-up: %.2fx.' % (old / new)
    return _table(header, rows)


def _threads(threads):
    header = ['algorithm', '1 thread logins/s', '4 threads logins/s', '4 threads / 1 thread']
    rows = [
        [algorithm, '%.0f' % rates[1], '%.0f' % rates[4], '%.2fx' % (rates[4] / rates[1])]
        for algorithm, rates in threads.items()
    ]
    return _table(header, rows)


def report(results, failures, threads, meta, compare=True):
    """The whole report, as reStructuredText."""
    parts = [
        'Command: ``%s``; Python %s; %s; %d rounds of %.2f s per case, medians.\n' % (
            meta['command'].strip(), meta['python'], meta['machine'], meta['rounds'], meta['seconds']),
        _section('Local verification (per assertion)', _verification(results, failures, compare)),
        _section('POST /login through WSGI', _login(results, failures, compare)),
        _section('Per-page cost (persona_head + persona_button)', _page(results, compare)),
        _section('Remote verification (loopback verifier)', _remote(results, compare)),
    ]
    if threads:
        parts.append(_section('Login throughput under waitress (loopback)', _threads(threads)))
    if failures:
        parts.append(_section('1.6.1 failures', '\n'.join(
            '- ``%s``: %s' % (name, failure) for name, failure in sorted(failures.items()))))
    return '\n'.join(parts)
