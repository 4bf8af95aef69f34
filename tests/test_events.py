"""The login and logout events (their use through the views is in test_views)."""
from pyramid import testing

from pyramid_persona.events import PersonaLogin, PersonaLogout


def test_login_event_is_not_refused_until_a_subscriber_says_so():
    event = PersonaLogin(testing.DummyRequest(), 'a@example.com', {'status': 'okay'}, '/')
    assert not event.refused
    event.refuse('Not today.')
    assert event.refused and event.refusal == 'Not today.'


def test_logout_event_carries_the_user_and_redirect():
    event = PersonaLogout(testing.DummyRequest(), 'a@example.com', '/bye')
    assert (event.userid, event.redirect) == ('a@example.com', '/bye')
