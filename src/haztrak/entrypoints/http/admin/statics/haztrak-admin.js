// Haztrak: send the session's CSRF token with every unsafe request the admin pages make.
// Forms rendered by the server already carry it; this covers sqladmin's scripted requests
// (delete uses jQuery's ajax) and any form without the hidden field.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!meta) {
    return;
  }
  var token = meta.getAttribute("content");
  if (window.jQuery) {
    window.jQuery(document).ajaxSend(function (event, xhr, settings) {
      if (!/^(GET|HEAD|OPTIONS|TRACE)$/i.test(settings.type || "GET")) {
        xhr.setRequestHeader("X-CSRFToken", token);
      }
    });
  }
  // Logging out changes state, so it is a POST with the token; the link's page asks first.
  document.querySelectorAll('a[href$="/admin/logout"]').forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var form = document.createElement("form");
      form.method = "POST";
      form.action = link.href;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "csrf_token";
      input.value = token;
      form.appendChild(input);
      document.body.appendChild(form);
      form.submit();
    });
  });
  document.querySelectorAll("form").forEach(function (form) {
    var method = (form.getAttribute("method") || "GET").toUpperCase();
    if (method === "POST" && !form.querySelector('input[name="csrf_token"]')) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "csrf_token";
      input.value = token;
      form.appendChild(input);
    }
  });
})();
