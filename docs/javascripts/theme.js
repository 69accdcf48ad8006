// Plotly figures follow the site's light/dark theme (Material's palette toggle sets
// data-md-color-scheme="slate" on <body> for dark). The light look is remembered per
// figure so that switching back restores exactly what the page's code produced.
(function () {
  "use strict";
  var DARK_TEXT = "#d5d8e0";
  var DARK_GRID = "rgba(255,255,255,0.14)";

  function isDark() {
    return document.body.getAttribute("data-md-color-scheme") === "slate";
  }

  function axisKeys(layout) {
    return Object.keys(layout).filter(function (k) { return /^[xy]axis\d*$/.test(k); });
  }

  function darkUpdate(layout) {
    var u = {
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(255,255,255,0.04)",
      "font.color": DARK_TEXT,
      "title.font.color": DARK_TEXT,
      "legend.font.color": DARK_TEXT,
    };
    axisKeys(layout).forEach(function (k) {
      u[k + ".gridcolor"] = DARK_GRID;
      u[k + ".zerolinecolor"] = DARK_GRID;
      u[k + ".linecolor"] = DARK_GRID;
    });
    if (layout.scene) {
      ["xaxis", "yaxis", "zaxis"].forEach(function (a) {
        u["scene." + a + ".gridcolor"] = DARK_GRID;
        u["scene." + a + ".backgroundcolor"] = "rgba(0,0,0,0)";
        u["scene." + a + ".color"] = DARK_TEXT;
      });
    }
    return u;
  }

  function lightUpdate(div, keys) {
    // read the current (light) values of exactly the keys the dark update touches
    var u = {};
    keys.forEach(function (path) {
      var value = path.split(".").reduce(function (o, p) { return o == null ? undefined : o[p]; }, div.layout);
      u[path] = value === undefined ? null : value;
    });
    return u;
  }

  function apply() {
    if (!window.Plotly) return;
    var dark = isDark();
    document.querySelectorAll(".plotly-graph-div").forEach(function (div) {
      if (!div.layout) return;
      if (dark) {
        var update = darkUpdate(div.layout);
        if (!div._mlvizLight) div._mlvizLight = lightUpdate(div, Object.keys(update));
        window.Plotly.relayout(div, update);
      } else if (div._mlvizLight) {
        window.Plotly.relayout(div, div._mlvizLight);
      }
    });
  }

  new MutationObserver(apply).observe(document.body, {
    attributes: true,
    attributeFilter: ["data-md-color-scheme"],
  });
  if (document.readyState === "complete") apply();
  else window.addEventListener("load", apply);
  // figures drawn later, when the reader scrolls to them (plotly-lazy.js)
  document.addEventListener("mlviz:plotly-drawn", function () { setTimeout(apply, 0); });
})();
