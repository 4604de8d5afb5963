// The command-centre console: polls the changes since its cursor every 500 ms (only changed units and alerts come back),
// draws units, alerts and devices on the server-drawn SVG map (no tile server), the open-alerts board with age
// against the acknowledge target, and the unit-status board. The dispatch panel of an alert is an htmx partial.
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root) return;
  var T = JSON.parse(document.getElementById("i18n").textContent);
  var map = document.getElementById("map");
  var url = root.dataset.stateUrl;
  var conn = document.getElementById("conn");
  var NS = "http://www.w3.org/2000/svg";

  function t(k, fallback) { return T[k] || fallback || k; }
  function xy(lon, lat) {
    var d = map.dataset;
    return [4 + (lon - parseFloat(d.minlon)) * parseFloat(d.kx) * parseFloat(d.scale),
            4 + (parseFloat(d.maxlat) - lat) * parseFloat(d.scale)];
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }
  function shape(layer, tag, attrs, title) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (title) { var ti = document.createElementNS(NS, "title"); ti.textContent = title; e.appendChild(ti); }
    layer.appendChild(e);
    return e;
  }
  var DUR = JSON.parse(document.getElementById("durations").textContent);
  var LANG = document.documentElement.lang || undefined;
  var TZ = root.dataset.tz || undefined;
  function fill(s, params) {
    return s.replace(/\{(\w+)\}/g, function (_, k) { return params && params[k] != null ? params[k] : ""; });
  }
  // The same wording as the server's dispatch.durations: "2 分 16 秒" / "2 min 16 s" in the page's language.
  function age(sec) {
    var s = Math.max(0, Math.round(sec)), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return h ? fill(DUR["dur.hm"], {h: h, m: m}) : m && r ? fill(DUR["dur.ms"], {m: m, s: r})
      : m ? fill(DUR["dur.m"], {m: m}) : fill(DUR["dur.s"], {s: r});
  }
  // On the bureau's clock (the server's TIME_ZONE), not the browser's.
  // An alert raised on another day says its date too.
  function clock(iso) {
    var d = new Date(iso), day = {timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit"};
    var time = d.toLocaleTimeString(LANG, {timeZone: TZ, hour12: false});
    var date = d.toLocaleDateString(LANG, day);
    return date === new Date().toLocaleDateString(LANG, day) ? time : date + " " + time;
  }

  // Units and alerts are kept by id; each answer of the server carries only what changed (or everything,
  // "full"), and only those elements are redrawn.
  var units = {}, alerts = {}, devices = [];
  var unitMark = {}, unitTile = {}, alertMark = {};

  function apply(s) {
    var now = Date.now();
    if (s.full) {
      units = {}; alerts = {};
      for (var k in unitMark) unitMark[k].remove();
      for (k in alertMark) alertMark[k].remove();
      unitMark = {}; alertMark = {}; unitTile = {};
      document.getElementById("units-board").textContent = "";
    }
    s.units.forEach(function (u) { units[u.id] = u; drawUnit(u); });
    s.alerts.forEach(function (a) { a._recv = now; alerts[a.id] = a; drawAlertMark(a); });
    (s.removed || []).forEach(function (id) {
      delete alerts[id];
      if (alertMark[id]) { alertMark[id].remove(); delete alertMark[id]; }
    });
    if (s.devices) { devices = s.devices; drawDevices(); }
    root.dataset.cursor = s.cursor;
    if (s.units.length || s.alerts.length || (s.removed || []).length || s.full) { drawAlerts(); counters(); }
  }

  function drawDevices() {
    if (!map) return;
    var layer = document.getElementById("layer-devices");
    layer.textContent = "";
    devices.forEach(function (d) {
      var p = xy(d.lon, d.lat);
      shape(layer, "rect", {x: (p[0] - 3).toFixed(1), y: (p[1] - 3).toFixed(1), width: 6, height: 6,
        "class": "device " + d.status, "data-device": d.id}, d.name + " · " + d.status);
    });
  }

  function drawAlertMark(a) {
    if (!map) return;
    if (alertMark[a.id]) { alertMark[a.id].remove(); delete alertMark[a.id]; }
    if (a.lon == null) return;
    var p = xy(a.lon, a.lat);
    alertMark[a.id] = shape(document.getElementById("layer-alerts"), "circle", {cx: p[0].toFixed(1),
      cy: p[1].toFixed(1), r: a.priority === "P1" ? 9 : 7, "class": "alert " + a.priority + " " + a.state,
      "data-alert": a.id}, (a.priority_label || a.priority) + " · " + (a.text || t(a.summary, a.rule)));
  }

  function drawUnit(u) {
    // "kind-" prefixed: the site's stylesheet has a .foot (the page footer) that a foot patrol must not get
    var cls = "unit kind-" + u.kind + " " + u.status + (u.stale ? " stale" : "");
    var title = u.code + " · " + t("kind." + u.kind) + " · " + t("status." + u.status) +
      (u.battery != null ? " · " + t("battery") + " " + Math.round(u.battery) + "%" : "") + (u.stale ? " · " + t("stale") : "");
    if (map) {
      if (unitMark[u.id]) { unitMark[u.id].remove(); delete unitMark[u.id]; }
      if (u.lon != null) {
        var p = xy(u.lon, u.lat), layer = document.getElementById("layer-units");
        unitMark[u.id] = u.kind === "drone"
          ? shape(layer, "path", {d: "M" + p[0].toFixed(1) + "," + (p[1] - 6).toFixed(1) + " l5,10 l-10,0 z",
              "class": cls, "data-unit": u.code}, title)
          : shape(layer, "circle", {cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: 4.5, "class": cls,
              "data-unit": u.code}, title);
      }
    }
    var tile = unitTile[u.id];
    if (!tile) {
      tile = unitTile[u.id] = el("div", {"data-unit": u.code});
      tile.appendChild(el("b", {}, u.code));
      tile.appendChild(el("span"));
      stationGroup(u.station).appendChild(tile);
    }
    tile.className = "tile " + u.status + " kind-" + u.kind + (u.stale ? " stale" : "");
    tile.dataset.status = u.status;
    tile.title = title;
    tile.lastChild.textContent = t("status." + u.status) + (u.battery != null ? " · " + Math.round(u.battery) + "%" : "");
    tile.firstChild.textContent = u.code + (u.kind === "drone" ? " ▲" : "");
  }

  function stationGroup(name) {
    var board = document.getElementById("units-board");
    var groups = board.querySelectorAll(".station");
    for (var i = 0; i < groups.length; i++) {
      if (groups[i].dataset.station === name) return groups[i];
    }
    var g = el("div", {"class": "station", "data-station": name});
    g.appendChild(el("h3", {}, name));
    var before = null;  // keep the stations in order of name
    for (i = 0; i < groups.length; i++) {
      if (groups[i].dataset.station > name) { before = groups[i]; break; }
    }
    board.insertBefore(g, before);
    return g;
  }

  function counters() {
    var n = 0, avail = 0, na = 0;
    for (var k in units) { n++; if (units[k].status === "available") avail++; }
    for (k in alerts) na++;
    document.getElementById("n-units").textContent = n;
    document.getElementById("no-units").hidden = n > 0;  // say why the board is empty, and what to do
    document.getElementById("n-available").textContent = avail;
    document.getElementById("n-alerts").textContent = na;
  }

  var H = Array.prototype.map.call(document.querySelectorAll("#alerts-board thead th"), function (th) {
    return th.textContent.trim(); });

  function drawAlerts() {
    var body = document.querySelector("#alerts-board tbody");
    body.textContent = "";
    var list = Object.keys(alerts).map(function (k) { return alerts[k]; });
    list.sort(function (x, y) { return x.priority < y.priority ? -1 : x.priority > y.priority ? 1 :
      (x.created < y.created ? -1 : x.created > y.created ? 1 : x.id - y.id); });
    list.forEach(function (a) {
      var elapsed = Math.max(0, Math.floor((Date.now() - a._recv) / 1000));
      a = Object.assign({}, a, {age_s: a.age_s + elapsed});
      var tr = el("tr", {"class": a.priority + " " + a.state, "data-alert": a.id});
      // the priority as the server's priority_badge tag draws it: its words on its colour (P1 stands out)
      var prio = el("td", {"class": "prio", "data-label": H[0]});
      prio.appendChild(el("span", {"class": "prio-badge " + (/^P[1-4]$/.test(a.priority) ? a.priority : "P4")},
        a.priority_label || a.priority));
      tr.appendChild(prio);
      var what = el("td", {"class": "what", "data-label": H[1]}, a.text || t(a.summary, a.rule));
      what.appendChild(el("small", {}, (a.place ? a.place + " · " : "") + clock(a.raised || a.created)));
      tr.appendChild(what);
      tr.appendChild(el("td", {"class": "station", "data-label": H[2]}, a.unit));
      tr.appendChild(el("td", {"class": "age", "data-label": H[3]}, age(a.age_s)));
      var ack = el("td", {"class": "ack", "data-label": H[4]});
      if (a.ack_s != null) {
        ack.textContent = t("acked_in") + " " + age(a.ack_s);
        ack.className = "ack " + (a.ack_target_s != null && a.ack_s > a.ack_target_s ? "late" : "ok");
      } else if (a.ack_target_s != null) {
        var left = a.ack_target_s - a.age_s;
        var bar = el("span", {"class": "meter"});
        var fill = el("span", {"class": "fill"});
        fill.style.width = Math.min(100, Math.round(a.age_s / a.ack_target_s * 100)) + "%";
        bar.appendChild(fill);
        ack.appendChild(bar);
        ack.appendChild(document.createTextNode(left >= 0 ? " " + age(left) : " " + t("overdue")));
        ack.className = "ack " + (left >= 0 ? "pending" : "overdue");
      }
      tr.appendChild(ack);
      tr.appendChild(el("td", {"class": "state", "data-label": H[5]}, t("state." + a.state, a.state)));
      tr.appendChild(el("td", {"class": "assigned", "data-label": H[6]}, a.assignments.map(function (x) {
        return x.unit + " (" + t("a." + x.state, x.state) + ")"; }).join(", ")));
      var td = el("td", {"class": "act"});
      var b = el("button", {type: "button", "class": "dispatch", "hx-get": "/dispatch/console/alerts/" + a.id + "/",
        "hx-target": "#panel", "hx-swap": "innerHTML"}, t("dispatch"));
      td.appendChild(b);
      tr.appendChild(td);
      body.appendChild(tr);
    });
    document.getElementById("no-alerts").hidden = list.length > 0;
    if (window.htmx) window.htmx.process(body);
  }

  function poll() {
    fetch(url + "?cursor=" + encodeURIComponent(root.dataset.cursor || ""), {credentials: "same-origin",
      headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (s) {
        conn.dataset.state = "live"; conn.textContent = t("live");
        apply(s);
      })
      .catch(function () { conn.dataset.state = "offline"; conn.textContent = t("offline"); })
      .finally(function () { setTimeout(poll, 500); });
  }
  apply(JSON.parse(document.getElementById("initial-state").textContent));
  poll();
  setInterval(function () { if (!document.querySelector("#alerts-board tbody button:focus")) drawAlerts(); }, 1000);
})();
