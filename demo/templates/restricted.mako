<%inherit file="layout.mako"/>
<%block name="title">Restricted – pyramid_persona demo</%block>
<h1 id="greeting">Hello ${user}!</h1>
<p>Only signed-in people see this page: its view needs the
<code>view_restricted</code> permission.</p>
