/* The draft editor's enhancements over a form that works without them (the page loads this file
   itself; no inline script). With it: each input shows its problem as the user types, focus goes
   where a keyboard user expects after a swap, waste-code suggestions add codes, and Enter in a
   search box searches instead of posting the form. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function fieldOf(id) { return document.getElementById(id + "-field"); }

  /* Put each input's message (from the check's hidden list) beside it, and clear the others. */
  function applyProblems(root) {
    var form = document.getElementById("draft-form");
    if (!form || !root) { return; }
    var list = root.querySelector("[data-problems]");
    var wanted = {};
    if (list) {
      list.querySelectorAll("li[data-field]").forEach(function (li) {
        wanted[li.getAttribute("data-field")] = { level: li.getAttribute("data-level"), text: li.textContent };
      });
    }
    form.querySelectorAll(".field__error[id$='-error']").forEach(function (slot) {
      var id = slot.id.slice(0, -"-error".length);
      var input = document.getElementById(id);
      var field = fieldOf(id);
      if (!input || !field) { return; }
      var problem = wanted[id];
      var described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
        return x && x !== slot.id;
      });
      field.classList.remove("field--error", "field--warning");
      slot.classList.remove("field__error--warning");
      input.removeAttribute("aria-invalid");
      if (problem) {
        slot.textContent = "";
        var prefix = document.createElement("span");
        prefix.className = "visually-hidden";
        prefix.textContent = problem.level === "error" ? "Error: " : "Warning: ";
        slot.appendChild(prefix);
        slot.appendChild(document.createTextNode(problem.text));
        slot.hidden = false;
        described.push(slot.id);
        if (problem.level === "error") {
          field.classList.add("field--error");
          input.setAttribute("aria-invalid", "true");
        } else {
          field.classList.add("field--warning");
          slot.classList.add("field__error--warning");
        }
      } else {
        slot.hidden = true;
        slot.textContent = "";
      }
      if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); }
      else { input.removeAttribute("aria-describedby"); }
    });
  }

  /* Speak the check's outcome from the live region that stays (one inserted with the swap is
     not reliably read): the problem of the input being typed in first, then the counts. */
  function announce(root) {
    var region = document.getElementById("draft-announce");
    var status = root.querySelector("[data-check-status]");
    if (!region || !status) { return; }
    var words = status.textContent.trim();
    var active = document.activeElement;
    if (active && active.id) {
      var slot = document.getElementById(active.id + "-error");
      if (slot && !slot.hidden && slot.textContent.trim()) {
        var label = document.querySelector("label[for='" + active.id + "']");
        var name = label ? label.childNodes[0].textContent.trim() : "";
        words = (name ? name + ": " : "") + slot.textContent.trim() + " " + words;
      }
    }
    region.textContent = words;
  }

  /* The outcome of a check the user asked for: the open list of things to finish (its summary
     is focusable and says how many), else the line saying there is no problem. */
  function checkOutcome(editor) {
    return editor.querySelector("#warning-summary[open] > summary") ||
      editor.querySelector("#draft-check .draft-check__ok");
  }

  /* A whole page answering "Check for problems" without htmx starts at its outcome too. */
  document.addEventListener("DOMContentLoaded", function () {
    var editor = document.getElementById("draft-editor");
    var element = editor && document.activeElement === document.body ? checkOutcome(editor) : null;
    if (element) {
      if (!element.matches("summary")) { element.setAttribute("tabindex", "-1"); }
      element.focus();
    }
  });

  /* Where the focus was before the editor is swapped, to find it again after. */
  var before = {};
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "draft-editor") { return; }
    var active = document.activeElement;
    var config = event.detail.requestConfig || {};
    var submitter = config.triggeringEvent && config.triggeringEvent.submitter;
    before = {
      id: active && active.id && active !== document.body ? active.id : "",
      op: active && active.name === "op" ? active.value : "",
      check: !!(submitter ? submitter.value === "check" : (active && active.matches && active.matches("input, select"))),
    };
  });

  /* A check that found the same problems as the last one changes nothing on the page. */
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "draft-check") { return; }
    var current = target.querySelector("[data-signature]");
    var match = /data-signature="([^"]*)"/.exec(event.detail.serverResponse || "");
    if (current && match && current.getAttribute("data-signature") === match[1] && match[1] !== "") {
      event.detail.shouldSwap = false;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target) { return; }
    if (target.id === "draft-check") { applyProblems(target); announce(target); return; }
    /* The editor re-rendered after a button: focus what the button was about. */
    var editor = document.getElementById("draft-editor");
    if (editor && (target === editor || target.id === "draft-editor")) {
      var summary = editor.querySelector("#error-summary[data-focus]");
      var id = editor.getAttribute("data-focus-target");
      /* "Check for problems" with only things to finish: the check's outcome; else back to
         the input or button the user was on (Enter in a text box checks the form). */
      var element = summary || (id && document.getElementById(id)) || checkOutcome(editor) ||
        (before.id && document.getElementById(before.id)) ||
        (before.op && editor.querySelector("button[name='op'][value='" + CSS.escape(before.op) + "']:not([tabindex='-1'])"));
      if (!summary && !editor.querySelector("#warning-summary") && before.check) {
        var region = document.getElementById("draft-announce");
        if (region) { region.textContent = "No problems found: ready to send to e-Manifest."; }
      }
      if (element) {
        if (!element.matches("input, select, textarea, button, a[href]") && !element.hasAttribute("tabindex")) {
          element.setAttribute("tabindex", "-1");
        }
        element.focus();
      }
    }
  });

  /* A suggested waste code joins the list in its input (once). */
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-add-code]") : null;
    if (!button) { return; }
    event.preventDefault();
    var input = document.getElementById(button.getAttribute("data-target"));
    if (!input) { return; }
    var code = button.getAttribute("data-add-code");
    var codes = input.value.split(/[\s,;]+/).filter(Boolean);
    if (codes.indexOf(code) === -1) { codes.push(code); }
    input.value = codes.join(", ");
    input.dispatchEvent(new Event("input", { bubbles: true }));
    /* The search is done: empty it and its list, and go back to the codes. */
    var box = button.closest(".code-search");
    if (box) {
      var search = box.querySelector("input");
      var list = box.querySelector("[aria-live]");
      if (search) { search.value = ""; }
      if (list) { list.textContent = ""; }
    }
    input.focus();
  });

  /* Enter in a search box presses its own Search button, not the form's first one. */
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches) { return; }
    if (event.target.matches("[data-enter]")) {
      event.preventDefault();
      var button = document.getElementById(event.target.getAttribute("data-enter"));
      if (button) { button.click(); }
    } else if (event.target.matches(".code-search input")) {
      event.preventDefault();
    }
  });
})();
