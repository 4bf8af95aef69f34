"""A person's path through the demo, in a real browser.

The demo (demo/development.ini, with the development identity provider)
is served by waitress on a free loopback port; headless Chromium, driven by
Playwright, clicks through it.  Keys are made by the browser's WebCrypto,
certified by the provider and checked by the local verifier: nothing is
mocked.  Screenshots of every step are kept in each test's tmp_path.
"""
import os
import socket
import threading

import pytest
from pyramid.paster import get_appsettings
from waitress.server import create_server

sync_api = pytest.importorskip(
    'playwright.sync_api', reason='Playwright for Python is not installed (pip install playwright)'
)

CHROMIUM = '/usr/bin/chromium'
if not os.path.exists(CHROMIUM):
    pytest.skip('no Chromium at %s (apt-get install chromium)' % CHROMIUM, allow_module_level=True)

import demo  # noqa: E402  (only once the browser tests can run at all)

CHROMIUM_FLAGS = [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
]
INI_FILE = os.path.join(os.path.dirname(demo.__file__), 'development.ini')
TIMEOUT_MS = 15000
_RESOURCE_ERROR = 'Failed to load resource: the server responded with a status of '


class _Server:
    """The demo served by waitress in a background thread."""

    def __init__(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(('127.0.0.1', 0))
        self.origin = 'http://127.0.0.1:%d' % sock.getsockname()[1]
        settings = get_appsettings(INI_FILE)
        settings['persona.audiences'] = self.origin
        app = demo.main({}, **settings)
        self._server = create_server(app, sockets=[sock], threads=4, expose_tracebacks=False)
        self._thread = threading.Thread(target=self._server.run, name='demo-server', daemon=True)
        self._thread.start()

    def stop(self):
        # Close every channel from the server's own loop; the loop ends when
        # nothing is left to watch.
        from waitress import wasyncore

        self._server.trigger.pull_trigger(lambda: wasyncore.close_all(self._server._map))
        self._thread.join(10)
        self._server.task_dispatcher.shutdown()


@pytest.fixture(scope='module')
def server():
    running = _Server()
    yield running
    running.stop()


@pytest.fixture(scope='module')
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


class Visit:
    """One person's browser tab: a fresh profile (cookies, localStorage),
    the JavaScript errors seen, and numbered screenshots."""

    def __init__(self, browser, server, directory):
        self.context = browser.new_context(base_url=server.origin)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.errors = []
        self.directory = directory
        self.steps = 0
        self.page.on('pageerror', lambda error: self.errors.append('page error: %s' % error))
        self.page.on('console', self._console)

    def _console(self, message):
        if message.type != 'error':
            return
        # Chromium reports every HTTP error status as a console error.  These
        # are answers the pages handle, not script errors: the forbidden page
        # and a refused login (403), an address the provider refuses (400).
        url = message.location.get('url', '')
        if message.text.startswith(_RESOURCE_ERROR + '403') or (
            message.text.startswith(_RESOURCE_ERROR + '400') and url.endswith('/_persona_dev_idp/certify')
        ):
            return
        self.errors.append('console error: %s (%s)' % (message.text, url))

    def snap(self, name):
        """Save a screenshot of this step."""
        self.steps += 1
        self.page.screenshot(path=str(self.directory / ('%02d-%s.png' % (self.steps, name))))

    @property
    def greeting(self):
        return self.page.locator('#greeting')

    @property
    def dialog(self):
        """The sign-in dialog of the development identity provider."""
        return self.page.frame_locator('dialog.persona-dev-idp-dialog iframe')

    def open_dialog(self):
        self.page.click('#signin')
        self.dialog.locator('input[type=email]').wait_for()

    def sign_in(self, email):
        """Sign in through the dialog (opened if need be), typing the address."""
        if not self.page.locator('dialog.persona-dev-idp-dialog').count():
            self.open_dialog()
        self.dialog.locator('input[type=email]').fill(email)
        self.snap('dialog-filled')
        self.dialog.locator('form button[type=submit]').click()

    def stored_email(self):
        return self.page.evaluate("localStorage.getItem('pyramid_persona:dev_idp:email')")

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, server, tmp_path):
    tab = Visit(browser, server, tmp_path)
    yield tab
    tab.close()
    assert tab.errors == []


def _expect(locator):
    return sync_api.expect(locator)


