// Zoom into a figure in the lightbox (glightbox), up to its full resolution and beyond.
//
// glightbox opens a figure at screen width, no larger: on a phone a multi-panel figure
// keeps its 4-5 px text. Its own zoom does not help there (a click zooms only on
// screens wider than 768 px; a pinch stretches the fitted picture, with no double tap
// and no limits to panning). This script takes the gestures on the lightbox's picture:
//
//   double tap / double click  zoom to the PNG's natural size (one PNG pixel per CSS
//                              pixel: 3-4 times the screen width on a phone) at that
//                              point; again: back to the fitted size
//   pinch / mouse wheel        zoom continuously around the fingers / the pointer
//   drag (when zoomed)         pan, within the picture's edges
//   + / - / 0 keys             zoom in, out, back
//
// The lightbox shows the PNG that the tapped figure links: the light or the dark
// palette's (the build gives each palette its own lightbox gallery), so the zoomed
// picture is the palette's own. Single-finger swipes on a picture that is not zoomed
// stay glightbox's (next figure, swipe down to close). No library, nothing fetched.
(function () {
  "use strict";

  var DOUBLE_TAP_MS = 300;
  var TAP_SLOP = 12; // px a finger may move and still tap
  var DOUBLE_TAP_SLOP = 40; // px between the two taps of a double tap
  var state = new WeakMap(); // img -> {s, tx, ty}: transform = translate(tx, ty) scale(s)
  var gesture = null; // the touch gesture this script owns, until every finger lifts
  var lastTap = null; // {t, x, y} of the last single-finger tap
  var tapStart = null; // {t, x, y, moved} of the current single-finger touch
  var drag = null; // mouse drag when zoomed
  var dragged = false;
  var lastToggle = 0; // when a double tap last zoomed (a browser may add a dblclick)

  function slider() {
    return document.getElementById("glightbox-slider");
  }

  function currentImage() {
    var s = document.body.classList.contains("glightbox-open") && slider();
    var img = s && s.querySelector(".gslide.current .gslide-image img");
    return img && img.naturalWidth ? img : null;
  }

  function inLightbox(target) {
    var s = slider();
    return !!(s && target instanceof Node && s.contains(target));
  }

  function get(img) {
    var z = state.get(img);
    if (!z) {
      z = { s: 1, tx: 0, ty: 0 };
      state.set(img, z);
    }
    return z;
  }

  // The picture's fitted box (before this script's transform) in viewport pixels.
  function base(img) {
    var z = get(img);
    var r = img.getBoundingClientRect();
    return { x: r.left - z.tx, y: r.top - z.ty, w: r.width / z.s, h: r.height / z.s };
  }

  // Zoom factors: 1 is the fitted size; natural() shows one PNG pixel per CSS pixel.
  function natural(img, b) {
    return Math.max(1, img.naturalWidth / b.w);
  }

  function maxScale(img, b) {
    return Math.max(4, 2 * natural(img, b));
  }

  // Keep the picture over the screen: centred along an axis where it is smaller than
  // the screen, else with no gap at either edge.
  function clampAxis(t, start, size, view) {
    if (size <= view) return (view - size) / 2 - start;
    return Math.min(-start, Math.max(view - size - start, t));
  }

  function apply(img, s, tx, ty, b) {
    var z = get(img);
    var slide = img.closest(".gslide");
    b = b || base(img);
    if (s <= 1.001) {
      z.s = 1;
      z.tx = 0;
      z.ty = 0;
      img.style.transform = "";
      img.style.transformOrigin = "";
      img.classList.remove("mlviz-zoomed");
      if (slide) slide.classList.remove("mlviz-zoomed");
      return;
    }
    z.s = s;
    z.tx = clampAxis(tx, b.x, b.w * s, window.innerWidth);
    z.ty = clampAxis(ty, b.y, b.h * s, window.innerHeight);
    img.style.transformOrigin = "0 0";
    img.style.transform = "translate(" + z.tx + "px, " + z.ty + "px) scale(" + s + ")";
    img.classList.add("mlviz-zoomed");
    if (slide) slide.classList.add("mlviz-zoomed");
  }

  // Zoom to factor s keeping the picture's point under (px, py) where it is.
  function zoomAt(img, s, px, py, b) {
    var z = get(img);
    b = b || base(img);
    s = Math.min(maxScale(img, b), Math.max(1, s));
    var u = (px - b.x - z.tx) / z.s;
    var v = (py - b.y - z.ty) / z.s;
    apply(img, s, px - b.x - s * u, py - b.y - s * v, b);
  }

  function toggle(img, px, py) {
    var b = base(img);
    if (get(img).s > 1) apply(img, 1, 0, 0, b);
    else zoomAt(img, Math.max(natural(img, b), 2), px, py, b);
  }

  function stop(e) {
    e.stopPropagation();
    if (e.cancelable) e.preventDefault();
  }

  function mid(touches) {
    return { x: (touches[0].clientX + touches[1].clientX) / 2, y: (touches[0].clientY + touches[1].clientY) / 2 };
  }

  function dist(touches) {
    return Math.hypot(touches[0].clientX - touches[1].clientX, touches[0].clientY - touches[1].clientY);
  }

  // (Re)start the owned gesture from the fingers now down: a pinch with two, a pan with one.
  function begin(img, touches) {
    var z = get(img);
    var b = base(img);
    gesture = { img: img, b: b, s0: z.s, tx0: z.tx, ty0: z.ty };
    if (touches.length >= 2) {
      gesture.pinch = true;
      gesture.d0 = dist(touches) || 1;
      var m = mid(touches);
      // the picture's point under the fingers' midpoint, in fitted pixels
      gesture.u = (m.x - b.x - z.tx) / z.s;
      gesture.v = (m.y - b.y - z.ty) / z.s;
    } else {
      gesture.x0 = touches[0].clientX;
      gesture.y0 = touches[0].clientY;
    }
  }

  function onTouchStart(e) {
    if (!inLightbox(e.target)) return;
    var img = currentImage();
    if (!img) return;
    if (e.touches.length === 1) {
      tapStart = { t: Date.now(), x: e.touches[0].clientX, y: e.touches[0].clientY, moved: false };
    } else {
      tapStart = null;
    }
    if (gesture || e.touches.length >= 2 || get(img).s > 1) {
      if (!gesture) undoSwipe(img);
      begin(img, e.touches);
      stop(e);
    }
  }

  // A pinch's first finger went to glightbox, which may have started to move the
  // picture as a swipe: put it back, the pinch is this script's from now on.
  function undoSwipe(img) {
    var slide = img.closest(".gslide");
    var overlay = document.querySelector(".glightbox-container .goverlay");
    if (slide) {
      slide.querySelectorAll(".gslide-media, .ginner-container").forEach(function (el) {
        el.style.transform = "";
        el.style.opacity = "";
      });
    }
    if (overlay) overlay.style.opacity = "";
  }

  function onTouchMove(e) {
    if (tapStart && e.touches.length === 1) {
      var t = e.touches[0];
      if (Math.hypot(t.clientX - tapStart.x, t.clientY - tapStart.y) > TAP_SLOP) tapStart.moved = true;
    }
    if (!gesture) return;
    stop(e);
    var g = gesture;
    if (g.pinch && e.touches.length >= 2) {
      var s = Math.min(maxScale(g.img, g.b), Math.max(1, (g.s0 * dist(e.touches)) / g.d0));
      var m = mid(e.touches);
      apply(g.img, s, m.x - g.b.x - s * g.u, m.y - g.b.y - s * g.v, g.b);
    } else if (!g.pinch && e.touches.length === 1) {
      var z = get(g.img);
      apply(g.img, z.s, g.tx0 + e.touches[0].clientX - g.x0, g.ty0 + e.touches[0].clientY - g.y0, g.b);
    }
  }

  function onTouchEnd(e) {
    var owned = !!gesture;
    var img = currentImage();
    if (gesture) {
      stop(e);
      if (e.touches.length === 0) gesture = null;
      else if (img) begin(img, e.touches); // one finger left after a pinch: it pans on
    }
    if (e.touches.length !== 0 || !tapStart || !img || !inLightbox(e.target)) return;
    var t = e.changedTouches[0];
    var isTap = !tapStart.moved && Date.now() - tapStart.t < 500;
    tapStart = null;
    if (!isTap) {
      lastTap = null;
      return;
    }
    var now = Date.now();
    if (lastTap && now - lastTap.t < DOUBLE_TAP_MS && Math.hypot(t.clientX - lastTap.x, t.clientY - lastTap.y) < DOUBLE_TAP_SLOP) {
      lastTap = null;
      toggle(img, t.clientX, t.clientY);
      lastToggle = now;
      stop(e); // no click, no dblclick, no glightbox tap after it
    } else {
      lastTap = { t: now, x: t.clientX, y: t.clientY };
      if (owned) stop(e);
    }
  }

  function onTouchCancel(e) {
    if (gesture) stop(e);
    gesture = null;
    tapStart = null;
  }

  function imageTarget(e) {
    var img = currentImage();
    return img && e.target === img ? img : null;
  }

  function onDblClick(e) {
    var img = imageTarget(e);
    if (!img) return;
    stop(e);
    if (Date.now() - lastToggle > 500) toggle(img, e.clientX, e.clientY);
  }

  function onWheel(e) {
    if (!inLightbox(e.target)) return;
    var img = currentImage();
    if (!img) return;
    stop(e);
    var dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
    zoomAt(img, get(img).s * Math.exp(-dy / 300), e.clientX, e.clientY);
  }

  // Mouse: glightbox's click-to-zoom and drag are replaced by the ones here.
  function onMouseDown(e) {
    var img = imageTarget(e);
    if (!img) return;
    stop(e);
    dragged = false;
    var z = get(img);
    if (e.button === 0 && z.s > 1) drag = { img: img, b: base(img), x0: e.clientX, y0: e.clientY, tx0: z.tx, ty0: z.ty };
  }

  function onMouseMove(e) {
    if (!drag) return;
    stop(e);
    if (Math.hypot(e.clientX - drag.x0, e.clientY - drag.y0) > 3) dragged = true;
    apply(drag.img, get(drag.img).s, drag.tx0 + e.clientX - drag.x0, drag.ty0 + e.clientY - drag.y0, drag.b);
  }

  function onMouseUp(e) {
    if (drag) stop(e);
    drag = null;
  }

  function onClick(e) {
    if (imageTarget(e) || (dragged && inLightbox(e.target))) e.stopPropagation();
    dragged = false;
  }

  function onKey(e) {
    var img = currentImage();
    if (!img || e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.nodeName)) return;
    var factor = { "+": 1.5, "=": 1.5, "-": 1 / 1.5, _: 1 / 1.5 }[e.key];
    if (e.key === "0") apply(img, 1, 0, 0);
    else if (factor) zoomAt(img, get(img).s * factor, window.innerWidth / 2, window.innerHeight / 2);
    else return;
    e.preventDefault();
  }

  // A rotated phone or resized window: the fitted size changes, start again from it.
  // (Not when only the height changes: a phone's address bar showing or hiding.)
  var lastWidth = window.innerWidth;
  function onResize() {
    if (window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    var s = slider();
    if (!s) return;
    s.querySelectorAll(".gslide-image img.mlviz-zoomed").forEach(function (img) {
      apply(img, 1, 0, 0);
    });
  }

  // Listening only while the lightbox is open: touch and wheel listeners that may
  // cancel would otherwise make every scroll of the page wait for this script.
  var active = { capture: true, passive: false };
  var listeners = [
    ["touchstart", onTouchStart, active],
    ["touchmove", onTouchMove, active],
    ["touchend", onTouchEnd, active],
    ["touchcancel", onTouchCancel, active],
    ["wheel", onWheel, active],
    ["dblclick", onDblClick, true],
    ["mousedown", onMouseDown, true],
    ["mousemove", onMouseMove, true],
    ["mouseup", onMouseUp, true],
    ["click", onClick, true],
    ["keydown", onKey, false],
    ["resize", onResize, false],
  ];
  var listening = false;

  function follow() {
    var open = document.body.classList.contains("glightbox-open");
    if (open === listening) return;
    listening = open;
    listeners.forEach(function (l) {
      (open ? window.addEventListener : window.removeEventListener).call(window, l[0], l[1], l[2]);
    });
    if (!open) {
      gesture = tapStart = lastTap = drag = null;
      lastWidth = window.innerWidth;
    }
  }

  new MutationObserver(follow).observe(document.body, { attributes: true, attributeFilter: ["class"] });
  follow();
})();
