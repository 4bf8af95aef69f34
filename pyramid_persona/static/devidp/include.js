/* pyramid_persona development identity provider: navigator.id for the
 * site's pages (watch, request, logout), speaking the BrowserID protocol.
 *
 * The browser makes the user's keypair with WebCrypto (RSASSA-PKCS1-v1_5,
 * 2048 bits, SHA-256), the provider's certificate endpoint certifies the
 * public key for the email address, and the assertion {aud, exp} is signed
 * here; onlogin receives "certificate~assertion".  The provider's state
 * (the signed-in address, recent addresses) is kept in localStorage.
 *
 * Served by the application with its URLs as the argument `config`:
 *   signInUrl (the dialog page), certifyUrl (the certificate endpoint)
 */
(function (config) {
  'use strict';

  // Browser storage keys (not settings): the provider's memory of who signed in.
  var EMAIL_KEY = 'pyramid_persona:dev_idp:email';
  var RECENT_KEY = 'pyramid_persona:dev_idp:recent';
  var SILENT_KEY = 'pyramid_persona:dev_idp:silent_login';
  var MESSAGE_SOURCE = 'persona-dev-idp';
  var ASSERTION_LIFETIME = 2 * 60 * 1000;
  var MAX_RECENT = 5;
  // A silent login that does not stick (the site set no cookie) must not
  // turn into a reload loop.
  var SILENT_RETRY_DELAY = 10 * 1000;
  var DIALOG_OPTIONS = ['siteName', 'siteLogo', 'backgroundColor', 'privacyPolicy', 'termsOfService'];

  var watcher = null;
  var dialog = null;
  var userKey = null;

  function storage(kind) {
    try {
      return window[kind];
    } catch (e) {
      return null;  // storage disabled by the browser
    }
  }

  function rememberedEmail() {
    var store = storage('localStorage');
    return store ? store.getItem(EMAIL_KEY) : null;
  }

  function remember(email) {
    var store = storage('localStorage');
    if (!store) {
      return;
    }
    if (!email) {
      store.removeItem(EMAIL_KEY);
      return;
    }
    store.setItem(EMAIL_KEY, email);
    var recent = [];
    try {
      recent = JSON.parse(store.getItem(RECENT_KEY)) || [];
    } catch (e) {
      recent = [];
    }
    recent = [email].concat(recent.filter(function (other) {
      return other !== email;
    })).slice(0, MAX_RECENT);
    store.setItem(RECENT_KEY, JSON.stringify(recent));
  }

  function later(fn) {
    setTimeout(fn, 0);
  }

  function base64url(bytes) {
    var text = '';
    for (var i = 0; i < bytes.length; i++) {
      text += String.fromCharCode(bytes[i]);
    }
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function base64urlToDecimal(text) {
    var raw = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    var hex = '';
    for (var i = 0; i < raw.length; i++) {
      hex += ('0' + raw.charCodeAt(i).toString(16)).slice(-2);
    }
    return BigInt('0x' + hex).toString(10);
  }

  function encodeJSON(value) {
    return base64url(new TextEncoder().encode(JSON.stringify(value)));
  }

  // One user keypair per page; its private key cannot be exported.
  function makeUserKey() {
    if (!userKey) {
      var algorithm = {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256'
      };
      userKey = crypto.subtle.generateKey(algorithm, false, ['sign', 'verify']).then(function (pair) {
        return crypto.subtle.exportKey('jwk', pair.publicKey).then(function (jwk) {
          return {
            privateKey: pair.privateKey,
            publicKey: { algorithm: 'RS', n: base64urlToDecimal(jwk.n), e: base64urlToDecimal(jwk.e) }
          };
        });
      });
      userKey.catch(function () {
        userKey = null;
      });
    }
    return userKey;
  }

  function certify(email, publicKey) {
    return fetch(config.certifyUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
      body: JSON.stringify({ email: email, publicKey: publicKey })
    }).then(function (response) {
      return response.json().catch(function () {
        return {};
      }).then(function (answer) {
        if (!response.ok || typeof answer.certificate !== 'string') {
          throw new Error(answer.error || 'The identity provider answered HTTP ' + response.status + '.');
        }
        return answer.certificate;
      });
    }, function () {
      throw new Error('The identity provider could not be reached.');
    });
  }

  function makeAssertion(email) {
    if (!window.crypto || !crypto.subtle) {
      return Promise.reject(new Error(
        'This page is not a secure context, so the browser cannot make keys: ' +
        'open the site as http://localhost or https.'));
    }
    return makeUserKey().then(function (key) {
      return certify(email, key.publicKey).then(function (certificate) {
        var signed = encodeJSON({ alg: 'RS256' }) + '.' +
          encodeJSON({ aud: window.location.origin, exp: Date.now() + ASSERTION_LIFETIME });
        var data = new TextEncoder().encode(signed);
        return crypto.subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, key.privateKey, data).then(function (signature) {
          return certificate + '~' + signed + '.' + base64url(new Uint8Array(signature));
        });
      });
    });
  }

  function recentlyTriedSilently(email) {
    var store = storage('sessionStorage');
    if (!store) {
      return false;
    }
    var last = null;
    try {
      last = JSON.parse(store.getItem(SILENT_KEY));
    } catch (e) {
      last = null;
    }
    var now = Date.now();
    store.setItem(SILENT_KEY, JSON.stringify({ email: email, at: now }));
    return !!last && last.email === email && now - last.at < SILENT_RETRY_DELAY;
  }

  function watch(options) {
    if (!options || typeof options.onlogin !== 'function' || typeof options.onlogout !== 'function') {
      throw new TypeError('navigator.id.watch needs the functions onlogin and onlogout');
    }
    watcher = options;
    later(function () {
      var email = rememberedEmail();
      var user = options.loggedInUser;
      var ready = function () {
        if (typeof options.onready === 'function') {
          options.onready();
        }
      };
      if (email && email !== user) {
        if (recentlyTriedSilently(email)) {
          console.warn('pyramid_persona dev IdP: the site did not keep the login of ' + email +
            '; not trying again right away (are its cookies refused?)');
          ready();
          return;
        }
        makeAssertion(email).then(function (assertion) {
          if (watcher === options) {
            options.onlogin(assertion);
          }
          ready();
        }, function (error) {
          console.warn('pyramid_persona dev IdP: could not sign in ' + email + ': ' + error.message);
          ready();
        });
      } else if (!email && user !== null) {
        // The site thinks someone is signed in (or does not know): tell it nobody is.
        options.onlogout();
        ready();
      } else {
        ready();
      }
    });
  }

  function styleDialog() {
    if (document.getElementById('persona-dev-idp-style')) {
      return;
    }
    var style = document.createElement('style');
    style.id = 'persona-dev-idp-style';
    style.textContent =
      '.persona-dev-idp-dialog{padding:0;border:0;border-radius:10px;width:min(440px,94vw);' +
      'height:min(500px,92vh);overflow:hidden;box-shadow:0 12px 40px rgba(0,0,0,.35)}' +
      '.persona-dev-idp-dialog::backdrop{background:rgba(20,30,45,.55)}' +
      '.persona-dev-idp-dialog iframe{border:0;width:100%;height:100%;display:block}';
    document.head.appendChild(style);
  }

  function request(options) {
    options = options || {};
    if (dialog) {
      dialog.frame.focus();
      return;
    }
    var params = new URLSearchParams();
    DIALOG_OPTIONS.forEach(function (name) {
      if (typeof options[name] === 'string' && options[name]) {
        params.set(name, options[name]);
      }
    });
    styleDialog();
    var element = document.createElement('dialog');
    element.className = 'persona-dev-idp-dialog';
    element.setAttribute('aria-label', 'Sign in');
    var frame = document.createElement('iframe');
    frame.title = 'Sign in with the development identity provider';
    frame.src = config.signInUrl + (params.toString() ? '?' + params.toString() : '');
    element.appendChild(frame);
    element.addEventListener('cancel', function (event) {
      event.preventDefault();  // Escape in the page: close through closeDialog
      closeDialog(true);
    });
    frame.addEventListener('load', function () {
      frame.focus();
    });
    dialog = { element: element, frame: frame, options: options, opener: document.activeElement };
    document.body.appendChild(element);
    element.showModal();
  }

  function closeDialog(cancelled) {
    var current = dialog;
    if (!current) {
      return;
    }
    dialog = null;
    current.element.close();
    current.element.remove();
    if (current.opener && current.opener.focus && document.contains(current.opener)) {
      current.opener.focus();
    }
    if (cancelled && typeof current.options.oncancel === 'function') {
      current.options.oncancel();
    }
  }

  function tellDialog(current, message) {
    message.source = MESSAGE_SOURCE;
    current.frame.contentWindow.postMessage(message, window.location.origin);
  }

  function signIn(email) {
    var current = dialog;
    makeAssertion(email).then(function (assertion) {
      remember(email);
      if (dialog === current) {
        closeDialog(false);
      }
      if (watcher) {
        watcher.onlogin(assertion);
      }
    }, function (error) {
      if (dialog === current) {
        tellDialog(current, { type: 'error', message: error.message });
      }
    });
  }

  window.addEventListener('message', function (event) {
    if (!dialog || event.source !== dialog.frame.contentWindow || event.origin !== window.location.origin) {
      return;
    }
    var data = event.data;
    if (!data || data.source !== MESSAGE_SOURCE) {
      return;
    }
    if (data.type === 'cancel') {
      closeDialog(true);
    } else if (data.type === 'sign-in' && typeof data.email === 'string') {
      signIn(data.email);
    }
  });

  function logout() {
    remember(null);
    var current = watcher;
    if (current) {
      later(function () {
        current.onlogout();
      });
    }
  }

  navigator.id = { watch: watch, request: request, logout: logout };
})
