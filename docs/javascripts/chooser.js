// The visualization chooser (docs/chooser.md): filter the gallery's cards by question,
// model family and lifecycle phase. The cards and their data-* attributes are generated
// at build time by mlviz.build.chooser from each example's tag line.
//
// Rules: ticked questions (or phases) match a page that has ANY of them; the three
// groups combine with AND. A concrete model family also matches the model-agnostic
// pages (family "any"), because those apply to every model.
//
// The ticked filters live in the address (?question=...&family=...&phase=...): a
// filtered view survives a reload, can be shared as a link, and the back button steps
// through earlier filters.
(function () {
  "use strict";
  var root = document.getElementById("mlviz-chooser");
  if (!root) return;
  var form = root.querySelector("form");
  var cards = Array.prototype.slice.call(root.querySelectorAll(".mlviz-card"));
  var count = root.querySelector(".mlviz-chooser__count");
  var empty = root.querySelector(".mlviz-chooser__empty");

  function checked(name) {
    var inputs = form.querySelectorAll('input[name="' + name + '"]:checked');
    return Array.prototype.map.call(inputs, function (i) { return i.value; });
  }

  function values(card, attr) {
    var raw = card.getAttribute(attr) || "";
    return raw ? raw.split("|") : [];
  }

  function anyOf(have, wanted) {
    if (!wanted.length) return true;
    return wanted.some(function (w) { return have.indexOf(w) !== -1; });
  }

  function familyMatches(have, family) {
    if (!family) return true;
    if (family === "any") return have.indexOf("any") !== -1;
    return have.indexOf(family) !== -1 || have.indexOf("any") !== -1;
  }

  var GROUPS = ["question", "family", "phase"];

  // The address's filters -> the form (unknown values are ignored).
  function readAddress() {
    var params = new URLSearchParams(window.location.search);
    form.querySelectorAll("input").forEach(function (input) {
      var wanted = params.getAll(input.name);
      if (input.type === "radio" && !wanted.length) {
        input.checked = input.value === "";
      } else {
        input.checked = wanted.indexOf(input.value) !== -1;
      }
    });
  }

  // The form -> the address, keeping any other parameters and the fragment.
  function writeAddress(push) {
    var params = new URLSearchParams(window.location.search);
    GROUPS.forEach(function (name) { params.delete(name); });
    GROUPS.forEach(function (name) {
      checked(name).forEach(function (value) { if (value) params.append(name, value); });
    });
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    if (url === window.location.pathname + window.location.search + window.location.hash) return;
    window.history[push ? "pushState" : "replaceState"](null, "", url);
  }

  function update() {
    var questions = checked("question");
    var phases = checked("phase");
    var family = checked("family")[0] || "";
    var shown = 0;
    cards.forEach(function (card) {
      var ok = anyOf(values(card, "data-questions"), questions)
        && anyOf(values(card, "data-phases"), phases)
        && familyMatches(values(card, "data-families"), family);
      card.hidden = !ok;
      if (ok) shown += 1;
    });
    count.textContent = String(shown);
    empty.hidden = shown > 0;
  }

  form.addEventListener("change", function () { update(); writeAddress(true); });
  // "reset" fires before the inputs are reset: update once they are.
  form.addEventListener("reset", function () {
    window.setTimeout(function () { update(); writeAddress(true); }, 0);
  });
  window.addEventListener("popstate", function () { readAddress(); update(); });
  readAddress();
  update();
})();
