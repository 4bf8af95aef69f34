"""Benchmarks of pyramid_persona, against pyramid_persona 1.6.1.

``make bench`` (``python -m benchmarks``) runs them; ``--quick`` makes a
fast smoke run.  Results of one run are in ``docs/performance.rst``.
"""
