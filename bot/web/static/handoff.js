/* The live conversation page (console): new messages arrive pushed (server-sent events, polling when
   those fail), staff messages are sent without a reload, and risk messages are announced at once.
   Everything the person wrote is put on the page as text, never as markup. The page works without
   script too (plain forms and reloads). */
(function () {
  "use strict";
  var root = document.getElementById("handoff");
  if (!root) return;
  var id = root.getAttribute("data-handoff");
  var cursor = Number(root.getAttribute("data-cursor")) || 0;
  var csrf = document.body.getAttribute("data-csrf");
  var list = document.querySelector("ol.transcript");
  var stateLine = document.getElementById("handoff-state");
  var alerts = document.getElementById("flag-alerts");
  var reply = document.getElementById("reply");
  var takeOver = document.getElementById("take-over");
  var form = document.getElementById("message-form");
  var box = document.getElementById("message");
  var problem = document.getElementById("message-error");
  var base = "/console/api/handoffs/" + encodeURIComponent(id);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  var zone = root.getAttribute("data-timezone") || undefined;
  function time(at) {
    // The clinic's time zone, as the server-rendered lines above show it ("03 Dec, 14:05:09").
    var when = new Date(at * 1000), text;
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-GB", { timeZone: zone, day: "2-digit", month: "short", hour: "2-digit",
        minute: "2-digit", second: "2-digit", hour12: false }).formatToParts(when)
        .forEach(function (p) { parts[p.type] = p.value; });
      text = parts.day + " " + parts.month + ", " + parts.hour + ":" + parts.minute + ":" + parts.second;
    } catch (e) { text = when.toLocaleTimeString(); }
    return el("time", null, text);
  }
  function meta(who, at, extra) {
    var p = el("p", "msg-meta");
    p.append(el("span", "who", who), " ", time(at));
    if (extra) p.append(" ", extra);
    return p;
  }
  function render(item) {
    var li;
    if (item.kind === "user") {
      li = el("li", "msg msg--user" + (item.flagged ? " msg--flagged" : ""));
      li.append(meta("Person", item.at, item.flagged ? el("strong", "tag tag--flag", "Risk message") : null));
      var text = el("p", "msg-text");
      (item.segments || [{ text: item.text }]).forEach(function (s) {
        if (s.category) {
          var mark = el("mark", "match", s.text);
          mark.title = s.category;
          mark.append(el("span", "visually-hidden", " (matched: " + s.category + ")"));
          text.append(mark);
        } else { text.append(document.createTextNode(s.text)); }
      });
      li.append(text);
      if (item.categories && item.categories.length) li.append(el("p", "msg-why", "Matched: " + item.categories.join("; ")));
    } else if (item.kind === "staff") {
      li = el("li", "msg msg--staff");
      li.append(meta(item.who, item.at), el("p", "msg-text", item.text));
    } else if (item.kind === "bot") {
      li = el("li", "msg msg--bot");
      li.append(meta("Assistant", item.at), el("p", "msg-text", item.text));
    } else if (item.kind === "resources") {
      li = el("li", "msg msg--event");
      var p = el("p");
      p.append(time(item.at), " ", el("strong", null, (item.text === "emergency" ? "Emergency" : "Crisis") + " resources shown:"),
        " " + (item.resources || []).join(", "));
      li.append(p);
    } else {
      li = el("li", "msg msg--event" + (item.kind === "handoff" ? " msg--handoff" : ""));
      var q = el("p");
      q.append(time(item.at), " ", el("strong", null, item.text));
      li.append(q);
    }
    list.append(li);
  }

  function applyState(body) {
    if (body.state_words) stateLine.textContent = body.state_words;
    var state = body.state || {};
    var mine = state.mine && state.current === id;
    reply.hidden = !mine;
    takeOver.hidden = !state.active || state.mine;
    root.setAttribute("data-mine", mine ? "true" : "false");
  }

  function apply(body) {
    if (body.signed_out) { window.location.assign("/console/login?notice=expired"); return; }
    (body.items || []).forEach(render);
    (body.flag_alerts || []).forEach(function (words) { alerts.append(el("p", "banner banner--error", words)); });
    if (typeof body.cursor === "number") cursor = body.cursor;
    applyState(body);
    if (body.items && body.items.length) window.scrollTo(0, document.body.scrollHeight);
  }

  /* --- push, with polling when the stream keeps failing --- */
  var failures = 0, polling = false;
  function poll() {
    fetch(base + "/updates?after=" + cursor, { credentials: "same-origin", headers: { "Accept": "application/json", "X-Console-Poll": "1" } })
      .then(function (r) {
        if (r.status === 401) { apply({ signed_out: true }); throw new Error("signed out"); }
        return r.json();
      })
      .then(apply)
      .catch(function () {})
      .finally(function () { setTimeout(poll, 2000); });
  }
  function startPolling() { if (!polling) { polling = true; poll(); } }
  if (typeof EventSource === "function") {
    var source = new EventSource(base + "/events?after=" + cursor);
    source.addEventListener("update", function (event) {
      failures = 0;
      try { apply(JSON.parse(event.data)); } catch (e) { /* ignore a broken event */ }
    });
    source.addEventListener("error", function () {
      failures += 1;
      if (failures >= 3) { source.close(); startPolling(); }
    });
  } else { startPolling(); }

  /* --- sending without a reload --- */
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = box.value;
    if (!text.trim()) return;
    problem.hidden = true;
    var body = new URLSearchParams();
    body.set("text", text);
    fetch(form.action, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRF-Token": csrf, "Accept": "application/json" },
    }).then(function (r) {
      return r.json().then(function (answer) {
        if (!r.ok) throw new Error(answer.message || "Not sent.");
        if (box.value === text) box.value = "";
        box.focus();
      });
    }).catch(function (error) {
      problem.textContent = error.message || "Not sent. Try again.";
      problem.hidden = false;
    });
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });
})();