def test_sign_in_stay_signed_in_sign_out_and_come_back_to_the_restricted_page(visit, server):
    page = visit.page
    page.goto('/')
    _expect(visit.greeting).to_have_text('You are not signed in')
    _expect(page.locator('#signin')).to_be_visible()
    visit.snap('front-page-anonymous')

    visit.open_dialog()
    _expect(visit.dialog.locator('.warning')).to_contain_text('anyone can sign in as anyone')
    _expect(visit.dialog.locator('h1')).to_have_text('Sign in to pyramid_persona demo')
    visit.sign_in('alice@example.com')

    # First visit: the demo's login view sends a new address to /welcome.
    page.wait_for_url('**/welcome?**')
    _expect(visit.greeting).to_have_text('Welcome, alice@example.com!')
    _expect(page.locator('dialog')).to_have_count(0)
    visit.snap('welcome')
    page.click('#continue')
    page.wait_for_url(server.origin + '/')
    _expect(visit.greeting).to_have_text('Hello alice@example.com!')
    visit.snap('greeted')

    page.reload(wait_until='networkidle')
    _expect(visit.greeting).to_have_text('Hello alice@example.com!')
    assert page.url == server.origin + '/'
    visit.snap('reloaded-still-signed-in')

    page.click('#signout')
    _expect(visit.greeting).to_have_text('You are not signed in')
    assert visit.stored_email() is None
    visit.snap('signed-out')

    response = page.goto('/restricted')
    assert response.status == 403
    _expect(page.locator('h1')).to_have_text('Forbidden')
    _expect(page.locator('main')).to_contain_text('You need to sign in to see this page.')
    visit.snap('restricted-forbidden')

    # The dialog remembers the address; one click signs in with it.
    visit.open_dialog()
    recent = visit.dialog.locator('button.recent-address')
    _expect(recent).to_have_text(['alice@example.com'])
    visit.snap('dialog-recent-addresses')
    recent.click()
    page.wait_for_url(server.origin + '/restricted')
    _expect(visit.greeting).to_have_text('Hello alice@example.com!')
    visit.snap('restricted-signed-in')


def test_a_refused_address_stays_signed_out_and_sees_why(visit):
    page = visit.page
    page.goto('/')
    visit.sign_in('denied@example.com')
    _expect(page.locator('.persona-error')).to_contain_text('denied@example.com may not sign in')
    _expect(visit.greeting).to_have_text('You are not signed in')
    visit.snap('refused')
    assert visit.stored_email() is None  # no silent retry on the next page

    page.reload(wait_until='networkidle')
    _expect(visit.greeting).to_have_text('You are not signed in')
    _expect(page.locator('.persona-error')).to_have_count(0)
    visit.snap('refused-reloaded')


def test_cancel_leaves_the_page_signed_out_without_an_error(visit):
    page = visit.page
    page.goto('/')
    visit.open_dialog()
    visit.dialog.locator('#cancel').click()
    _expect(page.locator('dialog')).to_have_count(0)
    visit.snap('cancelled')

    visit.open_dialog()
    page.keyboard.press('Escape')
    _expect(page.locator('dialog')).to_have_count(0)
    _expect(visit.greeting).to_have_text('You are not signed in')
    _expect(page.locator('.persona-error')).to_have_count(0)
    assert visit.stored_email() is None
    visit.snap('escaped')


def test_the_dialog_works_with_the_keyboard_alone(visit, server):
    page = visit.page
    page.goto('/')
    page.focus('#signin')
    page.keyboard.press('Enter')
    email_field = visit.dialog.locator('input[type=email]')
    _expect(email_field).to_be_focused()
    page.keyboard.type('not an address')
    page.keyboard.press('Enter')
    _expect(visit.dialog.locator('#error')).to_have_text(
        'Enter a valid email address, such as alice@example.com.'
    )
    visit.snap('keyboard-invalid-address')
    email_field.fill('')
    page.keyboard.type('keyboard@example.com')
    page.keyboard.press('Enter')
    page.wait_for_url('**/welcome?**')
    _expect(visit.greeting).to_have_text('Welcome, keyboard@example.com!')
    visit.snap('keyboard-signed-in')


def test_the_site_follows_the_identity_providers_state(visit, server):
    page = visit.page
    page.goto('/')
    visit.sign_in('henry@example.com')
    page.wait_for_url('**/welcome?**')

    # The site forgot the user (cookies gone) but the provider remembers:
    # include.js signs them in again without the dialog.
    visit.context.clear_cookies()
    page.goto('/')
    _expect(visit.greeting).to_have_text('Hello henry@example.com!')
    _expect(page.locator('dialog')).to_have_count(0)
    visit.snap('signed-in-again-silently')

    # The provider forgot the user: the site signs them out.
    page.evaluate("localStorage.removeItem('pyramid_persona:dev_idp:email')")
    page.reload()
    _expect(visit.greeting).to_have_text('You are not signed in')
    visit.snap('signed-out-by-the-provider')


