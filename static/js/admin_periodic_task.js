// Admin, periodic task form (django-celery-beat): the chosen crontab in words under the field. Moved here from
// the package's inline script, which the portal's Content-Security-Policy does not run.
(function () {
  "use strict";
  var data = document.getElementById("readable-crontabs");
  var crontab = document.getElementById("id_crontab");
  if (!data || !crontab) { return; }
  var readable = JSON.parse(data.textContent);
  var help = document.querySelector(".field-crontab .help");
  var original = help ? help.textContent.trim() : "";
  var translation = document.querySelector(".field-crontab_translation");
  if (translation) { translation.style.display = "none"; }
  crontab.addEventListener("change", function () {
    if (!help) { return; }
    // Text nodes, not HTML: the words come from the database.
    help.textContent = original;
    help.appendChild(document.createElement("br"));
    help.appendChild(document.createTextNode("Словами: " + (readable[crontab.value] || "—")));
  });
})();
