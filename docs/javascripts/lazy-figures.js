// Interactive figures (plotly, shap's force plots) are drawn when the reader gets near
// them, not at page load. Their libraries are large (plotly.js 4.6 MB, shap's bundle
// 0.4 MB: seconds of script on a phone) and so is a plotly figure's data. The build
// replaces each figure's drawing script by a placeholder
//   <script type="text/plain" class="mlviz-lazy" data-figure="ID"
//           data-library="URL" [data-src="FILE"]>[drawing script]</script>
// and this loader, the first time the element ID comes within a screen of the
// viewport, loads the library (once per page), then the drawing script: the file
// data-src when given, else the placeholder's own text.
(function () {
  "use strict";
  var libraries = {};

  function load(url) {
    if (!libraries[url]) {
      libraries[url] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = url;
        script.charset = "utf-8";
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return libraries[url];
  }

  function draw(pending) {
    if (pending.getAttribute("data-drawn")) return;
    pending.setAttribute("data-drawn", "1");
    var script = document.createElement("script");
    // theme.js re-colours plotly figures for the dark palette when they appear
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
    var pending = Array.prototype.slice.call(document.querySelectorAll("script.mlviz-lazy"));
    if (!pending.length) return;
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        var script = entry.target._mlvizScript;
        load(script.getAttribute("data-library")).then(function () { draw(script); });
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
