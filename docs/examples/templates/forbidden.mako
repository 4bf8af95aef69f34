<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Please sign in</title>
  ${request.persona_head}
</head>
<body>
  % if user:
  <p>${user} may not see this page.</p>
  <p>${request.persona_button}</p>
  % else:
  <p>This page is for members. Sign in with your email address:</p>
  <p>${request.persona_button}</p>
  % endif
</body>
</html>
