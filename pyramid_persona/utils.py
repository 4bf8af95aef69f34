"""Small helpers shared by several modules: encoding, the package's
scripts, strict JSON, URLs in logs."""
import base64
import json
import pkgutil
from urllib.parse import urlsplit, urlunsplit


def b64encode(data):
    """Unpadded base64url, as BrowserID writes it."""
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


def encode_json(value):
    """JSON, then unpadded base64url, as in a JWT."""
    return b64encode(json.dumps(value, separators=(',', ':')).encode('utf-8'))


def read_script(path):
    """The text of the package's script at ``path``, without its leading
    ``/* ... */`` comment (which is for the add-on's developers)."""
    source = pkgutil.get_data('pyramid_persona', path).decode('utf-8')
    if source.startswith('/*'):
        source = source[source.index('*/') + 2:]
    return source.strip()


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
