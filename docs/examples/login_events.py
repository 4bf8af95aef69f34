"""Extra work at login and logout without writing views: subscribers."""
import logging

from pyramid.config import Configurator
from pyramid.events import subscriber

from pyramid_persona.events import PersonaLogin, PersonaLogout

log = logging.getLogger(__name__)

BANNED = {'mallory@example.com'}
KNOWN_USERS = set()  # your user database


@subscriber(PersonaLogin)
def check_user(event):
    if event.email in BANNED:
        # The login view answers a JSON 403 with this sentence.
        event.refuse('This address may not sign in here.')
    elif event.email not in KNOWN_USERS:
        KNOWN_USERS.add(event.email)
        event.redirect = event.request.route_path('welcome')


@subscriber(PersonaLogout)
def log_logout(event):
    log.info('%s signed out', event.userid)


def main(global_config, **settings):
    with Configurator(settings=settings) as config:
        config.include('pyramid_persona')
        config.add_route('welcome', '/welcome')
        config.add_view(lambda request: 'Welcome!', route_name='welcome',
                        renderer='string')
        config.scan()
    return config.make_wsgi_app()
