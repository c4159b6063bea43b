// Show only the fields an order of the chosen kind needs (the server checks them all the same).
(function () {
  "use strict";
  var kind = document.getElementById("id_kind");
  if (!kind) { return; }
  var fields = {
    create: ["new_name", "new_kind", "new_subject_area", "new_regulation", "candidate"],
    create_many: ["lines_text", "lines_file"],
    dissolve: ["association"],
    appoint: ["association", "candidate"],
    dismiss: ["association", "candidate"],
    composition: ["association"],
    binding: ["association"],
    other: ["association"]
  };
  var all = ["association", "candidate", "new_name", "new_kind", "new_subject_area", "new_regulation",
    "lines_text", "lines_file"];
  function update() {
    var shown = fields[kind.value] || all.slice(0, 6);
    all.forEach(function (name) {
      var wrapper = document.getElementById("div_id_" + name);
      if (wrapper) { wrapper.hidden = shown.indexOf(name) === -1; }
    });
  }
  kind.addEventListener("change", update);
  update();
})();
