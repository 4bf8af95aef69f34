/* pyramid_persona: wires the sign-in and sign-out buttons to navigator.id.
 * Plain JavaScript, no dependencies.  The page's data arrives as the
 * argument `config` (JSON escaped for a <script> element):
 *   user, csrfToken, loginUrl, logoutUrl, redirectParam, request (dialog options)
 */
(function (config) {
  'use strict';

  function cameFrom() {
    var params = new URLSearchParams(window.location.search);
    return params.get(config.redirectParam) || window.location.href;
  }

  function whenReady(fn) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', fn);
    } else {
      fn();
    }
  }

  function showError(message) {
    whenReady(function () {
      var box = document.getElementById('persona-error') ||
        document.querySelector('.persona-error');
      if (!box) {
        box = document.createElement('div');
        box.className = 'persona-error';
        document.body.insertBefore(box, document.body.firstChild);
      }
      box.setAttribute('role', 'alert');
      box.textContent = message;
      box.hidden = false;
    });
  }

  function post(url, fields) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'Accept': 'application/json'
      },
      body: new URLSearchParams(fields).toString()
    }).then(function (response) {
      return response.json().catch(function () {
        return {
          success: false,
          error: 'The server answered HTTP ' + response.status + '.'
        };
      });
    });
  }

  if (!window.navigator || !navigator.id) {
    showError('Sign-in is unavailable: the identity provider script did not load.');
    return;
  }

  document.addEventListener('click', function (event) {
    var target = event.target;
    if (!target || !target.closest) {
      return;
    }
    if (target.closest('#signin, .signin')) {
      event.preventDefault();
      navigator.id.request(config.request);
    } else if (target.closest('#signout, .signout')) {
      event.preventDefault();
      navigator.id.logout();
    }
  });

  navigator.id.watch({
    loggedInUser: config.user,
    onlogin: function (assertion) {
      post(config.loginUrl, {
        assertion: assertion,
        csrf_token: config.csrfToken,
        came_from: cameFrom()
      }).then(function (answer) {
        if (answer && answer.success) {
          window.location.href = answer.redirect || '/';
        } else {
          navigator.id.logout();
          showError((answer && answer.error) || 'Sign-in failed.');
        }
      }, function () {
        navigator.id.logout();
        showError('Sign-in failed: the server could not be reached.');
      });
    },
    onlogout: function () {
      if (!config.user) {
        return;
      }
      post(config.logoutUrl, {
        csrf_token: config.csrfToken,
        came_from: cameFrom()
      }).then(function (answer) {
        window.location.href = (answer && answer.redirect) || '/';
      }, function () {
        showError('Sign-out failed: the server could not be reached.');
      });
    }
  });
})
