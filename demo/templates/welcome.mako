<%inherit file="layout.mako"/>
<%block name="title">Welcome – pyramid_persona demo</%block>
<h1 id="greeting">Welcome, ${user}!</h1>
<p>This is your first visit: a custom login view (using
<code>verify_login</code>) sent you here instead of back to where you were.</p>
<p><a id="continue" href="${next}">Continue</a></p>
