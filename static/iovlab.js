// What CSS and htmx cannot do: move the request's token onto the element the
// current hop names, keyboard shortcuts, keeping the log filter across swaps, and
// posting a form that hands the browser back to an LMS.
(function () {
  "use strict";

  var filters = { guest: "", category: "", stage: "" };

  function meta() {
    return document.getElementById("stage-meta");
  }

  function moveToken() {
    var token = document.getElementById("token");
    var m = meta();
    if (!token || !m) return;
    var target = m.dataset.token && document.getElementById(m.dataset.token);
    if (!target) {
      token.classList.remove("shown");
      return;
    }
    var box = target.getBoundingClientRect();
    // the top-right corner: headings start on the left, so the corner is free
    var x = box.right + window.scrollX - 18;
    var y = box.top + window.scrollY + 18;
    // the move takes most of the time between two hops, so a fast replay keeps up
    var interval = Number(m.dataset.intervalMs) || 800;
    var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    token.style.transitionDuration = still ? "0s" : Math.round(Math.min(450, interval * 0.8)) + "ms";
    token.style.transform = "translate(" + Math.round(x) + "px," + Math.round(y) + "px)";
    token.className = "token shown c" + m.dataset.colour + (m.dataset.status && m.dataset.status !== "ok" ? " error" : "");
    token.textContent = m.dataset.status && m.dataset.status !== "ok" ? "✕" : "";
  }

  function applyFilters() {
    var log = document.getElementById("log");
    if (!log) return;
    document.querySelectorAll("select[data-filter]").forEach(function (select) {
      select.value = filters[select.dataset.filter];
    });
    log.querySelectorAll("li").forEach(function (line) {
      var guest = filters.guest;
      var hidden =
        (guest && line.dataset.guest !== guest && line.dataset.actor !== guest) ||
        (filters.category && line.dataset.category !== filters.category) ||
        (filters.stage && line.dataset.stage !== filters.stage);
      line.hidden = Boolean(hidden);
    });
    log.scrollTop = log.scrollHeight;
  }

  // A follower's own answer, kept in this tab, marked right or wrong once the lecturer
  // reveals the answer (the revealed view is one page for the whole class).
  function markMyAnswer() {
    var shown = document.querySelector(".answer[data-question]");
    if (!shown) return;
    var mine = sessionStorage.getItem("answer:" + shown.dataset.question);
    if (mine === null || shown.querySelector(".mine")) return;
    var right = shown.dataset.answer.trim() === mine.trim() ||
      (mine.trim() !== "" && Number(mine) === Number(shown.dataset.answer));
    var mark = document.createElement("span");
    mark.className = "mine " + (right ? "right" : "wrong");
    mark.textContent = " · your answer " + mine + (right ? " ✓ right" : " ✕ wrong");
    shown.appendChild(mark);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target.closest && event.target.closest("form[data-answer-for]");
    if (!form) return;
    var submitter = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    var value = submitter && submitter.submitter && submitter.submitter.value;
    var input = form.querySelector("input[name=value]");
    sessionStorage.setItem("answer:" + form.dataset.answerFor, value || (input ? input.value : ""));
  });

  function refresh() {
    moveToken();
    applyFilters();
    markMyAnswer();
  }

  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-filter]");
    if (!select) return;
    filters[select.dataset.filter] = select.value;
    applyFilters();
  });

  // Presenter view: what a presentation clicker sends, and single-key toggles.
  var PRESENTER_ALIASES = { ArrowRight: "PageDown", ArrowLeft: "PageUp", L: "l" };

  function presenterKey(event, present) {
    var key = event.key.toLowerCase();
    if (key === "b") {
      var blank = document.getElementById("blank");
      blank.hidden = !blank.hidden;
    } else if (key === "f") {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen();
    } else if (key === "n") {
      present.classList.toggle("no-narration");
    } else if (key === "j") {
      var panel = document.getElementById("room-panel");
      if (panel) panel.hidden = !panel.hidden;
    } else {
      return false;
    }
    event.preventDefault();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest && event.target.closest("input, select, textarea, summary")) return;
    var present = document.querySelector("[data-presenter]");
    var key = event.key;
    if (present) {
      if (presenterKey(event, present)) return;
      key = PRESENTER_ALIASES[key] || key;
      if (key === " ") {
        var play = document.querySelector("#stage .play");
        if (play) {
          event.preventDefault();
          htmx.ajax("GET", play.getAttribute("hx-get"), { target: "#player", swap: "outerHTML" });
        }
        return;
      }
    }
    if (key === "L") key = "l";
    var button = document.querySelector('[data-keys] [data-key="' + key + '"]');
    if (!button || button.disabled) return;
    event.preventDefault();
    // issue the button's request directly: a key pressed just after a swap must
    // not be lost while htmx is still wiring up the new buttons
    htmx.ajax("GET", button.getAttribute("hx-get"), {
      target: button.getAttribute("hx-target"),
      swap: button.getAttribute("hx-swap") || "outerHTML",
    });
  });

  document.addEventListener("htmx:afterSettle", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
  // a form that hands the browser on, as an LMS expects its deep-linking answer: posted at
  // once, its button there for a browser without scripts
  document.addEventListener("DOMContentLoaded", function () {
    var autopost = document.querySelector("form[data-autopost]");
    if (autopost) autopost.submit();
  });
  window.addEventListener("resize", moveToken);
})();
