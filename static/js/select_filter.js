// A long <select data-filterable> gets a search box above it: typing hides the options that do not
// contain every typed word, case and ё/е aside («ёлк» finds «Ёлкина», «елкина» too). Without JS the
// plain list works the same; the server checks the choice either way.
(function () {
  "use strict";
  function fold(text) {
    return text.toLowerCase().replace(/ё/g, "е");
  }

  function filterable(select) {
    var box = document.createElement("input");
    var label = select.labels && select.labels.length ? select.labels[0].textContent.replace("*", "").trim() : "";
    box.type = "search";
    box.className = "form-control mb-1";
    box.autocomplete = "off";
    box.placeholder = "Поиск по фамилии, имени или школе";
    box.setAttribute("aria-label", label ? "Поиск в списке «" + label + "»" : "Поиск в списке");
    box.setAttribute("aria-controls", select.id);
    var found = document.createElement("div");
    found.className = "form-text";
    found.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(found, select.nextSibling);

    function apply() {
      var words = fold(box.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      var total = 0;
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) { return; } // the empty choice always stays
        var text = fold(option.textContent);
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        option.hidden = !match;
        option.disabled = !match; // browsers that ignore hidden options grey them out instead
        total += 1;
        if (match) {
          shown += 1;
          first = first || option;
        }
      });
      var current = select.options[select.selectedIndex];
      if (words.length && current && (current.hidden || !current.value) && (first || current.value)) {
        select.value = first ? first.value : ""; // the first match is chosen at once
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      found.textContent = words.length ? (shown ? "Найдено: " + shown + " из " + total : "Никого не найдено") : "";
    }

    box.addEventListener("input", apply);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { // Enter picks the list, it does not send the form
        event.preventDefault();
        select.focus();
      }
    });
    apply(); // the browser may have restored the box's text on going back
  }

  document.querySelectorAll("select[data-filterable]").forEach(filterable);
})();
