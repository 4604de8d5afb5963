// The officer's unit terminal: assignments arrive on the alerts live stream (SSE, event "assignment", resumed
// with Last-Event-ID by the browser; event "left" when an alert is taken off the unit); Accept / Decline answer them; the browser's position (W3C Geolocation,
// WGS-84) is reported every 10 s while the page is open and the officer allowed it. No libraries.
(function () {
  "use strict";
  var root = document.getElementById("unit-terminal");
  if (!root) return;
  var T = JSON.parse(document.getElementById("i18n").textContent);
  var list = document.getElementById("assignments");
  var conn = document.getElementById("conn");
  var gps = document.getElementById("gps");
  function csrf() {
    var el = document.querySelector("input[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }
  function answer(id, value, li) {
    var body = new URLSearchParams({answer: value});
    fetch("/dispatch/terminal/assignments/" + id + "/", {method: "POST", credentials: "same-origin", body: body,
      headers: {"X-CSRFToken": csrf(), "Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (j) {
        li.classList.remove("offered");
        li.classList.add(j.ok ? j.state : "error");
        var acts = li.querySelector(".actions"); if (acts) acts.remove();
        li.querySelector(".meta").textContent += " · " + (j.ok ? (T[j.state] || j.state) : (j.error || ""));
        if (j.ok) setTimeout(function () { window.location.reload(); }, 800);
      });
  }
  function wire(li) {
    li.querySelectorAll("button.accept, button.decline").forEach(function (b) {
      b.addEventListener("click", function (ev) {
        ev.preventDefault();
        answer(li.dataset.assignment, b.classList.contains("accept") ? "accept" : "decline", li);
      });
    });
  }
  list.querySelectorAll("li.assignment").forEach(wire);
  var SUM = JSON.parse(document.getElementById("summaries").textContent);
  // Priorities with their meaning ("P1 危及生命") and rules by their title, never the codes alone.
  var NAMES = JSON.parse(document.getElementById("alert-names").textContent);
  var DUR = JSON.parse(document.getElementById("durations").textContent);
  var LANG = document.documentElement.lang || undefined;
  var TZ = root.dataset.tz || undefined;
  function fill(s, params) {
    return s.replace(/\{(\w+)\}/g, function (_, k) { return params && params[k] != null ? params[k] : ""; });
  }
  // The same wording as the server's dispatch.durations: "约 2 分 16 秒" / "about 2 min 16 s".
  function duration(sec, approx) {
    var s = Math.max(0, Math.round(sec)), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var d = h ? fill(DUR["dur.hm"], {h: h, m: m}) : m && r ? fill(DUR["dur.ms"], {m: m, s: r})
      : m ? fill(DUR["dur.m"], {m: m}) : fill(DUR["dur.s"], {s: r});
    return approx ? fill(DUR["dur.about"], {d: d}) : d;
  }
  // The one wording of an estimate (dispatch.durations.eta_text): "about 2 min 16 s", "at most 9 min 20 s",
  // "2 min – 9 min 30 s", as the console's candidates and the API say it.
  function etaText(eta, low, high) {
    if (low == null || high == null) return duration(eta, true);
    var a = duration(low, false), b = duration(high, false);
    if (a === b) return duration(eta, true);
    if (Math.round(low) === 0) return fill(DUR["dur.upto"], {high: b});
    return fill(DUR["dur.range"], {low: a, high: b});
  }
  // On the bureau's clock (the server's TIME_ZONE), not the phone's.
  function clock(iso) {
    return new Date(iso).toLocaleTimeString(LANG, {timeZone: TZ, hour12: false});
  }
  // The priority as the server's priority_badge tag draws it: its words on its colour (P1 stands out).
  function badge(code) {
    var b = document.createElement("span");
    b.className = "prio-badge " + (NAMES.priorities[code] ? code : "P4");
    b.textContent = NAMES.priorities[code] || code;
    return b;
  }
  function show(p) {
    if (list.querySelector("li[data-assignment='" + p.assignment + "']")) return;
    var li = document.createElement("li");
    li.className = "assignment " + p.state + " " + p.alert.priority;
    li.dataset.assignment = p.assignment;
    var head = document.createElement("div"); head.className = "head";
    head.appendChild(badge(p.alert.priority));
    head.appendChild(document.createTextNode(" " +
      (SUM[p.alert.summary] ? fill(SUM[p.alert.summary], p.alert.params)
        : NAMES.rules[p.alert.rule] || NAMES.unknown_rule) + " #" + p.alert.id));
    var where = document.createElement("div"); where.className = "where";
    var place = (!/^zh/i.test(LANG || "zh") && p.alert.place_en) || p.alert.place;
    where.textContent = (place ? place + " · " : "") + T.raised + " " + clock(p.alert.raised_at);
    var meta = document.createElement("div"); meta.className = "meta";
    meta.textContent = p.unit + " · " + (T[p.state] || p.state) +
      (p.eta_s != null ? " · " + T.eta + " " + etaText(p.eta_s, p.eta_min_s, p.eta_max_s) : "") + " · " + T.answer_by + " " + clock(p.answer_by);
    var acts = document.createElement("div"); acts.className = "actions";
    [["accept", "primary accept"], ["decline", "decline"]].forEach(function (x) {
      var b = document.createElement("button"); b.type = "button"; b.className = x[1]; b.textContent = T[x[0]];
      acts.appendChild(b);
    });
    li.appendChild(head); li.appendChild(where); li.appendChild(meta); li.appendChild(acts);
    list.insertBefore(li, list.firstChild);
    wire(li);
    document.getElementById("no-assignments").hidden = true;
    root.dataset.received = String(parseInt(root.dataset.received, 10) + 1);
    if (navigator.vibrate) navigator.vibrate([300, 100, 300]);
  }
  // An alert taken off the unit (reassigned, stood down, the offer declined by a crewmate or expired, cleared):
  // its card goes and the page says why; the page is then drawn again (the unit's status and its buttons
  // changed), the notice kept across the reload.
  var LEFT = JSON.parse(document.getElementById("left-texts").textContent);
  var notice = document.getElementById("left-notice");
  function say(text) { notice.textContent = text; notice.hidden = false; }
  try {
    var kept = sessionStorage.getItem("pingan-left");
    if (kept) { sessionStorage.removeItem("pingan-left"); say(kept); }
  } catch (e) { /* storage refused: the notice is shown until the reload only */ }
  function left(p) {
    var li = list.querySelector("li[data-assignment='" + p.assignment + "']");
    if (li) li.remove();
    if (!list.querySelector("li.assignment")) document.getElementById("no-assignments").hidden = false;
    var text = fill(LEFT[p.reason] || LEFT.cleared, {unit: p.unit, id: p.alert.id});
    say(text);
    root.dataset.left = String(parseInt(root.dataset.left || "0", 10) + 1);
    try { sessionStorage.setItem("pingan-left", text); } catch (e) { /* see above */ }
    if (navigator.vibrate) navigator.vibrate([200]);
    setTimeout(function () { window.location.reload(); }, 4000);
  }
  if (conn) {
    var es = new EventSource(root.dataset.stream);
    es.addEventListener("left", function (ev) { left(JSON.parse(ev.data)); });
    es.addEventListener("hello", function () { conn.dataset.state = "live"; conn.textContent = T.live; });
    es.addEventListener("assignment", function (ev) { show(JSON.parse(ev.data)); });
    es.onerror = function () { conn.dataset.state = "offline"; conn.textContent = T.offline; };
  }
  if (gps && navigator.geolocation) {
    var last = 0;
    navigator.geolocation.watchPosition(function (pos) {
      var now = Date.now();
      if (now - last < 10000) return;
      last = now;
      fetch(root.dataset.positionUrl, {method: "POST", credentials: "same-origin",
        headers: {"X-CSRFToken": csrf(), "Content-Type": "application/json", "Accept": "application/json"},
        body: JSON.stringify({lon: pos.coords.longitude, lat: pos.coords.latitude, accuracy: pos.coords.accuracy})})
        .then(function (r) { gps.dataset.state = r.ok ? "on" : "error"; gps.textContent = r.ok ? T.gps_on : T.gps_off; });
    }, function () { gps.dataset.state = "off"; gps.textContent = T.gps_off; }, {enableHighAccuracy: true, maximumAge: 5000});
  }
})();
