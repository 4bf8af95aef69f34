"""Small helpers shared by several modules: encoding, strict JSON, URLs in logs."""
import base64
import json
from urllib.parse import urlsplit, urlunsplit


def b64encode(data):
    """Unpadded base64url, as BrowserID writes it."""
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


def _refuse_json_constant(name):
    raise ValueError('%s is not a JSON number' % name)


#: A JSON decoder that refuses NaN and Infinity (not JSON, though Python's
#: decoder reads them).  Made once: ``json.loads`` builds a decoder per call
#: when given ``parse_constant``.
STRICT_JSON = json.JSONDecoder(parse_constant=_refuse_json_constant)


def strict_json_loads(text):
    """Decode JSON text without NaN or Infinity; raise ``ValueError``
    (or ``RecursionError`` for absurd nesting) otherwise."""
    return STRICT_JSON.decode(text)


def redact_url(url):
    """``url`` with any user name and password replaced by ``***``, for logs
    and error messages."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    netloc = '***@' + parts.netloc.rsplit('@', 1)[1]
    return urlunsplit(parts._replace(netloc=netloc))
