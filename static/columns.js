// On a narrow screen the whole machine shrunk to the screen's width cannot be read, so the
// drawn player shows the column of the device the hop is in, at about one pixel per unit:
// the SVG's viewBox is set to that column, the strip of guest and band names is moved
// beside it and the other columns are veiled. The view follows the hop as it plays (the
// player says which station each hop lights); "Whole machine" shows the drawing as drawn.
(function () {
  "use strict";

  var root = document.getElementById("player2");
  var bar = document.getElementById("p-view");
  var svg = document.getElementById("machine");
  var strip = document.getElementById("strip");
  if (!root || !bar || !svg || !strip) return;

  var NARROW = window.matchMedia("(max-width: 600px)");
  // a machine of small devices is not blown up past this: the drawing stays short enough to
  // leave the controls on the screen
  var MAX_SCALE = 1.15;
  var drawn = svg.getAttribute("viewBox");
  var size = drawn.split(" ").map(Number); // 0 0 width height
  var stripWidth = Number(strip.dataset.w);
  var veils = [document.getElementById("veil-l"), document.getElementById("veil-r")];
  var button = bar.querySelector("[data-view=whole]");
  var caption = document.getElementById("view-what");
  var columns = Array.prototype.map.call(svg.querySelectorAll(".column"), function (g, i) {
    var frame = g.querySelector(".col-frame"); // drawn 2 units inside the column
    return {
      x: Number(frame.getAttribute("x")) - 2,
      w: Number(frame.getAttribute("width")) + 4,
      name: g.querySelector(".dev-name").textContent,
      category: g.querySelector(".cat-tag text").textContent,
      n: i + 1,
    };
  });
  if (!columns.length) return;
  var widest = Math.max.apply(null, columns.map(function (c) { return c.w; }));
  var whole = false;

  function columnOf(station) {
    var el = station && document.getElementById("st-" + station);
    if (!el) return null;
    var x = Number(el.querySelector(".box").getAttribute("x"));
    return columns.find(function (c) { return c.x <= x && x < c.x + c.w; }) || null;
  }

  var lit = svg.querySelector(".st.lit");
  var current = (lit && columnOf(lit.id.slice(3))) || columns[0];

  // One width for every column, so the drawing's height never changes while it plays.
  function viewWidth() {
    var px = svg.parentNode.clientWidth;
    return Math.min(size[2], Math.max(stripWidth + widest, px / MAX_SCALE));
  }

  // Only where the whole drawing would be shrunk, and one column shows more of it.
  function applies() {
    return NARROW.matches && svg.parentNode.clientWidth < size[2] && viewWidth() < size[2];
  }

  function veil(rect, from, to) {
    rect.setAttribute("x", String(from));
    rect.setAttribute("width", String(Math.max(0, to - from)));
  }

  function draw() {
    var on = applies();
    bar.hidden = !on;
    var byColumn = on && !whole;
    svg.classList.toggle("by-column", byColumn);
    button.textContent = whole ? "Follow the hop" : "Whole machine";
    if (!byColumn) {
      svg.setAttribute("viewBox", drawn);
      strip.removeAttribute("transform");
      caption.textContent = "The whole machine: " + columns.length + " devices";
      return;
    }
    var w = viewWidth();
    // the column right beside the strip, unless that would show nothing past the last column
    var x0 = Math.min(current.x - stripWidth, size[2] - w);
    svg.setAttribute("viewBox", x0 + " 0 " + w + " " + size[3]);
    strip.setAttribute("transform", "translate(" + x0 + " 0)");
    veil(veils[0], x0 + stripWidth, current.x);
    veil(veils[1], current.x + current.w, x0 + w);
    caption.textContent = current.name + " · device " + current.n + " of " + columns.length;
  }

  root.addEventListener("station", function (event) {
    var column = columnOf(event.detail);
    if (!column || column === current) return;
    current = column;
    draw();
  });
  button.addEventListener("click", function () {
    whole = !whole;
    draw();
  });
  window.addEventListener("resize", draw);
  draw();
})();
