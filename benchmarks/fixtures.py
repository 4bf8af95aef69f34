"""Identity providers, support documents and assertions for the benchmarks.

Made once per run with real keys (:mod:`pyramid_persona.testing`) and
shared with the 1.6.1 runner as JSON, so both sides verify the very same
assertions against the very same support documents.
"""
import json
import os

from pyramid_persona.testing import IdentityProvider, make_keypair, now_ms

from .common import AUDIENCE, EMAIL, SECRET

#: The algorithms measured, with the identity provider's host for each.
ALGORITHMS = ('RS256', 'RS128', 'DS128', 'DS256')

#: Assertions stay valid this long, so a run never outlives them.
VALIDITY_MS = 6 * 3600 * 1000


class Fixtures:
    """One identity provider and one assertion per algorithm.

    The user's key uses the same algorithm as the provider's, so an
    assertion costs two signature checks of that algorithm.
    """

    def __init__(self, algorithms=ALGORITHMS):
        expires = now_ms() + VALIDITY_MS
        self.providers = {}
        self.user_keys = {}
        self.assertions = {}
        for algorithm in algorithms:
            idp = IdentityProvider('%s.idp.example' % algorithm.lower(), algorithm=algorithm)
            user_key = make_keypair(algorithm)
            self.providers[algorithm] = idp
            self.user_keys[algorithm] = user_key
            self.assertions[algorithm] = idp.assertion(
                EMAIL, AUDIENCE, user_key=user_key, expires=expires, certificate_expires=expires
            )

    @property
    def support_documents(self):
        """``{hostname: support document}`` of every provider."""
        return {idp.hostname: idp.support_document for idp in self.providers.values()}

    def write(self, directory):
        """Write the support documents and the shared JSON; return the
        paths ``(support documents, fixtures)``."""
        documents = os.path.join(directory, 'support-documents.json')
        with open(documents, 'w', encoding='utf-8') as f:
            json.dump(self.support_documents, f)
        shared = os.path.join(directory, 'fixtures.json')
        with open(shared, 'w', encoding='utf-8') as f:
            json.dump(
                {
                    'support_documents': self.support_documents,
                    'assertions': self.assertions,
                },
                f,
            )
        return documents, shared

    def settings(self, support_documents_path, **overrides):
        """Settings of an application whose local verifier trusts every
        provider, with the replay cache off (assertions are reused)."""
        values = {
            'persona.secret': SECRET,
            'persona.audiences': AUDIENCE,
            'persona.verifier': 'local',
            'persona.trusted_issuers': ' '.join(sorted(self.support_documents)),
            'persona.support_documents': support_documents_path,
            'persona.fetch_support_documents': 'false',
            'persona.include_js_url': 'https://idp.example/include.js',
            'persona.replay_cache': 'none',
        }
        values.update(overrides)
        return values
