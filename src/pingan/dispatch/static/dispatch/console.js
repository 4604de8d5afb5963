// The command-centre console: polls the state every 500 ms (an unchanged state costs one small answer),
// draws units, alerts and devices on the server-drawn SVG map (no tile server), the open-alerts board with age
// against the acknowledge target, and the unit-status board. The dispatch panel of an alert is an htmx partial.
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root) return;
  var T = JSON.parse(document.getElementById("i18n").textContent);
  var map = document.getElementById("map");
  var url = root.dataset.stateUrl;
  var state = JSON.parse(document.getElementById("initial-state").textContent);
  var conn = document.getElementById("conn");
  var NS = "http://www.w3.org/2000/svg";
  var received = Date.now();

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
  }
  function age(s) { return s < 120 ? s + " " + t("s") : Math.floor(s / 60) + " min"; }

  function drawMap() {
    if (!map) return;
    var L = {devices: document.getElementById("layer-devices"), alerts: document.getElementById("layer-alerts"),
             units: document.getElementById("layer-units")};
    for (var k in L) L[k].textContent = "";
    state.devices.forEach(function (d) {
      var p = xy(d.lon, d.lat);
      shape(L.devices, "rect", {x: (p[0] - 3).toFixed(1), y: (p[1] - 3).toFixed(1), width: 6, height: 6,
        "class": "device " + d.status, "data-device": d.id}, d.name + " · " + d.status);
    });
    state.alerts.forEach(function (a) {
      if (a.lon == null) return;
      var p = xy(a.lon, a.lat);
      shape(L.alerts, "circle", {cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: a.priority === "P1" ? 9 : 7,
        "class": "alert " + a.priority + " " + a.state, "data-alert": a.id}, a.priority + " " + t(a.summary, a.rule));
    });
    state.units.forEach(function (u) {
      if (u.lon == null) return;
      var p = xy(u.lon, u.lat);
      var cls = "unit " + u.kind + " " + u.status + (u.stale ? " stale" : "");
      if (u.kind === "drone") {
        shape(L.units, "path", {d: "M" + p[0].toFixed(1) + "," + (p[1] - 6).toFixed(1) + " l5,10 l-10,0 z", "class": cls,
          "data-unit": u.code}, u.code + " · " + t("status." + u.status) + (u.battery != null ? " · " + Math.round(u.battery) + "%" : ""));
      } else {
        shape(L.units, "circle", {cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: 4.5, "class": cls, "data-unit": u.code},
          u.code + " · " + t("status." + u.status));
      }
    });
  }

  function drawAlerts() {
    var body = document.querySelector("#alerts-board tbody");
    body.textContent = "";
    var elapsed = Math.max(0, Math.floor((Date.now() - received) / 1000));
    state.alerts.forEach(function (a) {
      a = Object.assign({}, a, {age_s: a.age_s + elapsed});
      var tr = el("tr", {"class": a.priority + " " + a.state, "data-alert": a.id});
      tr.appendChild(el("td", {"class": "prio"}, a.priority));
      tr.appendChild(el("td", {}, t(a.summary, a.rule)));
      tr.appendChild(el("td", {}, a.unit));
      tr.appendChild(el("td", {"class": "age"}, age(a.age_s)));
      var ack = el("td", {"class": "ack"});
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
      tr.appendChild(el("td", {}, t("state." + a.state, a.state)));
      tr.appendChild(el("td", {"class": "assigned"}, a.assignments.map(function (x) {
        return x.unit + " (" + t("a." + x.state, x.state) + ")"; }).join(", ")));
      var td = el("td");
      var b = el("button", {type: "button", "class": "dispatch", "hx-get": "/dispatch/console/alerts/" + a.id + "/",
        "hx-target": "#panel", "hx-swap": "innerHTML"}, t("dispatch"));
      td.appendChild(b);
      tr.appendChild(td);
      body.appendChild(tr);
    });
    document.getElementById("no-alerts").hidden = state.alerts.length > 0;
    if (window.htmx) window.htmx.process(body);
  }

  function drawUnits() {
    var board = document.getElementById("units-board");
    board.textContent = "";
    var stations = {};
    state.units.forEach(function (u) { (stations[u.station] = stations[u.station] || []).push(u); });
    Object.keys(stations).sort().forEach(function (name) {
      var g = el("div", {"class": "station"});
      g.appendChild(el("h3", {}, name));
      stations[name].forEach(function (u) {
        var tile = el("div", {"class": "tile " + u.status + " " + u.kind + (u.stale ? " stale" : ""), "data-unit": u.code,
          "data-status": u.status});
        tile.appendChild(el("b", {}, u.code));
        tile.appendChild(el("span", {}, t("status." + u.status) + (u.battery != null ? " · " + Math.round(u.battery) + "%" : "")));
        g.appendChild(tile);
      });
      board.appendChild(g);
    });
    var avail = state.units.filter(function (u) { return u.status === "available"; }).length;
    document.getElementById("n-units").textContent = state.units.length;
    document.getElementById("n-available").textContent = avail;
    document.getElementById("n-alerts").textContent = state.alerts.length;
  }

  function draw() {
    drawMap(); drawAlerts(); drawUnits();
    root.dataset.version = state.version;
  }

  function poll() {
    fetch(url + "?version=" + encodeURIComponent(state.version), {credentials: "same-origin",
      headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (s) {
        conn.dataset.state = "live"; conn.textContent = t("live");
        if (!s.unchanged) { state = s; received = Date.now(); draw(); }
      })
      .catch(function () { conn.dataset.state = "offline"; conn.textContent = t("offline"); })
      .finally(function () { setTimeout(poll, 500); });
  }
  draw();
  poll();
  setInterval(function () { if (!document.querySelector("#alerts-board tbody button:focus")) drawAlerts(); }, 1000);
})();
