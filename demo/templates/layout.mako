<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="${request.route_path('favicon')}" type="image/svg+xml">
<title><%block name="title">pyramid_persona demo</%block></title>
<style>
  body { font: 17px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2733;
         margin: 0; background: #f5f7fa; }
  header { background: #1d2733; color: #fff; padding: 0.8em 1.5em; display: flex;
           align-items: center; justify-content: space-between; gap: 1em; }
  header a { color: #fff; text-decoration: none; font-weight: 600; }
  nav a { margin-right: 1.2em; }
  main { max-width: 40em; margin: 2em auto; padding: 1.5em 2em; background: #fff;
         border-radius: 8px; box-shadow: 0 1px 4px rgba(0, 0, 0, .1); }
  h1 { margin-top: 0; }
  .hint { color: #52606d; font-size: 0.95em; }
</style>
${request.persona_head}
</head>
<body>
<header>
  <nav><a href="${request.route_path('home')}">pyramid_persona demo</a>
       <a href="${request.route_path('restricted')}">Restricted page</a></nav>
  ${request.persona_button}
</header>
<main>
${next.body()}
</main>
</body>
</html>
