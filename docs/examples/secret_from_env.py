"""Keep the secret out of the ini file: read it from the environment."""
import os

from pyramid.config import Configurator


def main(global_config, **settings):
    settings['persona.secret'] = os.environ['MYAPP_PERSONA_SECRET']
    with Configurator(settings=settings) as config:
        config.include('pyramid_persona')
    return config.make_wsgi_app()
