// The drawn player: applies hop events (htmx out-of-band pieces), moves the token along
// the drawn link, and keeps every hop it has played so stepping back and forth through
// them needs no server. JavaScript only for what htmx and CSS cannot do: undoing a hop,
// following an SVG path, keeping focus and position.
(function () {
  "use strict";

  var root = document.getElementById("player2");
  if (!root) return;
  var base = root.dataset.base;
  var profile = root.dataset.profile || "laptop";
  var total = Number(root.dataset.total);
  var k = Number(root.dataset.k); // the hop shown (-1: none yet)
  var intervalMs = Number(root.dataset.intervalMs) || 800;
  // a lesson's step plays its own hops and stops at its last
  var until = root.dataset.until ? Number(root.dataset.until) : null;
  var events = {}; // hop -> its event's text (what it changes)
  var undos = {}; // hop -> how to put back what it changed
  var playing = false;
  var source = null;
  var busy = Promise.resolve();
  var still = window.matchMedia("(prefers-reduced-motion: reduce)");
  var svg = document.getElementById("machine");
  var token = document.getElementById("token");
  var link = document.getElementById("link");
  var trail = document.getElementById("trail");
  var scrubber = document.getElementById("scrubber");
  var announcer = document.getElementById("announcer");
  var playButton = root.querySelector("[data-act=play]");
  var speedSelect = root.querySelector("[data-act=speed]");
  var filters = { guest: "", category: "", stage: "" };
  var animation = 0;
  var cursor = document.getElementById("cursor"); // where the composer issues its request
  var presenting = root.hasAttribute("data-presenter");

  function parse(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    return t.content;
  }

  // The out-of-band swaps of one event, each with what puts it back.
  function swap(fragment) {
    var ops = [];
    fragment.querySelectorAll("[hx-swap-oob]").forEach(function (el) {
      var spec = el.getAttribute("hx-swap-oob");
      var colon = spec.indexOf(":");
      var how = colon < 0 ? spec : spec.slice(0, colon);
      var target = document.querySelector(colon < 0 ? "#" + el.id : spec.slice(colon + 1));
      if (!target) return;
      if (how === "innerHTML") {
        ops.push({ node: target, html: target.innerHTML });
        target.innerHTML = el.innerHTML;
      } else if (how === "beforeend" || how === "afterbegin") {
        var nodes = Array.prototype.slice.call(el.childNodes);
        var first = target.firstChild;
        nodes.forEach(function (n) {
          if (how === "beforeend") target.appendChild(n);
          else target.insertBefore(n, first);
        });
        ops.push({ added: nodes });
      } else if (how === "outerHTML") {
        el.removeAttribute("hx-swap-oob");
        target.replaceWith(el);
        ops.push({ now: el, was: target });
      }
    });
    return ops;
  }

  function unswap(ops) {
    for (var i = ops.length - 1; i >= 0; i--) {
      var op = ops[i];
      if (op.added) op.added.forEach(function (n) { n.remove(); });
      else if (op.now) op.now.replaceWith(op.was);
      else op.node.innerHTML = op.html;
    }
  }

  function metaOf(fragment) {
    var t = fragment.querySelector("template#hop");
    return t ? t.dataset : null;
  }

  // --- drawing one hop -----------------------------------------------------

  function setToken(meta, x, y) {
    token.setAttribute("transform", "translate(" + x + " " + y + ")");
  }

  function light(meta) {
    svg.querySelectorAll(".st.lit").forEach(function (el) {
      el.classList.remove("lit");
      el.removeAttribute("aria-current");
    });
    var station = meta.station && document.getElementById("st-" + meta.station);
    if (station) {
      station.classList.add("lit");
      station.setAttribute("aria-current", "step");
    }
  }

  function dress(meta) {
    var refused = meta.status && meta.status !== "ok";
    token.setAttribute("class", "tok g" + meta.colour + (refused ? " refused" : "") + (meta.station ? "" : " away"));
    token.querySelector(".mark").textContent = refused ? "✕" : "";
    var label = token.querySelector(".req");
    label.textContent = meta.request || "";
    // beside the token on the side away from the lit box, so it never covers the box's text
    var up = meta.rail === "up";
    label.setAttribute("x", String((up ? -1 : 1) * Number(label.dataset.dx)));
    label.setAttribute("text-anchor", up ? "start" : "end");
    trail.setAttribute("d", meta.trail || "");
    trail.setAttribute("class", "trail g" + meta.colour);
    link.setAttribute("d", meta.path || "");
    svg.style.setProperty("--lit-c", "var(--g" + meta.colour + ", #1B1F24)");
  }

  var arriving = null; // the hop whose token is still on its way

  function arrive() {
    if (!arriving) return;
    cancelAnimationFrame(animation);
    setToken(arriving, Number(arriving.x), Number(arriving.y));
    light(arriving);
    delete token.dataset.moving;
    arriving = null;
  }

  function show(meta, animate) {
    arrive(); // a hop still travelling lands first: every hop's station is lit in turn
    root.dispatchEvent(new CustomEvent("station", { detail: meta.station })); // columns.js
    dress(meta);
    var length = meta.path && animate && !still.matches ? link.getTotalLength() : 0;
    arriving = meta;
    if (!length) return arrive();
    // the token rides the drawn link, arriving before the next hop is due
    var duration = playing ? Math.min(600, (intervalMs / speed()) * 0.7) : 350;
    var start = performance.now();
    token.dataset.moving = "1";
    svg.querySelectorAll(".st.lit").forEach(function (el) {
      el.classList.remove("lit");
      el.removeAttribute("aria-current");
    });
    function frame(now) {
      var f = Math.min(1, (now - start) / duration);
      if (f >= 1) return arrive();
      var p = link.getPointAtLength(length * f);
      setToken(meta, p.x, p.y);
      animation = requestAnimationFrame(frame);
    }
    animation = requestAnimationFrame(frame);
  }

  function settle(meta, animate) {
    k = Number(meta.k);
    show(meta, animate);
    if (scrubber) {
      scrubber.value = String(k + 1);
      scrubber.setAttribute("aria-valuetext", "hop " + (k + 1) + " of " + total);
    }
    markSpan(meta);
    var summary = document.querySelector("#now .sum");
    announcer.textContent = summary
      ? "hop " + (k + 1) + " of " + total + ": " + summary.textContent
      : "before the first hop";
    if (cursor) cursor.value = String(k);
    markLog();
    applyFilters();
    buttons();
    if (presenting && !playing) {
      // a step by hand: the class follows the lecturer there (a played hop, the stream says)
      fetch(root.dataset.at.replace("{k}", String(k)), { method: "POST" });
    }
    if (!presenting) {
      // the address follows the player (a projector's address stays the presenter's)
      var url = new URL(window.location.href);
      url.searchParams.set("at", String(k + 1));
      url.searchParams.delete("play");
      history.replaceState(null, "", url);
    }
  }

  function markSpan(meta) {
    var bar = document.getElementById("span-bar");
    if (!bar || !meta.span) return;
    var ends = meta.span.split(" ").map(Number);
    var scale = total > 1 ? 1000 / (total - 1) : 0;
    bar.setAttribute("x", String(ends[0] * scale));
    bar.setAttribute("width", String(Math.max(2, (ends[1] - ends[0]) * scale)));
    bar.setAttribute("class", "span g" + meta.colour);
  }

  function markLog() {
    var log = document.getElementById("log");
    if (!log) return;
    log.querySelectorAll("li.current").forEach(function (li) {
      li.classList.remove("current");
      li.removeAttribute("aria-current");
    });
    var line = document.getElementById("log-" + k);
    if (line) {
      line.classList.add("current");
      line.setAttribute("aria-current", "true");
      log.scrollTop = line.offsetTop - log.clientHeight + line.offsetHeight * 2;
    }
    while (log.children.length > 400) log.firstElementChild.remove();
  }

  function buttons() {
    root.querySelectorAll("[data-act=back], [data-act=start]").forEach(function (b) { b.disabled = k < 0; });
    root.querySelectorAll("[data-act=next], [data-act=end]").forEach(function (b) { b.disabled = k >= total - 1; });
  }

  // --- moving through the trace ----------------------------------------------

  function fetchText(url) {
    return fetch(url, { headers: { "HX-Request": "true" } }).then(function (r) {
      if (!r.ok) throw new Error("hop " + url + ": " + r.status);
      return r.text();
    });
  }

  function forward(animate) {
    var next = k + 1;
    if (next >= total) return Promise.resolve(false);
    var text = events[next];
    var ready = text ? Promise.resolve(text) : fetchText(base + "/hops/" + next + "?profile=" + profile);
    return ready.then(function (html) {
      if (k !== next - 1) return false; // something else moved the player meanwhile
      events[next] = html;
      var fragment = parse(html);
      var meta = metaOf(fragment);
      undos[next] = swap(fragment);
      settle(meta, animate);
      return true;
    });
  }

  function back() {
    if (k < 0) return Promise.resolve(false);
    var ops = undos[k];
    if (!ops) return full(k - 1);
    delete undos[k];
    unswap(ops);
    var previous = k - 1;
    var meta = previous >= 0 && events[previous] ? metaOf(parse(events[previous])) : null;
    if (!meta) return full(previous); // the token's place before it is not at hand
    settle(meta, false);
    return Promise.resolve(true);
  }

  function full(target) {
    target = Math.max(-1, Math.min(total - 1, target));
    return fetchText(base + "/hops/" + target + "?full=1&profile=" + profile).then(function (html) {
      var fragment = parse(html);
      var meta = metaOf(fragment);
      swap(fragment);
      undos = {}; // the log and rows a played hop added are gone: replay them from the cache
      settle(meta, false);
      return true;
    });
  }

  function goTo(target) {
    target = Math.max(-1, Math.min(total - 1, target));
    var steps = target - k;
    if (steps === 0) return Promise.resolve(true);
    var cached = true;
    for (var j = Math.min(k, target) + 1; j <= Math.max(k, target) && cached; j++) {
      cached = steps > 0 ? Boolean(events[j]) : Boolean(undos[j]);
    }
    if (!cached || Math.abs(steps) > 300) return full(target);
    var chain = Promise.resolve();
    for (var s = 0; s < Math.abs(steps); s++) {
      chain = chain.then(function () { return steps > 0 ? forward(false) : back(); });
    }
    return chain;
  }

  // one move at a time, in the order asked
  function queue(work) {
    busy = busy.then(work).catch(function (error) { console.error(error); });
    return busy;
  }

  // --- playing -----------------------------------------------------------------

  function speed() {
    return speedSelect ? Number(speedSelect.value) || 1 : 1;
  }

  function play() {
    if (playing) return;
    playing = true;
    root.dataset.playing = "1";
    playButton.textContent = "❚❚ Pause";
    playButton.setAttribute("aria-label", "Pause");
    root.classList.add("playing");
    var url = base + "/stream?format=hops&profile=" + profile + "&from=" + (k + 1) + "&speed=" + speed();
    if (until !== null) url += "&until=" + until;
    source = new EventSource(url);
    source.addEventListener("hop", function (event) {
      var seq = Number(event.lastEventId);
      events[seq] = event.data;
      queue(function () {
        var moved = seq === k + 1 ? forward(true) : seq > k + 1 ? full(seq) : null;
        return Promise.resolve(moved).then(function () {
          if (until !== null && k >= until) pause();
        });
      });
    });
    source.addEventListener("idle", pause);
  }

  function pause() {
    playing = false;
    root.dataset.playing = "0";
    if (source) source.close();
    source = null;
    playButton.textContent = "▶ Play";
    playButton.setAttribute("aria-label", "Play");
    root.classList.remove("playing");
  }

  function act(name) {
    if (name === "play") return playing ? pause() : play();
    if (name === "speed") {
      if (playing) { pause(); play(); }
      return;
    }
    pause();
    if (name === "next") return queue(function () { return forward(true); });
    if (name === "back") return queue(back);
    if (name === "start") return queue(function () { return goTo(-1); });
    if (name === "end") return queue(function () { return goTo(total - 1); });
  }

  root.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-act]");
    if (button) {
      act(button.dataset.act);
      return;
    }
    var line = event.target.closest("[data-goto]");
    if (line) {
      pause();
      var target = Number(line.dataset.goto);
      queue(function () { return goTo(target); });
    }
  });
  if (speedSelect) speedSelect.addEventListener("change", function () { act("speed"); });
  if (scrubber) {
    scrubber.addEventListener("change", function () {
      pause();
      var target = Number(scrubber.value) - 1;
      queue(function () { return goTo(target); });
    });
  }

  var KEYS = { ArrowRight: "next", ArrowLeft: "back", Home: "start", End: "end", " ": "play" };
  // a presentation clicker sends PageDown / PageUp (or the arrows): the lesson's steps
  var STEP_KEYS = { PageDown: "PageDown", ArrowRight: "PageDown", PageUp: "PageUp", ArrowLeft: "PageUp" };
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, select, textarea, summary, [contenteditable]")) return;
    if (presenting && STEP_KEYS[event.key]) {
      var stepButton = root.querySelector('[data-key="' + STEP_KEYS[event.key] + '"]');
      if (stepButton && !stepButton.disabled) stepButton.click();
      event.preventDefault();
      return;
    }
    if (event.key === "[" || event.key === "]") {
      var i = speedSelect.selectedIndex + (event.key === "]" ? 1 : -1);
      if (i >= 0 && i < speedSelect.options.length) {
        speedSelect.selectedIndex = i;
        act("speed");
      }
      event.preventDefault();
      return;
    }
    var name = KEYS[event.key];
    if (!name) return;
    // a key on a focused button is that button's own press
    if (event.key === " " && event.target.closest("button")) return;
    event.preventDefault();
    act(name);
  });

  // --- the log's filter ----------------------------------------------------------

  function applyFilters() {
    var log = document.getElementById("log");
    if (!log) return;
    log.querySelectorAll("li").forEach(function (line) {
      var guest = filters.guest;
      line.hidden = Boolean(
        (guest && line.dataset.guest !== guest && line.dataset.actor !== guest) ||
          (filters.category && line.dataset.category !== filters.category) ||
          (filters.stage && line.dataset.stage !== filters.stage)
      );
    });
  }

  root.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-filter]");
    if (!select) return;
    filters[select.dataset.filter] = select.value;
    applyFilters();
  });

  // the hop the page opened at, as if just played (its event is fetched when first needed)
  buttons();
  markLog();
  // the presenter plays when the server says so (never while its question is asked)
  var asked = presenting ? false : new URL(window.location.href).searchParams.get("play") === "1";
  if (root.dataset.autoplay || asked) {
    play();
  }
})();
