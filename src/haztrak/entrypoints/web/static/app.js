/* Haztrak's only script of its own: small enhancements over pages that work without it.
   No inline script anywhere (the Content-Security-Policy forbids it). */
(function () {
  "use strict";

  /* After an htmx swap, move focus where a keyboard or screen-reader user expects it:
     an error summary first, else an element marked data-focus-after-swap. */
  document.addEventListener("htmx:afterSwap", function (event) {
    var root = event.detail.target;
    /* An outerHTML swap leaves detail.target detached: its replacement has the same id. */
    if (root && !root.isConnected) { root = root.id ? document.getElementById(root.id) : null; }
    if (!root || !root.querySelector) { return; }
    var target = root.querySelector("#error-summary[data-focus], [data-focus-after-swap]");
    if (target) {
      if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
      target.focus();
    }
  });

  /* A page that answers a refused form (no htmx) starts at its problems: the error summary,
     or an alert made to take the focus, so the keyboard is not left at the top. */
  function focusProblems() {
    var target = document.querySelector(
      "main #error-summary[data-focus], main [role=alert][tabindex='-1']");
    if (target && document.activeElement === document.body) { target.focus(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusProblems);
  } else {
    focusProblems();
  }

  /* A task box that polls itself is replaced at each poll. When its task ends, the outcome takes
     the focus if the keyboard was in the box, nowhere (the page had just loaded), or where a swap
     put it: the outcome and its link are then the next stop, and nothing is lost. */
  var taskFocus = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.matches || !target.matches("[data-task-status]")) { return; }
    var active = document.activeElement;
    var idle = !active || active === document.body || active === document.documentElement;
    var placed = active && active.hasAttribute && active.hasAttribute("data-focus-after-swap");
    taskFocus = (idle || placed || target.contains(active)) ? target.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!taskFocus) { return; }
    var box = document.getElementById(taskFocus);
    if (!box) { taskFocus = null; return; }
    var status = box.getAttribute("data-task-status");
    if (status !== "SUCCESS" && status !== "FAILURE") { return; }
    taskFocus = null;
    if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "-1"); }
    box.focus();
  });

  /* Buttons that print the page (the print stylesheet makes it a clean paper copy). */
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) { event.preventDefault(); window.print(); }
  });

  /* A failed htmx request (network, 5xx) says so instead of doing nothing. */
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("flash");
    if (!box) { return; }
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 422 || status === 400) { return; } /* forms show their own problems */
    box.innerHTML = "";
    var div = document.createElement("div");
    div.className = "alert alert--error";
    div.setAttribute("role", "alert");
    var p = document.createElement("p");
    p.textContent = "That did not work (error " + status + "). Reload the page and try again.";
    div.appendChild(p);
    box.appendChild(div);
  });
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("flash");
    if (!box) { return; }
    box.innerHTML = "";
    var div = document.createElement("div");
    div.className = "alert alert--error";
    div.setAttribute("role", "alert");
    var p = document.createElement("p");
    p.textContent = "Haztrak could not be reached. Check your connection and try again.";
    div.appendChild(p);
    box.appendChild(div);
  });

  /* htmx 4xx answers that carry a form re-rendered with its problems are swapped too. */
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 422 || status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
