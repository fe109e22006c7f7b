// What CSS and htmx cannot do, beside the drawn player's own script (static/player.js):
// keys for htmx buttons, the presenter's single-key toggles, a follower's own answer, the
// composer's fields kept across its reload, and posting a form that hands the browser back
// to an LMS.
(function () {
  "use strict";

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

  // The composer fetched again for another device or operation keeps what the person chose
  // or typed while it came: on a busy server its answer wiped the guest and the numbers
  // filled in meanwhile, and Send issued another request than the one composed.
  var composed = null;

  function filledIn(composer) {
    var values = {};
    composer.querySelectorAll("input[name], select[name]").forEach(function (field) {
      // the device and the operation are the choice the composer was fetched for
      if (field.name !== "device" && field.name !== "op" && field.value !== "") {
        values[field.name] = field.value;
      }
    });
    return values;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var verb = event.detail.requestConfig && event.detail.requestConfig.verb;
    if (target && target.id === "composer" && verb === "get") composed = filledIn(target);
  });

  document.addEventListener("htmx:afterSwap", function () {
    var kept = composed;
    var composer = document.getElementById("composer");
    composed = null;
    if (!kept || !composer) return;
    composer.querySelectorAll("input[name], select[name]").forEach(function (field) {
      if (!Object.prototype.hasOwnProperty.call(kept, field.name)) return;
      var offered = field.tagName !== "SELECT" || Array.prototype.some.call(
        field.options, function (option) { return option.value === kept[field.name]; });
      if (offered) field.value = kept[field.name];
    });
  });

  document.addEventListener("htmx:afterSettle", markMyAnswer);
  document.addEventListener("DOMContentLoaded", markMyAnswer);
  // a form that hands the browser on, as an LMS expects its deep-linking answer: posted at
  // once, its button there for a browser without scripts
  document.addEventListener("DOMContentLoaded", function () {
    var autopost = document.querySelector("form[data-autopost]");
    if (autopost) autopost.submit();
  });
})();
