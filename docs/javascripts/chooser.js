// The visualization chooser (docs/chooser.md): filter the gallery's cards by question,
// model family and lifecycle phase. The cards and their data-* attributes are generated
// at build time by mlviz.build.chooser from each example's tag line.
//
// Rules: ticked questions (or phases) match a page that has ANY of them; the three
// groups combine with AND. A concrete model family also matches the model-agnostic
// pages (family "any"), because those apply to every model.
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

  form.addEventListener("change", update);
  // "reset" fires before the inputs are reset: update once they are.
  form.addEventListener("reset", function () { window.setTimeout(update, 0); });
  update();
})();
