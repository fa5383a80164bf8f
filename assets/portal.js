/* Small progressive enhancements the GOV.UK patterns need and Reflex does not give.
   Loaded once per page from the app's <head>; every part works by event delegation,
   so content React renders later is covered too. */
(function () {
  "use strict";

  // ---- in-page links (error summary, skip link): focus the target, keep the URL's query ----
  function findTarget(id) {
    var byId = document.getElementById(id);
    if (byId) return byId;
    var escaped = window.CSS && CSS.escape ? CSS.escape(id) : id;
    // A field's parts ("dob.day"), options ("gender-0") or its only input by name.
    return document.querySelector('[id^="' + escaped + '."], [id^="' + escaped + '-"], [name="' + escaped + '"]');
  }

  function focusable(element) {
    if (element.matches("fieldset, [role=group], [role=radiogroup]")) {
      var first = element.querySelector("input:not([type=hidden]), select, textarea, button");
      if (first) return first;
    }
    if (!element.matches("a[href], input, select, textarea, button, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    return element;
  }

  function labelFor(element) {
    var fieldset = element.closest("fieldset");
    var legend = fieldset && fieldset.querySelector("legend");
    if (legend) return legend;
    if (element.id) {
      var label = document.querySelector('label[for="' + (window.CSS ? CSS.escape(element.id) : element.id) + '"]');
      if (label) return label;
    }
    return element;
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    var link = event.target.closest && event.target.closest('a[href^="#"]');
    if (!link) return;
    var id = decodeURIComponent(link.getAttribute("href").slice(1));
    var target = id && findTarget(id);
    if (!target) return;
    // No fragment navigation: the router would treat it as a new location and re-run the page load.
    event.preventDefault();
    var element = focusable(target);
    element.focus({ preventScroll: true });
    labelFor(element).scrollIntoView({ block: "start" });
    if (link.classList.contains("skip-link")) {
      history.replaceState(history.state, "", location.pathname + location.search + "#" + id);
    }
  });

  // ---- focus after a change of page: the new page's h1, its error summary, or the #field named ----
  // React Router swaps pages without a page load, so the browser leaves focus on the button
  // that was pressed (or drops it to <body>). Once the new page has drawn, move focus where a
  // screen reader user expects it. Gives up as soon as the user does anything themselves.
  var pending = null;

  function pageKey() {
    return location.pathname + location.search;
  }

  function heading() {
    return document.querySelector("main h1");
  }

  function navigated() {
    var h1 = heading();
    pending = {
      key: pageKey(),
      from: document.activeElement,
      h1: h1,
      h1Text: h1 ? h1.textContent : null,
      since: Date.now(),
      until: Date.now() + 8000,
    };
    setTimeout(settle, 1600);
  }

  function settle() {
    if (!pending) return;
    var now = Date.now();
    if (now > pending.until) { pending = null; return; }
    var active = document.activeElement;
    var ours = !active || active === document.body || active === pending.from || active === pending.focused ||
      !pending.from || !pending.from.isConnected;
    if (!ours) { pending = null; return; }  // the user has moved on: leave focus alone
    var h1 = heading();
    if (!h1 || !h1.textContent) return;
    var unchanged = h1 === pending.h1 && h1.textContent === pending.h1Text;
    if (unchanged && now - pending.since < 1500) return;  // the new page has not drawn yet
    var summary = document.getElementById("error-summary");
    var named = location.hash ? findTarget(decodeURIComponent(location.hash.slice(1))) : null;
    if (location.hash && !named && now - pending.since < 4000) return;  // the named field is still to come
    var target = summary || (named ? focusable(named) : null) || h1;
    if (target === active) return;
    if (target === h1 && !h1.hasAttribute("tabindex")) h1.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: target === h1 });
    if (target !== h1) labelFor(target).scrollIntoView({ block: "start" });
    pending.focused = target;
  }

  ["pushState", "replaceState"].forEach(function (name) {
    var original = history[name];
    history[name] = function () {
      var before = pageKey();
      var result = original.apply(this, arguments);
      if (pageKey() !== before) navigated();
      return result;
    };
  });
  window.addEventListener("popstate", navigated);
  new MutationObserver(settle).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  ["keydown", "mousedown"].forEach(function (type) {
    document.addEventListener(type, function () { pending = null; }, true);
  });

  // ---- lossless inputs: the browser owns what is typed; the server may still set a value ----
  // Inputs marked data-lossless are uncontrolled, so React writes the server's copy only to
  // the default (the value attribute, or a textarea's text). Each key's echo arrives a round
  // trip later; it is one of the values typed, so it is ignored. Any other value is the
  // server's own (an address chosen, a password cleared after an error) and is shown.
  var typed = new WeakMap();

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("[data-lossless]")) return;
    var values = typed.get(field) || [];
    values.push(field.value);
    if (values.length > 2000) values.shift();
    typed.set(field, values);
  }, true);

  function serverValue(field) {
    var value = field.defaultValue;
    var values = typed.get(field) || [];
    var echo = values.indexOf(value);
    if (echo >= 0) { typed.set(field, values.slice(echo + 1)); return; }
    typed.set(field, []);
    if (field.value !== value) field.value = value;
  }

  new MutationObserver(function (records) {
    records.forEach(function (record) {
      var node = record.target.nodeType === 1 ? record.target : record.target.parentNode;
      var field = node && node.closest && node.closest("[data-lossless]");
      if (field && (record.type !== "attributes" || record.attributeName === "value")) serverValue(field);
    });
  }).observe(document.documentElement, {
    subtree: true, attributes: true, attributeFilter: ["value"], childList: true, characterData: true,
  });

  // ---- focus after an action on the page: the confirmation, never <body> ----
  // A region marked data-focus-on-change (role=status, tabindex=-1) takes focus when its
  // message changes, if focus is still on what the user pressed or was dropped with it
  // (a Remove button that went away). Someone who has moved on is left alone.
  var pressed = null;
  document.addEventListener("click", function (event) {
    var control = event.target.closest && event.target.closest("button, [role=button], input[type=submit]");
    if (control) pressed = control;
  }, true);

  // Busy buttons are aria-disabled, not disabled (disabling throws focus away): refuse their clicks.
  document.addEventListener("click", function (event) {
    var busy = event.target.closest && event.target.closest('[aria-disabled="true"]');
    if (busy) { event.preventDefault(); event.stopImmediatePropagation(); }
  }, true);

  var changed = new Set();
  function focusConfirmations() {
    changed.forEach(function (region) {
      var active = document.activeElement;
      var leftAlone = !active || active === document.body || active === pressed || (pressed && !pressed.isConnected);
      if (region.isConnected && region.textContent.trim() && leftAlone && active !== region) {
        region.focus({ preventScroll: false });
      }
    });
    changed.clear();
  }
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      var node = record.target.nodeType === 1 ? record.target : record.target.parentNode;
      var region = node && node.closest && node.closest("[data-focus-on-change]");
      if (region) changed.add(region);
    });
    if (changed.size) setTimeout(focusConfirmations, 0);
  }).observe(document.documentElement, { subtree: true, childList: true, characterData: true });

  // ---- session timeout warning (WCAG 2.2.1, GOV.UK timeout warning pattern) ----
  // Signed-in pages carry #session-timeout[data-idle-minutes]. Two minutes before the idle
  // timeout a modal dialog takes focus; "Stay signed in" touches the session on the server.
  // If the session does end, what was typed in the page's form is kept in this tab's
  // sessionStorage and put back when the user signs in again and returns (next= keeps the
  // full path and query).
  var WARNING_MS = 2 * 60 * 1000;
  var lastActivity = Date.now();
  var warning = null;
  var returnFocus = null;
  var KEPT = "portal-kept:";

  function idleMs() {
    var marker = document.getElementById("session-timeout");
    return marker ? Number(marker.getAttribute("data-idle-minutes")) * 60 * 1000 : 0;
  }

  function activity() { if (!warning || !warning.open) lastActivity = Date.now(); }

  var send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (String(data).indexOf("42") === 0) activity();  // a Reflex event, not a heartbeat
    return send.apply(this, arguments);
  };

  function post(path) {
    return fetch(path, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" } });
  }

  // A full page load serves "/requests/section/" for "/requests/section": one key for both.
  function here() { return location.pathname.replace(/(.)\/$/, "$1") + location.search; }

  function keepTyped() {
    var form = document.querySelector("main form");
    if (!form) return;
    var kept = [];
    form.querySelectorAll("input[id], textarea[id], select[id]").forEach(function (field) {
      if (/^(password|file|hidden|submit|button)$/.test(field.type)) return;
      if (field.type === "radio" || field.type === "checkbox") { if (field.checked) kept.push([field.id, true]); }
      else if (field.value) kept.push([field.id, field.value]);
    });
    if (kept.length) sessionStorage.setItem(KEPT + here(), JSON.stringify(kept));
  }

  // React may draw the form more than once while the page loads (a keyed section remounts
  // its inputs), so each new input element gets the kept value once; an input the user has
  // since changed is never touched again. The copy is dropped when the form is sent, or soon.
  var restored = new WeakSet();
  var restoreUntil = 0;

  function restoreTyped() {
    var key = KEPT + here();
    var raw = sessionStorage.getItem(key);
    if (!raw || !document.querySelector("main form")) return;
    if (restoreUntil && Date.now() > restoreUntil) { sessionStorage.removeItem(key); return; }
    JSON.parse(raw).forEach(function (entry) {
      var field = document.getElementById(entry[0]);
      if (!field || restored.has(field)) return;
      restored.add(field);
      if (!restoreUntil) restoreUntil = Date.now() + 10 * 1000;
      if (entry[1] === true) field.checked = true; else field.value = entry[1];
    });
  }

  document.addEventListener("submit", function () { sessionStorage.removeItem(KEPT + here()); }, true);

  function signOut(next) {
    keepTyped();
    post("/api/session/end").finally(function () {
      location.assign(next ? "/sign-in?next=" + encodeURIComponent(here()) : "/signed-out");
    });
  }

  function closeWarning() {
    if (warning && warning.open) warning.close();
    if (returnFocus && returnFocus.isConnected) returnFocus.focus();
  }

  function staySignedIn() {
    post("/api/session/extend").then(function (response) {
      if (response.status === 204) { lastActivity = Date.now(); closeWarning(); } else { signOut(true); }
    }, function () { closeWarning(); });
  }

  function buildWarning() {
    var dialog = document.createElement("dialog");
    dialog.id = "timeout-warning";
    dialog.className = "timeout-dialog";
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-labelledby", "timeout-warning-title");
    dialog.setAttribute("aria-describedby", "timeout-warning-text");
    dialog.setAttribute("tabindex", "-1");
    dialog.innerHTML =
      '<h2 class="heading-m" id="timeout-warning-title">You\u2019re about to be signed out</h2>' +
      '<div id="timeout-warning-text"><p class="body">For your security, we will sign you out in 2 minutes.</p>' +
      '<p class="body">If you are signed out, what you have typed on this page is kept in this browser tab: ' +
      "sign in again to carry on.</p></div>" +
      '<button type="button" class="button" data-timeout="stay">Stay signed in</button>' +
      '<button type="button" class="link-button" data-timeout="sign-out">Sign out</button>';
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); staySignedIn(); });  // Escape
    dialog.addEventListener("click", function (event) {
      var choice = event.target.getAttribute && event.target.getAttribute("data-timeout");
      if (choice === "stay") staySignedIn();
      if (choice === "sign-out") signOut(false);
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  function checkIdle() {
    var idle = idleMs();
    if (!idle) { if (warning && warning.open) warning.close(); return; }
    var quiet = Date.now() - lastActivity;
    if (quiet >= idle) { signOut(true); return; }
    if (quiet >= idle - WARNING_MS && !(warning && warning.open)) {
      warning = warning || buildWarning();
      returnFocus = document.activeElement;
      warning.showModal();
      warning.focus();
    }
  }

  // Only what reaches the server counts as activity (keys typed into a field do not keep
  // the server's session alive), so the warning comes exactly when the server would end it.
  setInterval(checkIdle, 10 * 1000);
  new MutationObserver(restoreTyped).observe(document.documentElement, { childList: true, subtree: true });

  // ---- GOV.UK character count: live, in red when over, told to screen readers when typing pauses ----
  var countTimers = new WeakMap();

  function countMessage(remaining) {
    var n = Math.abs(remaining);
    var noun = n === 1 ? "character" : "characters";
    return "You have " + n.toLocaleString("en-GB") + " " + noun + (remaining < 0 ? " too many" : " remaining");
  }

  function updateCount(field) {
    var info = field.id && document.querySelector('[data-character-count-for="' + CSS.escape(field.id) + '"]');
    if (!info) return;
    var remaining = Number(info.getAttribute("data-max")) - field.value.length;
    var text = countMessage(remaining);
    info.textContent = text;
    info.classList.toggle("character-count-over", remaining < 0);
    var status = info.nextElementSibling;
    if (!status || !status.classList.contains("character-count-status")) {
      status = document.createElement("div");
      status.className = "visually-hidden character-count-status";
      status.setAttribute("aria-live", "polite");
      info.after(status);
    }
    clearTimeout(countTimers.get(field));
    countTimers.set(field, setTimeout(function () { status.textContent = text; }, 1000));
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea, input")) updateCount(event.target);
  }, true);

  // ---- aria-current on the header navigation: which section of the service this page is in ----
  function markCurrent() {
    var path = location.pathname.replace(/(.)\/$/, "$1");
    document.querySelectorAll("header nav a[href], .staff-nav a[href]").forEach(function (link) {
      var target = new URL(link.href, location.href).pathname.replace(/(.)\/$/, "$1");
      var current = target === path;
      if (current && link.getAttribute("aria-current") !== "page") link.setAttribute("aria-current", "page");
      if (!current && link.hasAttribute("aria-current")) link.removeAttribute("aria-current");
    });
  }
  new MutationObserver(markCurrent).observe(document.documentElement, { childList: true, subtree: true });
})();
