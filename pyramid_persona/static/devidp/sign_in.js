/* pyramid_persona development identity provider: the sign-in dialog.
 * Shown in an <iframe> by include.js, which it tells what happened with
 * postMessage: {type: "sign-in", email} or {type: "cancel"}; include.js
 * answers {type: "error", message} when the address cannot be certified.
 */
(function () {
  'use strict';

  var MESSAGE_SOURCE = 'persona-dev-idp';
  var RECENT_KEY = 'pyramid_persona:dev_idp:recent';
  var params = new URLSearchParams(window.location.search);
  var framed = window.parent !== window;
  var form = document.getElementById('sign-in');
  var input = document.getElementById('email');
  var error = document.getElementById('error');
  var buttons = form.querySelectorAll('button');

  function byId(id) {
    return document.getElementById(id);
  }

  function isSafeUrl(value) {
    return (value.charAt(0) === '/' && value.charAt(1) !== '/') || /^https?:\/\//i.test(value);
  }

  function tellSite(message) {
    message.source = MESSAGE_SOURCE;
    window.parent.postMessage(message, window.location.origin);
  }

  function setBusy(busy) {
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = busy;
    }
    input.readOnly = busy;
    byId('submit').textContent = busy ? 'Signing in…' : 'Sign in';
  }

  function showError(message) {
    error.textContent = message;
    error.hidden = false;
  }

  function recentAddresses() {
    try {
      var recent = JSON.parse(window.localStorage.getItem(RECENT_KEY));
      return Array.isArray(recent) ? recent.filter(function (e) { return typeof e === 'string'; }) : [];
    } catch (e) {
      return [];
    }
  }

  function signIn(email) {
    email = email.trim().toLowerCase();
    input.value = email;
    if (!input.checkValidity()) {
      showError('Enter a valid email address, such as alice@example.com.');
      input.focus();
      return;
    }
    error.hidden = true;
    if (!framed) {
      showError('Open this dialog from a site\'s sign-in button.');
      return;
    }
    setBusy(true);
    tellSite({ type: 'sign-in', email: email });
  }

  function cancel() {
    if (framed) {
      tellSite({ type: 'cancel' });
    }
  }

  // The site's dialog options.
  var siteName = params.get('siteName');
  if (siteName) {
    byId('site-name').textContent = siteName;
    byId('site-name-line').hidden = false;
    document.title = 'Sign in to ' + siteName;
  }
  var siteLogo = params.get('siteLogo');
  if (siteLogo && isSafeUrl(siteLogo)) {
    byId('site-logo').src = siteLogo;
    byId('site-logo').hidden = false;
  }
  var color = params.get('backgroundColor');
  if (color && /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(color)) {
    byId('site').style.background = color;
  }
  var links = { 'terms-of-service': params.get('termsOfService'), 'privacy-policy': params.get('privacyPolicy') };
  var shown = 0;
  Object.keys(links).forEach(function (id) {
    if (links[id] && isSafeUrl(links[id])) {
      byId(id).href = links[id];
      shown += 1;
    } else {
      byId(id).hidden = true;
    }
  });
  byId('terms-and').hidden = shown < 2;
  byId('terms').hidden = shown === 0;
  byId('standalone').hidden = framed;

  // Recent addresses: a suggestion list for the field, and one-click buttons.
  var recent = recentAddresses();
  recent.forEach(function (email) {
    var option = document.createElement('option');
    option.value = email;
    byId('recent-addresses').appendChild(option);
    var item = document.createElement('li');
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'recent-address';
    button.textContent = email;
    button.addEventListener('click', function () {
      signIn(email);
    });
    item.appendChild(button);
    byId('recent-list').appendChild(item);
  });
  byId('recent').hidden = recent.length === 0;

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    signIn(input.value);
  });
  byId('cancel').addEventListener('click', cancel);
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') {
      event.preventDefault();
      cancel();
    }
  });
  window.addEventListener('message', function (event) {
    var data = event.data;
    if (event.source !== window.parent || event.origin !== window.location.origin ||
        !data || data.source !== MESSAGE_SOURCE) {
      return;
    }
    if (data.type === 'error') {
      setBusy(false);
      showError(String(data.message));
      input.focus();
    }
  });
  input.focus();
})();
