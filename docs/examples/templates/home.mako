<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>My site</title>
  ${request.persona_head}
</head>
<body>
  % if user:
  <p>Hello ${user}!</p>
  % endif
  ${request.persona_button}
</body>
</html>
