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

  // On a phone, a figure laid out for a 700-px column loses its title off the right
  // edge, its legend or colour bar eats the plot, and a 3-D scene is cut at the
  // bottom. Once per figure: wrap the title, put legend and colour bar below the plot.
  var NARROW = 600;

  function wrapTitle(text, width) {
    var words = String(text).split(" "), lines = [""];
    words.forEach(function (w) {
      var last = lines[lines.length - 1];
      if (last && (last + " " + w).length > width) lines.push(w);
      else lines[lines.length - 1] = last ? last + " " + w : w;
    });
    return lines.join("<br>");
  }

  function narrowUpdate(div) {
    var layout = div.layout, u = {};
    var title = layout.title && (layout.title.text || (typeof layout.title === "string" && layout.title));
    var chars = Math.max(20, Math.floor(div.clientWidth / 9));
    if (title && title.length > chars && title.indexOf("<br>") < 0) {
      u["title.text"] = wrapTitle(title, chars);
      u["title.font.size"] = 14;
      u["margin.t"] = 30 + 18 * u["title.text"].split("<br>").length;
    }
    u["legend.orientation"] = "h";
    u["legend.y"] = -0.15;
    u["legend.yanchor"] = "top";
    u["legend.x"] = 0;
    u["margin.l"] = 40;
    u["margin.r"] = 10;
    if (layout.coloraxis) {
      u["coloraxis.colorbar.orientation"] = "h";
      u["coloraxis.colorbar.y"] = -0.25;
      u["coloraxis.colorbar.thickness"] = 12;
    }
    if (layout.scene) u["height"] = Math.min(div.clientHeight || 560, Math.round(div.clientWidth * 1.25));
    return u;
  }

  function fitNarrow(div) {
    if (div._mlvizNarrow || window.innerWidth >= NARROW) return;
    div._mlvizNarrow = true;
    window.Plotly.relayout(div, narrowUpdate(div));
  }

  function apply() {
    if (!window.Plotly) return;
    var dark = isDark();
    document.querySelectorAll(".plotly-graph-div").forEach(function (div) {
      if (!div.layout) return;
      fitNarrow(div);
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
  // figures drawn later, when the reader scrolls to them (lazy-figures.js)
  document.addEventListener("mlviz:plotly-drawn", function () { setTimeout(apply, 0); });
})();
