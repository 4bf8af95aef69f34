"""Small encoding helpers shared by several modules."""
import base64


def b64encode(data):
    """Unpadded base64url, as BrowserID writes it."""
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')
