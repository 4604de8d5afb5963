// /api/docs in the site's frame (templates/api_docs.html): django-ninja's swagger-ui-init.js, reading the CSRF
// settings from the #swagger-ui element instead of <body> (the frame's body is the site's).
(() => {
  const box = document.getElementById("swagger-ui");
  const config = JSON.parse(document.getElementById("swagger-settings").textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  if (box.dataset.apiCsrf && box.dataset.csrfToken) {
    config.requestInterceptor = (req) => { req.headers["X-CSRFToken"] = box.dataset.csrfToken; return req; };
  }
  SwaggerUIBundle(config);
})();
