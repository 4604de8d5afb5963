// The officer's terminal: live alerts over Server-Sent Events (resuming with Last-Event-ID), sound and
// vibration for P1/P2, dots on the server-drawn map, one-tap acknowledge. No libraries, no external requests.
(function () {
  "use strict";
  var root = document.getElementById("terminal");
  if (!root) return;
  var T = JSON.parse(document.getElementById("i18n").textContent);
  // the label tables in the page's language (pingan.alerts.labels.js_table): the stream carries codes
  var L = JSON.parse(document.getElementById("labels").textContent);
  var TZ = root.dataset.tz || undefined;
  var list = document.getElementById("alerts");
  var empty = document.getElementById("empty");
  var conn = document.getElementById("conn");
  var map = document.getElementById("map");
  var seenSeq = new Set();
  var cards = {};
  var audio = null;

  // the page's language: a unit's or a fence's English name is said on a page that is not Chinese
  var chinese = (document.documentElement.lang || "zh").toLowerCase().indexOf("zh") === 0;
  // the values a sentence shows, as pingan.alerts.labels.display_params: codes as labels, a count's area named
  function values(a) {
    var p = {}, k, params = a.params || {};
    for (k in params) if (Object.prototype.hasOwnProperty.call(params, k)) p[k] = params[k] == null ? "" : String(params[k]);
    if ("type" in p) p.type = L.event_types[p.type] || p.type;
    if ("category" in p) p.category = L.categories[p.category] || p.category.replace(/_/g, " ");
    else if (a.summary === "immediate.incident") p.category = L.event_types.incident;
    if (a.summary === "count") p.area = (!chinese && p.area_name_en) || p.area_name || deviceName(a) || p.area || "";
    return p;
  }
  // an alert's sentence, as pingan.alerts.labels.summary_text (never a code: an unknown one is said plainly)
  function fmt(a) {
    var code = a.summary || "", s = L.summaries[code];
    if (s == null && code.indexOf("immediate.") === 0) {
      var t = L.event_types[code.slice(10)];
      if (t) return t.charAt(0).toUpperCase() + t.slice(1);
    }
    var p = values(a);
    var text = (s == null ? L.unknown_summary : s).replace(/\{(\w+)\}/g, function (_, k) { return p[k] != null ? p[k] : ""; });
    if (p.category && (s == null || s.indexOf("{category}") < 0))
      text = L.with_category.replace("{summary}", text).replace("{category}", p.category);
    return text;
  }
  // date and time in the bureau's time zone with its offset, as pingan.alerts.labels.when; an alert from a
  // device in another zone (its time_zone: the Chicago replay) on that place's clock, its offset saying which
  // the unit in the page's language: its English name on a page that is not Chinese, when it has one
  // (core.models.OrgUnit.label; the stream carries both, it is pushed without a viewer)
  function unitName(a) { return (!chinese && a.unit_en) ? a.unit_en : (a.unit || ""); }
  function deviceName(a) { return (!chinese && a.device_name_en) ? a.device_name_en : (a.device_name || ""); }
  function when(iso, zone) {
    var d = new Date(iso), parts = {};
    try {
      new Intl.DateTimeFormat("en-GB", {timeZone: zone || TZ, year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "longOffset"})
        .formatToParts(d).forEach(function (x) { parts[x.type] = x.value; });
      var off = (parts.timeZoneName || "GMT").replace("GMT", "UTC");
      return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute + ":" +
        parts.second + " " + off;
    } catch (e) { return d.toISOString(); }
  }
  function csrf() {
    var el = document.querySelector("input[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = 880; o.connect(g); g.connect(audio.destination);
      g.gain.setValueAtTime(0.3, audio.currentTime); o.start(); o.stop(audio.currentTime + 0.4);
    } catch (e) { /* no audio: vibration and the banner still tell */ }
    if (navigator.vibrate) navigator.vibrate([300, 100, 300]);
  }
  function dot(a) {
    if (!map || a.lon == null) return;
    var x = 4 + (a.lon - parseFloat(map.dataset.minlon)) * parseFloat(map.dataset.kx) * parseFloat(map.dataset.scale);
    var y = 4 + (parseFloat(map.dataset.maxlat) - a.lat) * parseFloat(map.dataset.scale);
    var c = document.createElementNS("http://www.w3.org/2000/svg", "circle");
    c.setAttribute("cx", x.toFixed(1)); c.setAttribute("cy", y.toFixed(1)); c.setAttribute("r", "5");
    c.setAttribute("class", "dot " + a.priority); c.id = "dot-" + a.id;
    var title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    title.textContent = fmt(a); c.appendChild(title);
    document.getElementById("dots").appendChild(c);
  }
  function render(a, kind) {
    var li = cards[a.id];
    var isNew = !li;
    if (a.state === "closed") {
      if (li) { li.remove(); delete cards[a.id]; var d = document.getElementById("dot-" + a.id); if (d) d.remove(); }
      empty.hidden = list.children.length > 0;
      return;
    }
    if (!li) {
      li = document.createElement("li");
      li.dataset.alert = a.id;
      cards[a.id] = li;
      list.insertBefore(li, list.firstChild);
      dot(a);
    }
    li.className = "alert " + a.priority + " " + a.state;
    li.innerHTML = "";
    var head = document.createElement("div");
    head.className = "head";
    // the priority as the server's priority_badge tag draws it: its words on its colour (P1 stands out)
    var prio = document.createElement("span");
    prio.className = "prio-badge " + (L.priorities[a.priority] ? a.priority : "P4");
    prio.textContent = L.priorities[a.priority] || a.priority;
    head.appendChild(prio);
    head.appendChild(document.createTextNode(" " + fmt(a)));
    var meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = when(a.raised_at, a.time_zone) + " · " + unitName(a) + " · " +
      (L.states[a.state] || a.state) + (a.owner ? " " + T.by + " " + ((!chinese && a.owner_en) ? a.owner_en : a.owner) : "") + (kind === "escalation" ? " · " + T.escalated : "");
    li.appendChild(head); li.appendChild(meta);
    var actions = document.createElement("div");
    actions.className = "actions";
    if (a.state === "new") {
      var b = document.createElement("button");
      b.type = "button"; b.className = "primary ack"; b.textContent = T.ack;
      b.addEventListener("click", function () { ack(a.id, b); });
      actions.appendChild(b);
    }
    var link = document.createElement("a");
    // carries this page in ?from= as the server's url_from tag does, so the alert's back link returns here
    link.href = "/alerts/" + a.id + "/?from=" + encodeURIComponent(location.pathname).replace(/%2F/g, "/");
    link.textContent = T.open;
    actions.appendChild(link);
    li.appendChild(actions);
    empty.hidden = true;
    if (isNew && (a.priority === "P1" || a.priority === "P2") && kind !== "update") beep();
  }
  function ack(id, button) {
    button.disabled = true;
    var body = new URLSearchParams({to: "acknowledged"});
    fetch("/alerts/" + id + "/", {method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrf(), "Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (j) { if (!j.ok) { button.disabled = false; alert(j.error); } });
  }
  // a notice that is not an alert: a re-screening after new risk data raised hits on people of the unit's
  // premises; the card says how many and links to the jurisdiction view listing them (no names here)
  function notice(n) {
    var li = document.createElement("li");
    li.className = "alert notice";
    li.dataset.notice = n.id;
    var head = document.createElement("div");
    head.className = "head";
    head.textContent = fmt(n);
    var meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = when(n.raised_at, n.time_zone);
    var actions = document.createElement("div");
    actions.className = "actions";
    var link = document.createElement("a");
    link.href = n.url; link.textContent = T.view_people;
    actions.appendChild(link);
    li.appendChild(head); li.appendChild(meta); li.appendChild(actions);
    list.insertBefore(li, list.firstChild);
    empty.hidden = true;
  }
  JSON.parse(document.getElementById("initial-alerts").textContent).forEach(function (a) { render(a, "alert"); });
  empty.hidden = list.children.length > 0;
  var sound = document.getElementById("sound");
  if (sound) sound.addEventListener("click", function () { beep(); sound.hidden = true; });
  if (root.dataset.onDuty !== "1" || !window.EventSource) return;
  var es = new EventSource(root.dataset.stream);
  function onItem(kind) {
    return function (ev) {
      var seq = parseInt(ev.lastEventId, 10);
      if (seenSeq.has(seq)) return;   // the server sends each once; this guards a page that was reloaded
      seenSeq.add(seq);
      var a = JSON.parse(ev.data);
      render(a, kind);
      (a.group || []).forEach(function (g) { render(g, kind); });
      root.dataset.received = String(seenSeq.size);
    };
  }
  es.addEventListener("alert", onItem("alert"));
  es.addEventListener("escalation", onItem("escalation"));
  es.addEventListener("update", onItem("update"));
  es.addEventListener("hits", function (ev) {
    var seq = parseInt(ev.lastEventId, 10);
    if (seenSeq.has(seq)) return;
    seenSeq.add(seq);
    notice(JSON.parse(ev.data));
    root.dataset.received = String(seenSeq.size);
  });
  es.addEventListener("hello", function () { if (conn) { conn.textContent = T.online; conn.dataset.state = "live"; } });
  es.onerror = function () { if (conn) { conn.textContent = T.offline; conn.dataset.state = "offline"; } };
  window.pinganStream = es;
})();
