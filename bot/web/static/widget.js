/*
 * Clinic chat widget: a launcher button and a chat panel that talk to the clinic's chat gateway.
 *
 * Embed with one tag (see docs/widget.md):
 *   <script src="https://chat.example.org/static/widget.js" data-title="Chat with us"></script>
 *
 * Why these choices:
 * - Plain fetch() to the gateway (POST /api/chat), no socket.io: the gateway caps length, rate-limits,
 *   and answers with crisis resources itself when the assistant is down.
 * - Every piece of bot or user text is put on the page with textContent (or as Text nodes), never
 *   parsed as HTML: nothing a person or the bot writes can become markup.
 * - A shadow root keeps the clinic's CSS and ours apart.
 * - The crisis resources arrive with the widget config at page load (and are cached), so "In crisis?
 *   Get help now" works without asking the bot, even when the server is unreachable later.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__clinicChatWidget) return;
  window.__clinicChatWidget = true;

  var data = script.dataset || {};
  var SERVER = (data.server || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  var OPTIONS = {
    title: data.title || "Chat with us",
    launcher: data.launcherLabel || "Chat with us",
    color: data.color || "#1d5c8f",
    locale: data.locale || "",
    startOpen: data.open === "true",
  };
  var KEY = "clinic-chat:" + SERVER + ":";
  var DEFAULT_REPLY_TIMEOUT_S = 10;
  var MAX_BACKOFF_MS = 30000;
  var FIRST_BACKOFF_MS = 2000;

  var TEXT = {
    offline: "Sorry, the assistant can't be reached right now, so your message wasn't sent. " +
      "Your text is still in the message box, and we'll keep trying to reconnect. " +
      "If you need to talk to someone now, these services can help.",
    statusOffline: "The assistant is unavailable. Reconnecting automatically.",
    statusBack: "Connected again. You can carry on.",
    statusBackWithText: "Connected again. Your message is still in the box: press Send when you're ready.",
    notAnswered: "Not answered",
    historyFailed: "Earlier messages couldn't be loaded right now.",
    genericError: "Something went wrong. Please try again.",
    noResources: "If you are in danger now, call your local emergency number.",
    crisisHeading: "Talk to someone now",
    emergencyHeading: "If you are in danger now",
    newChatConfirm: "Start a new conversation? The current one will no longer be shown on this device.",
  };

  /* ---------- storage (may be unavailable: private modes, blocked storage) ---------- */
  var memory = {};
  function store(kind) {
    try { var s = window[kind]; s.setItem(KEY + "probe", "1"); s.removeItem(KEY + "probe"); return s; }
    catch (e) { return null; }
  }
  var local = store("localStorage");
  var session = store("sessionStorage");
  function get(s, name) { try { return s ? s.getItem(KEY + name) : memory[name] || null; } catch (e) { return null; } }
  function set(s, name, value) {
    try { if (s) { s.setItem(KEY + name, value); } else { memory[name] = value; } } catch (e) { memory[name] = value; }
  }
  function remove(s, name) { try { if (s) s.removeItem(KEY + name); } catch (e) { /* ignore */ } delete memory[name]; }

  /*
   * ---------- the conversation: an HttpOnly cookie the web app sets ----------
   * POST /api/chat/start makes (or confirms) the conversation and sets its secret as a cookie that no
   * script on this page can read; every later call sends it (credentials: "include"). This page only
   * remembers THAT a conversation was started (to ask for its history after a reload), never its id.
   */
  var conversationStarting = null;
  var forgetting = Promise.resolve(); // "New chat" clears the cookie: a new start waits for that
  remove(local, "sender"); // widget versions before the cookie kept the conversation id here
  function startConversation() {
    if (!conversationStarting) {
      conversationStarting = forgetting.then(function () {
        // The conversation's locale (data-locale) is fixed at its start: every card it is shown uses it.
        var body = OPTIONS.locale ? JSON.stringify({ locale: OPTIONS.locale }) : "{}";
        return request("/api/chat/start", {
          method: "POST", headers: { "Content-Type": "application/json" }, body: body,
        }, 10000);
      }).then(function (r) {
        if (!r.ok) throw new Error("start");
        set(local, "started", "1");
        return true;
      }).finally(function () { conversationStarting = null; });
    }
    return conversationStarting;
  }
  function ensureConversation() {
    return get(local, "started") === "1" ? Promise.resolve(true) : startConversation();
  }

  /* ---------- colours: keep text contrast >= 4.5:1 whatever data-color says ---------- */
  function parseHex(value) {
    var m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(value).trim());
    if (!m) return null;
    var hex = m[1].length === 3 ? m[1].replace(/./g, "$&$&") : m[1];
    return [0, 2, 4].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); });
  }
  function luminance(rgb) {
    var c = rgb.map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  function toHex(rgb) { return "#" + rgb.map(function (v) { return (Math.round(v) + 0x100).toString(16).slice(1); }).join(""); }
  function applyColours(host) {
    var accent = parseHex(OPTIONS.color) || parseHex("#1d5c8f");
    var white = [255, 255, 255], dark = [17, 24, 32];
    var onAccent = contrast(accent, white) >= contrast(accent, dark) ? white : dark;
    var text = accent.slice();
    for (var i = 0; i < 20 && contrast(text, white) < 4.5; i++) {
      text = text.map(function (v) { return v * 0.85; });
    }
    host.style.setProperty("--cw-accent", toHex(accent));
    host.style.setProperty("--cw-on-accent", toHex(onAccent));
    host.style.setProperty("--cw-accent-text", toHex(text));
  }

  /* ---------- DOM helper: attributes and text only; strings become Text nodes ---------- */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) { if (child !== null && child !== undefined) node.append(child); });
    return node;
  }
  var uid = 0;
  function nextId(prefix) { uid += 1; return prefix + uid; }

  /* URLs in text become links; everything stays a Text node. */
  var URL_PATTERN = /https?:\/\/[^\s<>"')]+[^\s<>"').,;:!?]/g;
  function richText(text) {
    var parts = [], last = 0, match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      if (match.index > last) parts.push(text.slice(last, match.index));
      parts.push(el("a", { href: match[0], target: "_blank", rel: "noopener noreferrer", text: match[0] }));
      last = match.index + match[0].length;
    }
    if (last < text.length) parts.push(text.slice(last));
    return parts;
  }

  /* ---------- network ---------- */
  var config = null;
  function replyTimeoutMs() {
    var seconds = (config && config.reply_timeout_seconds) || DEFAULT_REPLY_TIMEOUT_S;
    return (seconds + 5) * 1000; // the gateway answers by itself after `seconds`; this covers the gateway
  }
  function request(path, init, timeoutMs) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, timeoutMs) : null;
    var options = Object.assign({ signal: controller ? controller.signal : undefined, credentials: "include" }, init || {});
    return fetch(SERVER + path, options).finally(function () { if (timer) clearTimeout(timer); });
  }
  function loadConfig() {
    var query = OPTIONS.locale ? "?locale=" + encodeURIComponent(OPTIONS.locale) : "";
    return request("/api/widget-config" + query, {}, 10000)
      .then(function (r) { if (!r.ok) throw new Error("config"); return r.json(); })
      .then(function (c) { config = c; set(local, "config", JSON.stringify(c)); return c; })
      .catch(function () {
        try { config = JSON.parse(get(local, "config") || "null"); } catch (e) { config = null; }
        return config;
      });
  }

  /* ---------- building the widget ---------- */
  var host = el("div", { id: "clinic-chat-widget" });
  host.hidden = true; // shown once our stylesheet has loaded, so nothing flashes unstyled
  applyColours(host);
  var root = host.attachShadow({ mode: "open" });
  var stylesheet = el("link", { rel: "stylesheet", href: SERVER + "/static/widget.css" });
  stylesheet.addEventListener("load", function () { host.hidden = false; });
  stylesheet.addEventListener("error", function () { host.hidden = false; });
  setTimeout(function () { host.hidden = false; }, 3000);

  var chatIcon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  chatIcon.setAttribute("viewBox", "0 0 24 24");
  chatIcon.setAttribute("aria-hidden", "true");
  chatIcon.setAttribute("focusable", "false");
  var iconPath = document.createElementNS("http://www.w3.org/2000/svg", "path");
  iconPath.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
  chatIcon.append(iconPath);

  var launcher = el("button", {
    type: "button", class: "cw-launcher", "aria-expanded": "false", "aria-controls": "cw-panel",
  }, [chatIcon, el("span", { text: OPTIONS.launcher })]);

  var titleId = "cw-title";
  var closeButton = el("button", { type: "button", class: "cw-close", "aria-label": "Close chat", text: "\u00d7" });
  var newChatButton = el("button", { type: "button", class: "cw-new", text: "New chat",
    "aria-label": "New chat (removes this conversation from this device)" });
  var crisisToggle = el("button", {
    type: "button", class: "cw-crisis-toggle", "aria-expanded": "false", "aria-controls": "cw-crisis",
    text: "In crisis? Get help now",
  });
  var crisisRegion = el("div", { id: "cw-crisis", class: "cw-crisis", role: "region", "aria-label": "Crisis support" });
  crisisRegion.hidden = true;

  var notice = el("div", { class: "cw-notice" });
  var log = el("div", {
    class: "cw-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": "Conversation", tabindex: "0",
  }, [notice]);
  var typing = el("div", { class: "cw-typing", "aria-hidden": "true" }, [el("span"), el("span"), el("span")]);
  typing.hidden = true;

  var status = el("p", { class: "cw-status", role: "status" });
  var retryButton = el("button", { type: "button", class: "cw-retry", text: "Try again now" });
  var statusDetailText = el("span");
  var statusDetail = el("p", { class: "cw-status-detail" }, [statusDetailText, retryButton]);
  statusDetail.hidden = true;
  var statusBar = el("div", { class: "cw-statusbar" }, [status, statusDetail]);

  var input = el("textarea", {
    id: "cw-input", class: "cw-input", rows: "2", maxlength: "2000", placeholder: "Type your message",
    autocomplete: "off",
  });
  var sendButton = el("button", { type: "submit", class: "cw-send", text: "Send" });
  var form = el("form", { class: "cw-form", novalidate: true }, [
    el("label", { for: "cw-input", class: "cw-sr", text: "Your message" }), input, sendButton,
  ]);

  var panel = el("div", {
    id: "cw-panel", class: "cw-panel", role: "dialog", "aria-labelledby": titleId, lang: "en",
  }, [
    el("div", { class: "cw-header" }, [
      el("h2", { id: titleId, class: "cw-title", text: OPTIONS.title }), newChatButton, closeButton,
    ]),
    crisisToggle, crisisRegion, log, statusBar, form,
  ]);
  panel.hidden = true;

  root.append(stylesheet, el("div", { class: "cw" }, [panel, launcher]));

  /* ---------- rendering ---------- */
  function scrollToEnd() { log.scrollTop = log.scrollHeight; }
  function appendToLog(node) {
    log.insertBefore(node, typing.parentNode === log ? typing : null);
    scrollToEnd();
    return node;
  }

  function renderNotice() {
    notice.textContent = "";
    var text = (config && config.notice) ||
      "This is an automated assistant, not a therapist. Nobody watches the conversation live.";
    notice.append(el("p", { text: text }));
    if (config && config.privacy_url) {
      notice.append(el("p", {}, [el("a", { href: config.privacy_url, target: "_blank", rel: "noopener",
        text: "How we handle your conversation (privacy notice)" })]));
    }
  }

  function digits(value) { return String(value || "").replace(/[^0-9+*#]/g, ""); }

  /* The contact actions of one resource: call, text (with the keyword as body), website. */
  function resourceActions(resource) {
    var actions = [];
    if (resource.phone) {
      actions.push(el("a", { class: "cw-action cw-action--call", href: "tel:" + digits(resource.phone),
        text: "Call " + resource.phone }));
    }
    var sms = resource.sms; // {"number", "keyword"}: the keyword becomes the message body
    if (sms && typeof sms === "object") {
      var number = sms.number, keyword = sms.keyword;
      if (number) {
        var href = "sms:" + digits(number) + (keyword ? "?&body=" + encodeURIComponent(keyword) : "");
        actions.push(el("a", { class: "cw-action cw-action--sms", href: href,
          text: keyword ? "Text " + keyword + " to " + number : "Text " + number }));
      }
    }
    if (resource.url && /^https?:\/\//i.test(resource.url)) {
      actions.push(el("a", { class: "cw-action cw-action--web", href: resource.url, target: "_blank",
        rel: "noopener noreferrer" }, ["Website", el("span", { class: "cw-sr", text: " of " + (resource.name || "this service") + " (opens in a new tab)" })]));
    }
    return actions;
  }

  /*
   * A crisis_resources payload as a card, in the payload's order: safety.resources puts the emergency
   * number first for kind "emergency" and last (still present) for kind "crisis".
   */
  function resourceCard(payload) {
    var kind = payload && payload.kind === "emergency" ? "emergency" : "crisis";
    var resources = payload && Array.isArray(payload.resources) ? payload.resources : [];
    var headingId = nextId("cw-card-");
    var list = el("ul");
    resources.forEach(function (resource) {
      if (!resource || typeof resource !== "object") return;
      list.append(el("li", {}, [
        el("p", { class: "cw-res-name", text: resource.name || "" }),
        resource.hours ? el("p", { class: "cw-res-hours", text: resource.hours }) : null,
        el("div", { class: "cw-res-actions" }, resourceActions(resource)),
      ]));
    });
    if (!list.children.length) list.append(el("li", { text: TEXT.noResources }));
    return el("section", { class: "cw-card cw-card--" + kind, "aria-labelledby": headingId, "data-kind": kind }, [
      el("h3", { id: headingId, text: kind === "emergency" ? TEXT.emergencyHeading : TEXT.crisisHeading }),
      list,
    ]);
  }

  function bubble(who, text) {
    var node = el("div", { class: "cw-msg cw-msg--" + who }, [
      el("span", { class: "cw-sr", text: who === "user" ? "You: " : who === "bot" ? "Assistant: " : "" }),
    ].concat(richText(text)));
    return appendToLog(node);
  }

  function clearQuickReplies() {
    Array.prototype.forEach.call(log.querySelectorAll(".cw-replies"), function (group) { group.remove(); });
  }

  function quickReplies(buttons) {
    var group = el("div", { class: "cw-replies", role: "group", "aria-label": "Suggested replies" });
    buttons.forEach(function (button) {
      if (!button || typeof button.title !== "string" || typeof button.payload !== "string") return;
      group.append(el("button", { type: "button", class: "cw-reply", text: button.title,
        onclick: function () { send(button.payload, button.title, buttons); } }));
    });
    return group.children.length ? appendToLog(group) : null;
  }

  /* One message from the gateway or the history: text and custom payloads (unknown ones are skipped). */
  function renderBotMessage(message) {
    if (!message || typeof message !== "object") return;
    if (typeof message.text === "string" && message.text) bubble("bot", message.text);
    if (message.custom && message.custom.type === "crisis_resources") appendToLog(resourceCard(message.custom));
    else if (message.custom && typeof message.custom.text === "string") bubble("bot", message.custom.text);
  }

  /* The assistant's messages of one turn; the last set of buttons becomes quick replies. */
  function renderBatch(messages, withReplies) {
    var buttons = null;
    messages.forEach(function (m) {
      renderBotMessage(m);
      if (m && Array.isArray(m.buttons) && m.buttons.length) buttons = m.buttons;
    });
    if (buttons && withReplies !== false) quickReplies(buttons);
  }

  function showTyping(on) {
    if (on) { log.append(typing); typing.hidden = false; scrollToEnd(); }
    else { typing.hidden = true; if (typing.parentNode) typing.remove(); }
  }

  /* ---------- connection state and reconnecting ---------- */
  var offline = false, attempt = 0, retryTimer = null;
  function setStatus(text) { status.textContent = text; }
  function goOffline() {
    statusBar.classList.add("cw-offline");
    statusDetail.hidden = false;
    if (!offline) { offline = true; attempt = 0; setStatus(TEXT.statusOffline); }
    scheduleRetry();
    scrollToEnd(); // the status bar took room from the log: keep its newest messages in view
  }
  function scheduleRetry() {
    clearTimeout(retryTimer);
    var delay = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * Math.pow(2, attempt));
    attempt += 1;
    statusDetailText.textContent = "Next try in " + Math.round(delay / 1000) + " seconds.";
    retryTimer = setTimeout(checkConnection, delay);
  }
  function goOnline() {
    clearTimeout(retryTimer);
    statusBar.classList.remove("cw-offline");
    statusDetail.hidden = true;
    if (offline) {
      offline = false;
      setStatus(input.value.trim() ? TEXT.statusBackWithText : TEXT.statusBack);
    }
  }
  function checkConnection() {
    statusDetailText.textContent = "Trying to reconnect\u2026";
    ensureConversation()
      .then(function () { return request("/api/status", {}, 5000); })
      .then(function (r) {
        if (r.status === 401) { remove(local, "started"); throw new Error("no conversation"); }
        return r.json();
      })
      .then(function (body) {
        if (body && body.assistant_available) {
          goOnline();
          if (!config) loadConfig().then(renderNotice);
        } else { scheduleRetry(); }
      })
      .catch(scheduleRetry);
  }
  retryButton.addEventListener("click", function () { clearTimeout(retryTimer); checkConnection(); });

  /* ---------- sending ---------- */
  var busy = false;
  function restoreInput(text) {
    var current = input.value;
    input.value = current.trim() ? text + "\n" + current : text;
  }
  function markNotAnswered(node) {
    node.classList.add("cw-msg--failed");
    node.append(el("span", { class: "cw-msg-note", text: TEXT.notAnswered }));
  }

  /*
   * Send typed text (title undefined) or a quick reply (payload + title + its button set).
   * When the message is not answered, typed text goes back into the box and quick replies come back.
   */
  function send(text, title, buttons) {
    if (busy || !text.trim()) return;
    busy = true;
    var typed = title === undefined;
    clearQuickReplies();
    var mine = bubble("user", typed ? text : title);
    if (typed) input.value = "";
    input.focus();
    showTyping(true);
    function notAnswered() {
      markNotAnswered(mine);
      if (typed) restoreInput(text);
      else if (buttons) quickReplies(buttons);
    }
    function post() {
      return request("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ message: text }),
      }, replyTimeoutMs());
    }
    ensureConversation().then(post)
      .then(function (response) {
        // The cookie is gone (expired, cleared, or blocked): start a conversation and send once more.
        if (response.status !== 401) return response;
        remove(local, "started");
        return startConversation().then(post);
      })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          showTyping(false);
          if (response.ok && Array.isArray(body.messages)) {
            if (body.assistant_unavailable) notAnswered();
            renderBatch(body.messages);
            if (body.assistant_unavailable) goOffline(); else goOnline();
            return;
          }
          notAnswered();
          bubble("system", body.message || TEXT.genericError);
          if (body.resources) appendToLog(resourceCard(body.resources));
        });
      })
      .catch(function () {
        showTyping(false);
        notAnswered();
        bubble("system", TEXT.offline);
        appendToLog(resourceCard(config && config.resources));
        goOffline();
      })
      .finally(function () { busy = false; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send(input.value);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send(input.value);
    }
  });

  /* ---------- history after a reload ---------- */
  function loadHistory() {
    if (get(local, "started") !== "1") return Promise.resolve();
    return request("/api/chat/history", {}, 10000)
      .then(function (r) {
        if (r.status === 401) { remove(local, "started"); return { messages: [] }; } // nothing to show
        if (!r.ok) throw new Error("history");
        return r.json();
      })
      .then(function (body) {
        var messages = Array.isArray(body.messages) ? body.messages : [];
        var turn = [];
        messages.forEach(function (m) {
          if (m.sender === "user") {
            renderBatch(turn, false);
            turn = [];
            if (m.text) bubble("user", m.text);
          } else { turn.push(m); }
        });
        renderBatch(turn, true); // only the assistant's latest turn keeps its quick replies
      })
      .catch(function () { bubble("system", TEXT.historyFailed); goOffline(); });
  }

  /* ---------- opening, closing, crisis panel ---------- */
  function open(moveFocus) {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    set(session, "open", "1");
    scrollToEnd();
    if (moveFocus) input.focus();
  }
  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    set(session, "open", "0");
    launcher.focus();
  }
  launcher.addEventListener("click", function () { if (panel.hidden) open(true); else close(); });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); close(); }
  });

  crisisToggle.addEventListener("click", function () {
    var show = crisisRegion.hidden;
    crisisRegion.textContent = "";
    if (show) crisisRegion.append(resourceCard(config && config.resources)); // the emergency number is in it
    crisisRegion.hidden = !show;
    crisisToggle.setAttribute("aria-expanded", String(show));
  });

  newChatButton.addEventListener("click", function () {
    if (!window.confirm(TEXT.newChatConfirm)) return;
    remove(local, "started");
    forgetting = request("/api/chat/forget", { method: "POST" }, 10000).catch(function () { /* a new start replaces it */ });
    Array.prototype.slice.call(log.children).forEach(function (child) { if (child !== notice) child.remove(); });
    goOnline();
    setStatus("");
    input.value = "";
    input.focus();
  });

  /* ---------- start ---------- */
  function start() {
    document.body.append(host);
    loadConfig().then(function () {
      renderNotice();
      if (config && config.max_message_chars) input.setAttribute("maxlength", String(config.max_message_chars));
      return loadHistory();
    }).then(function () {
      if (OPTIONS.startOpen || get(session, "open") === "1") open(false);
    });
  }
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
