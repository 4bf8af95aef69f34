"""pyramid_persona 1.6.1 in its own virtualenv, driven as a subprocess."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, '.venv-161')
REQUIREMENTS = ('pyramid==1.10.*', 'pyramid_persona==1.6.1', 'PyBrowserID', 'webtest', 'setuptools<81')


def _python():
    return os.path.join(VENV, 'bin', 'python')


def ensure_venv(log=print):
    """Build ``benchmarks/.venv-161`` unless it exists; return its python."""
    python = _python()
    check = [python, '-c', 'import pyramid_persona, browserid, pyramid; assert pyramid_persona.__file__']
    if os.path.exists(python) and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    log('building %s (pyramid_persona 1.6.1 on Pyramid 1.10)...' % VENV)
    base = getattr(sys, '_base_executable', None) or sys.executable
    subprocess.run([base, '-m', 'venv', VENV], check=True)
    subprocess.run([python, '-m', 'pip', 'install', '--quiet', *REQUIREMENTS], check=True)
    subprocess.run(check, check=True)
    return python


class LegacyRunner:
    """The 1.6.1 side: ``cases`` (name -> None, or a failure) and
    ``ns_per_op(case, seconds)``."""

    def __init__(self, python, fixtures_path, verifier_url=None):
        env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'VIRTUAL_ENV')}
        command = [python, os.path.join(HERE, 'legacy_runner.py'), fixtures_path]
        if verifier_url:
            command.append(verifier_url)
        # cwd=HERE: the repository root (with the new pyramid_persona) must
        # not be importable from the old virtualenv.
        self._process = subprocess.Popen(
            command, cwd=HERE, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.cases = self._read()['cases']

    def _read(self):
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError('the 1.6.1 runner stopped (exit status %s)' % self._process.wait())
        return json.loads(line)

    def ns_per_op(self, case, seconds):
        """Time one round of ``case`` in the 1.6.1 process."""
        self._process.stdin.write(json.dumps({'case': case, 'seconds': seconds}) + '\n')
        self._process.stdin.flush()
        return self._read()['ns']

    def close(self):
        """Stop the runner."""
        self._process.stdin.close()
        self._process.wait(timeout=30)
