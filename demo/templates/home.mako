<%inherit file="layout.mako"/>
% if user:
<h1 id="greeting">Hello ${user}!</h1>
<p>You are signed in. Reload the page: you stay signed in. The
<a href="${request.route_path('restricted')}">restricted page</a> now lets you in.</p>
% else:
<h1 id="greeting">You are not signed in</h1>
<p>Sign in with any email address: this demo runs the development identity
provider, which certifies any address without a password. Use the
button at the top right.</p>
% endif
<p class="hint">The first time an address signs in, it sees a welcome page.
<code>${denied_email}</code> is refused, to show a login that fails.
The <a href="${request.route_path('restricted')}">restricted page</a> needs a signed-in user.</p>
