/* The console's small amount of script: the open-case count and "being viewed by" update without a
   reload, and the idle-timeout warning lets staff stay signed in. Every page works without it. */
(function () {
  "use strict";
  var body = document.body;
  var csrf = body.getAttribute("data-csrf");
  if (!csrf) return;
  var POLL = { "X-Console-Poll": "1" };

  function request(method, url, extraHeaders) {
    var headers = { "Accept": "application/json", "X-CSRF-Token": csrf };
    for (var key in extraHeaders || {}) headers[key] = extraHeaders[key];
    return fetch(url, { method: method, headers: headers, credentials: "same-origin" }).then(function (response) {
      if (response.status === 401) { window.location.assign("/console/login?notice=expired"); throw new Error("signed out"); }
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  }

  // --- open-case count and failed alerts, every 15 s -------------------------------------------
  var openCount = document.getElementById("open-count");
  var openText = document.getElementById("open-count-text");
  var newText = document.getElementById("new-count-text");
  var changed = document.getElementById("queue-changed");
  var failed = document.getElementById("alerts-failed");
  var failedCount = document.getElementById("alerts-failed-count");
  var lastSummary = null;
  function refreshSummary() {
    request("GET", "/console/api/summary", POLL).then(function (summary) {
      if (openCount) openCount.textContent = String(summary.open);
      if (openText) openText.textContent = String(summary.open);
      if (newText) newText.textContent = String(summary["new"]);
      if (failed) { failed.hidden = !summary.failed_alerts; failedCount.textContent = String(summary.failed_alerts); }
      if (changed && lastSummary && (lastSummary.open !== summary.open || lastSummary["new"] !== summary["new"])) changed.hidden = false;
      lastSummary = summary;
    }).catch(function () {});
  }
  refreshSummary();
  setInterval(refreshSummary, 15000);

  // --- "being viewed by" on a case page, every 30 s ---------------------------------------------
  var viewed = document.getElementById("viewed-by");
  if (viewed) {
    var caseId = viewed.getAttribute("data-case");
    var presence = function () {
      request("POST", "/console/api/cases/" + encodeURIComponent(caseId) + "/presence", POLL).then(function (state) {
        viewed.textContent = state.viewed_by.length ? "Being viewed by " + state.viewed_by.join(", ") : "";
      }).catch(function () {});
    };
    setInterval(presence, 30000);
    window.addEventListener("pagehide", function () {
      fetch("/console/api/cases/" + encodeURIComponent(caseId) + "/presence?leaving=1", {
        method: "POST", headers: { "X-CSRF-Token": csrf, "X-Console-Poll": "1" }, credentials: "same-origin", keepalive: true
      }).catch(function () {});
    });
  }

  // --- idle timeout warning ----------------------------------------------------------------------
  var warning = document.getElementById("idle-warning");
  var left = document.getElementById("idle-left");
  var stay = document.getElementById("idle-stay");
  var deadline = Date.parse(body.getAttribute("data-idle-deadline"));
  var warnMs = Number(body.getAttribute("data-idle-warning")) * 1000;
  var lastFocus = null;
  function words(ms) {
    var seconds = Math.max(0, Math.round(ms / 1000));
    if (seconds >= 90) return Math.round(seconds / 60) + " minutes";
    return seconds + " seconds";
  }
  function tick() {
    var remaining = deadline - Date.now();
    if (remaining <= 0) { window.location.assign("/console/login?notice=expired"); return; }
    if (remaining <= warnMs) {
      if (warning.hidden) {
        lastFocus = document.activeElement;
        warning.hidden = false;
        stay.focus();
      }
      left.textContent = words(remaining);
    } else if (!warning.hidden) {
      warning.hidden = true;
    }
  }
  stay.addEventListener("click", function () {
    request("POST", "/console/api/session/extend").then(function (state) {
      deadline = Date.parse(state.idle_deadline);
      warning.hidden = true;
      if (lastFocus && lastFocus.focus) lastFocus.focus();
    }).catch(function () {});
  });
  function checkServer() {
    request("GET", "/console/api/session", POLL).then(function (state) { deadline = Date.parse(state.idle_deadline); tick(); })
      .catch(function () {});
  }
  // Another tab may have kept the session alive (or let it run down): ask the server before warning,
  // and whenever staff come back to this tab.
  setInterval(function () {
    if (deadline - Date.now() <= warnMs + 20000) checkServer();
    tick();
  }, 5000);
  window.addEventListener("focus", checkServer);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) checkServer(); });
  tick();
})();
