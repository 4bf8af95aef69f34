<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>My site</title>
  ${request.persona_head}
</head>
<body>
  <nav>
  % if request.authenticated_userid:
    ${request.authenticated_userid}
    <a href="#" class="signout">Sign out</a>
  % else:
    <a href="#" class="signin">Sign in</a>
  % endif
  </nav>
  <div id="persona-error" hidden></div>
</body>
</html>
