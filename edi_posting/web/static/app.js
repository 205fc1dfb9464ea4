// Keyboard navigation of the work queue (j / k move, Enter opens), and one submit per
// confirm form (the server's one-time token is what really prevents a second post).
(function () {
  "use strict";
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("table[data-keyboard-list] tbody tr"));
  }
  var current = -1;
  function select(index) {
    var list = rows();
    if (!list.length) { return; }
    current = Math.max(0, Math.min(list.length - 1, index));
    list.forEach(function (row, i) { row.classList.toggle("selected", i === current); });
    list[current].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName)) { return; }
    if (event.key === "j") { select(current + 1); }
    else if (event.key === "k") { select(current - 1); }
    else if (event.key === "Enter" && current >= 0) {
      var row = rows()[current];
      if (row && row.dataset.href) { window.location.assign(row.dataset.href); }
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute && form.hasAttribute("data-once")) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    }
  }, true);
  document.addEventListener("htmx:afterSwap", function () { current = -1; });
  // a refusal (403), an action that does not fit (400) or needs confirming (409) is shown
  // where the preview would have been, not dropped
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 403 || status === 404 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
}());
