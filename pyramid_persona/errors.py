"""Exceptions raised while verifying an assertion.

Their message is one sentence that can be shown to the person signing in.
"""


class VerificationError(Exception):
    """Base class: the login could not be verified."""

    status_code = 400


class AssertionRejected(VerificationError):
    """The assertion is invalid: malformed, expired, forged or not for us.

    The login view answers it with HTTP 400.
    """

    status_code = 400


class VerifierUnavailable(VerificationError):
    """The verifier (or an identity provider's support document) could not
    be reached or answered nonsense.  The login view answers HTTP 503."""

    status_code = 503
