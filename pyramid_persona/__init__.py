"""pyramid_persona: passwordless, email-based login (BrowserID) for Pyramid.

``config.include('pyramid_persona')`` with ``persona.secret`` and
``persona.audiences`` set gives a site a login button, login and logout
views and a forbidden page that offers to sign in.
"""


def includeme(config):
    """Wire pyramid_persona into a Pyramid application."""
    config.include('.settings')  # persona.* -> registry['persona.settings']
    config.include('.security')  # default security policy and session factory
    config.include('.verifier')  # registry['persona.verifier']
    config.include('.replay')  # registry['persona.replay_cache']
    config.include('.rendering')  # persona_js, persona_button, persona_head, assets
    config.include('.views')  # login, logout and forbidden views
    config.include('.devidp')  # the development identity provider, when asked for
