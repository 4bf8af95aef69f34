"""Events notified by the login and logout views.

Subscribe to them to do extra work at login without writing your own
view: refuse an address (:meth:`PersonaLogin.refuse`), send first-time
users to a welcome page (``event.redirect``).  The documentation's
customization page has a complete, tested example
(``docs/examples/login_events.py``).
"""


class PersonaLogin:
    """Notified after an assertion was verified, before the user is
    remembered.

    ``request``, ``email``, ``verification`` (the verifier's answer, a dict)
    and ``redirect`` (where the browser goes next; a subscriber may change
    it).  Call :meth:`refuse` to stop the login.
    """

    def __init__(self, request, email, verification, redirect):
        self.request = request
        self.email = email
        self.verification = verification
        self.redirect = redirect
        self.refusal = None

    def refuse(self, reason):
        """Refuse this login; ``reason`` is shown to the user."""
        self.refusal = str(reason)

    @property
    def refused(self):
        """Whether a subscriber refused the login."""
        return self.refusal is not None


class PersonaLogout:
    """Notified when a user signs out, before the cookies are dropped.

    ``request``, ``userid`` (the email that was signed in, or ``None``) and
    ``redirect`` (a subscriber may change it).
    """

    def __init__(self, request, userid, redirect):
        self.request = request
        self.userid = userid
        self.redirect = redirect
