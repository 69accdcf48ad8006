// Plotly figures are drawn when the reader gets near them, not at page load.
// plotly.js is large (4.6 MB, seconds of script on a phone): the build turns each
// figure's drawing script into <script type="text/plain" class="mlviz-plotly"> and
// this loader fetches plotly.js (address in data-plotly) the first time a figure comes
// within a screen of the viewport, then draws every figure as it approaches.
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
    script.text = pending.text;
    pending.parentNode.insertBefore(script, pending.nextSibling);
    // theme.js re-colours figures for the dark palette when they appear
    document.dispatchEvent(new CustomEvent("mlviz:plotly-drawn"));
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
      var match = /Plotly\.newPlot\(\s*"([^"]+)"/.exec(script.text);
      var figure = match && document.getElementById(match[1]);
      if (!figure) return;
      figure._mlvizScript = script;
      observer.observe(figure);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
