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

# Autodoc: the source order reads like the modules.
autodoc_member_order = 'bysource'

html_theme = 'alabaster'
html_theme_options = {
    'description': 'Passwordless, email-based login for Pyramid',
    'fixed_sidebar': True,
    'show_relbars': True,
    'page_width': '1160px',
    'sidebar_width': '250px',
}
html_title = 'pyramid_persona %s' % release
html_static_path = []
html_show_sourcelink = False
