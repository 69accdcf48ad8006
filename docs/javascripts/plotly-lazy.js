// Plotly figures are drawn when the reader gets near them, not at page load.
// plotly.js is large (4.6 MB, seconds of script on a phone) and so is a figure's data:
// the build moves each figure's drawing script to a file of its own and leaves
// <script type="text/plain" class="mlviz-plotly" data-figure="ID" data-src="FILE">.
// This loader fetches plotly.js (address in data-plotly) the first time a figure comes
// within a screen of the viewport, then the figure's script, and so on for each figure
// as it approaches. (A placeholder without data-src holds its drawing script inline.)
(function () {
  "use strict";
  var me = document.currentScript;
  var source = me && me.getAttribute("data-plotly");
  var loading = null;

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve();
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = source;
        script.charset = "utf-8";
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function draw(pending) {
    if (pending.getAttribute("data-drawn")) return;
    pending.setAttribute("data-drawn", "1");
    var script = document.createElement("script");
    // theme.js re-colours figures for the dark palette when they appear
    var drawn = function () { document.dispatchEvent(new CustomEvent("mlviz:plotly-drawn")); };
    var src = pending.getAttribute("data-src");
    if (src) {
      script.src = src;
      script.onload = drawn;
    } else {
      script.text = pending.text;
    }
    pending.parentNode.insertBefore(script, pending.nextSibling);
    if (!src) drawn();
  }

  function start() {
    var pending = Array.prototype.slice.call(document.querySelectorAll("script.mlviz-plotly"));
    if (!pending.length) return;
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        loadPlotly().then(function () { draw(entry.target._mlvizScript); });
      });
    }, { rootMargin: "100% 0px" });
    pending.forEach(function (script) {
      var id = script.getAttribute("data-figure");
      var figure = id && document.getElementById(id);
      if (!figure) return;
      figure._mlvizScript = script;
      observer.observe(figure);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
