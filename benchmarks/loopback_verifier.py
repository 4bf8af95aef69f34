"""A verifier service on 127.0.0.1 that approves every assertion.

Run as a script (standard library only); it prints its port, then serves
until its standard input closes.  It accepts JSON (the new add-on) and
form-encoded (PyBrowserID's RemoteVerifier) requests, keeps connections
alive, and answers ``{"status": "okay", "email", "audience", ...}``.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

EMAIL = 'alice@example.com'


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    disable_nagle_algorithm = True  # as a real service would; else 40 ms delayed ACKs

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        if self.headers.get('Content-Type', '').startswith('application/json'):
            audience = json.loads(body).get('audience')
        else:
            audience = parse_qs(body.decode('ascii')).get('audience', [None])[0]
        answer = json.dumps({
            'status': 'okay',
            'email': EMAIL,
            'audience': audience,
            'expires': 2**42,
            'issuer': 'rs256.idp.example',
        }).encode('utf-8')
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def main():
    """Serve on a free loopback port until stdin closes."""
    server = ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == '__main__':
    main()
