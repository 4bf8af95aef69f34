"""Sphinx configuration of the pyramid_persona documentation.

``make docs`` builds it with warnings as errors.  Nothing here downloads
anything at build time (no intersphinx inventories).
"""
import datetime
import os
import sys
from importlib.metadata import PackageNotFoundError, version

# Autodoc imports the package: from the checkout, installed or not.
sys.path.insert(0, os.path.abspath('..'))

project = 'pyramid_persona'
author = 'Georges Dubus and the pyramid_persona developers'
copyright = '2012-%d, %s' % (datetime.date.today().year, author)
try:
    release = version('pyramid_persona')
except PackageNotFoundError:  # building from a checkout that is not installed
    release = 'unknown'
version = '.'.join(release.split('.')[:2])

extensions = [
    'sphinx.ext.autodoc',
    'sphinx.ext.viewcode',
]

master_doc = 'index'
exclude_patterns = ['_build', 'examples']
templates_path = []
pygments_style = 'sphinx'

# Autodoc: the source order reads like the modules; type hints stay in the
# signatures, where the reader expects them.
autodoc_member_order = 'bysource'
autodoc_default_options = {'show-inheritance': False}

html_theme = 'alabaster'
html_theme_options = {
    'description': 'Passwordless, email-based login for Pyramid',
    'fixed_sidebar': True,
    'show_relbars': True,
}
html_title = 'pyramid_persona %s' % release
html_static_path = []
html_show_sourcelink = False