WATCH = """loggedInUser => new Promise(resolve => {
  const events = [];
  navigator.id.watch({
    loggedInUser: loggedInUser,
    onlogin: assertion => events.push('login ' + assertion.split('~').length + ' parts'),
    onlogout: () => events.push('logout'),
    onready: () => { events.push('ready'); resolve(events); }
  });
  events.push('watching');
})"""


def test_watch_calls_back_as_the_persona_api_says(visit):
    page = visit.page
    page.goto('/_persona_dev_idp/provision')  # a page without persona.js
    page.add_script_tag(url='/_persona_dev_idp/include.js')
    # Nobody, on either side: only onready.
    assert page.evaluate(WATCH, None) == ['watching', 'ready']
    # The site thinks someone is signed in, the provider does not.
    assert page.evaluate(WATCH, 'ivy@example.com') == ['watching', 'logout', 'ready']
    # The provider remembers someone the site does not know: a fresh assertion.
    page.evaluate("localStorage.setItem('pyramid_persona:dev_idp:email', 'ivy@example.com')")
    assert page.evaluate(WATCH, None) == ['watching', 'login 2 parts', 'ready']
    # Both agree: nothing to do.
    assert page.evaluate(WATCH, 'ivy@example.com') == ['watching', 'ready']
    # logout() forgets the address and calls onlogout.
    events = page.evaluate("""() => new Promise(resolve => {
      navigator.id.watch({loggedInUser: 'ivy@example.com', onlogin: () => resolve(['login']),
                          onlogout: () => resolve(['logout']), onready: () => navigator.id.logout()});
    })""")
    assert events == ['logout']
    assert visit.stored_email() is None


def test_a_login_the_site_does_not_keep_is_not_retried_in_a_loop(visit):
    page = visit.page
    logins = []

    def lose_the_cookie(route):
        # The site answers success but its cookie never arrives (as when a
        # browser refuses it): the next page is still signed out.
        response = route.fetch()
        visit.context.clear_cookies()
        logins.append(response.status)
        headers = {k: v for k, v in response.headers.items() if k.lower() != 'set-cookie'}
        route.fulfill(response=response, headers=headers)

    page.route('**/login', lose_the_cookie)
    page.goto('/')
    page.evaluate("localStorage.setItem('pyramid_persona:dev_idp:email', 'judy@example.com')")
    page.reload()
    page.wait_for_url('**/welcome?**')  # the silent login worked, then the cookie was lost
    _expect(page.locator('main')).to_contain_text('You need to sign in to see this page.')
    page.goto('/', wait_until='networkidle')
    page.wait_for_timeout(500)  # time enough for a retry, were there one
    _expect(visit.greeting).to_have_text('You are not signed in')
    assert logins == [200]
    visit.snap('not-retried')


def test_the_dialog_shows_the_sites_options_and_calls_oncancel(visit):
    page = visit.page
    page.goto('/')
    page.evaluate("""() => navigator.id.request({
      siteName: 'Example shop', siteLogo: '/favicon.ico', backgroundColor: '#7a1a14',
      termsOfService: '/terms', privacyPolicy: 'javascript:alert(1)',
      oncancel: () => { window.cancelled = true; }
    })""")
    dialog = visit.dialog
    _expect(dialog.locator('h1')).to_have_text('Sign in to Example shop')
    _expect(dialog.locator('#site-logo')).to_have_attribute('src', '/favicon.ico')
    _expect(dialog.locator('#site')).to_have_css('background-color', 'rgb(122, 26, 20)')
    _expect(dialog.locator('#terms-of-service')).to_have_attribute('href', '/terms')
    _expect(dialog.locator('#privacy-policy')).to_be_hidden()  # not an http(s) URL or a path
    visit.snap('site-options')
    dialog.locator('#cancel').click()
    _expect(page.locator('dialog')).to_have_count(0)
    assert page.evaluate('window.cancelled') is True


def test_an_address_the_provider_refuses_keeps_the_dialog_open_with_the_reason(visit):
    page = visit.page
    page.goto('/')
    visit.sign_in('a' * 65 + '@example.com')  # a valid <input type=email>, too long for the protocol
    error = visit.dialog.locator('#error')
    _expect(error).to_have_text('Enter a valid email address, such as alice@example.com.')
    _expect(visit.dialog.locator('button[type=submit]')).to_be_enabled()
    visit.snap('refused-by-the-provider')
    visit.dialog.locator('input[type=email]').fill('kim@example.com')
    visit.dialog.locator('button[type=submit]').click()
    page.wait_for_url('**/welcome?**')
    _expect(visit.greeting).to_have_text('Welcome, kim@example.com!')
