import os

from setuptools import find_packages, setup

here = os.path.abspath(os.path.dirname(__file__))
with open(os.path.join(here, 'README.rst'), encoding='utf-8') as f:
    README = f.read()
with open(os.path.join(here, 'CHANGES.rst'), encoding='utf-8') as f:
    CHANGES = f.read()

requires = [
    'pyramid>=2.0',
    'PyBrowserID>=0.14',
    'requests>=2.25',
    'cryptography>=41',
    'markupsafe>=2.0',
]

extras = {
    'redis': ['redis>=4.2'],
    'demo': ['pyramid_mako>=1.1', 'waitress'],
    'testing': [
        'pytest>=7',
        'webtest>=3',
        'hypothesis>=6',
        'redis>=4.2',
        'playwright>=1.40',
        'pyramid_mako>=1.1',
        'pyramid_jinja2>=2.10',
        'pyramid_chameleon>=0.3',
        'waitress',
        'ruff',
    ],
    'docs': ['sphinx>=7.4'],  # the confval directive with :type: and :default:
}

setup(
    name='pyramid_persona',
    version='2.0.0.dev0',
    description='Passwordless, email-based login (BrowserID / Persona) for Pyramid',
    long_description=README + '\n\n' + CHANGES,
    long_description_content_type='text/x-rst',
    classifiers=[
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3.10',
        'Programming Language :: Python :: 3.11',
        'Programming Language :: Python :: 3.12',
        'Programming Language :: Python :: 3.13',
        'Framework :: Pyramid',
        'Topic :: Internet :: WWW/HTTP :: WSGI',
        'Topic :: Security',
    ],
    author='Georges Dubus and the pyramid_persona developers',
    url='https://pypi.org/project/pyramid_persona/',
    keywords='web pyramid pylons authentication persona browserid login',
    license='ISC',
    packages=find_packages(exclude=['tests', 'tests.*', 'demo', 'demo.*', 'benchmarks']),
    include_package_data=True,
    package_data={'pyramid_persona': ['static/*', 'templates/*']},
    zip_safe=False,
    python_requires='>=3.10',
    install_requires=requires,
    extras_require=extras,
)
