// rolecall console: small progressive enhancements. Every page works
// without this script; it only saves clicks and reloads.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Selects and radio buttons marked data-autosubmit submit their form on
  // change (the "Choose" and "Go" buttons do it without the script).
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
    }
  });

  // A notification of a pending service-linked role deletion asks for its
  // task's status again until the task succeeds or fails.
  var interval = 1000;
  function poll(el) {
    var url = el.getAttribute("data-poll");
    if (!url) return;
    window.setTimeout(function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var tpl = document.createElement("template");
          tpl.innerHTML = html.trim();
          var fresh = tpl.content.firstElementChild;
          // Anything but the notification (the sign-in page, once the
          // session has ended) leaves the page as it is.
          if (!fresh || fresh.id !== el.id || !el.parentNode) return;
          el.parentNode.replaceChild(fresh, el);
          if (fresh.getAttribute("data-status") === "SUCCEEDED") {
            removeDeletedRow(fresh);
          }
          poll(fresh);
        })
        .catch(function () { poll(el); });
    }, interval);
  }

  // "If the task succeeds, then the role is removed from the list": the
  // Roles list drops the row of the deleted role.
  function removeDeletedRow(note) {
    var strong = note.querySelector("strong");
    if (!strong) return;
    var rows = document.querySelectorAll("#roles tr[data-role]");
    for (var i = 0; i < rows.length; i++) {
      if (strong.textContent.indexOf(rows[i].getAttribute("data-role") + " ") === 0) {
        rows[i].parentNode.removeChild(rows[i]);
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var notes = document.querySelectorAll("[data-poll]");
    for (var i = 0; i < notes.length; i++) poll(notes[i]);
  });
})();
