// A form with data-warn-unsaved asks before the page is left with changes not saved (the browser's own dialog).
document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) { return; }
    event.preventDefault();
    event.returnValue = form.dataset.warnUnsaved;
  });
});
