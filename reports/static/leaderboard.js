// The leaderboard: sort any column, filter by text and facets, page through the rows.
// Data comes from the JSON element #leaderboard-data (no network); cells are built with
// textContent and links only from the data's validated Hub URLs and site-relative page paths.
(function () {
  "use strict";
  var source = document.getElementById("leaderboard-data");
  var table = document.getElementById("leaderboard");
  if (!source || !table) return;
  var data = JSON.parse(source.textContent);
  var f = {};
  data.fields.forEach(function (name, i) { f[name] = i; });
  var rows = data.rows;
  var n = rows.length;
  var tbody = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var status = document.getElementById("status");
  var pageInfo = document.getElementById("page-info");
  var prev = document.getElementById("page-prev");
  var next = document.getElementById("page-next");
  var sizeSelect = document.getElementById("page-size");
  var text = document.getElementById("filter-text");
  var selects = Array.prototype.slice.call(document.querySelectorAll("#filters select"));
  var HUB = "https://huggingface.co/";
  var PAGE = /^models\/[A-Za-z0-9._-]+\.html$/;

  // lower-cased search text per row, built once
  var haystack = rows.map(function (r) {
    return [r[f.id], r[f.author], r[f.task], r[f.domain], r[f.library]]
      .filter(function (v) { return v !== null; }).join(" ").toLowerCase();
  });
  var order = [];   // indexes of the rows in the current sort order
  for (var i = 0; i < n; i++) order.push(i);
  var visible = order.slice();
  var sortKey = null, sortDir = 0, page = 0, size = Number(sizeSelect.value) || 50;

  function group(value) {
    return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }
  function integer(value) { return value === null ? "—" : group(value); }

  function sortBy(name, dir) {
    var k = f[name];
    var numeric = headers.some(function (th) {
      return th.dataset.key === name && th.dataset.kind === "num";
    });
    var keys = new Array(n);
    for (var i = 0; i < n; i++) {
      var v = rows[i][k];
      keys[i] = v === null ? null : (numeric ? Number(v) : String(v).toLowerCase());
    }
    order = [];
    for (var j = 0; j < n; j++) order.push(j);
    order.sort(function (a, b) {
      var x = keys[a], y = keys[b];
      if (x === y) return a - b;
      if (x === null) return 1;      // missing values last, in both directions
      if (y === null) return -1;
      return (x < y ? -1 : 1) * dir;
    });
    sortKey = name; sortDir = dir;
    var sortState = document.getElementById("sort-state");
    headers.forEach(function (th) {
      if (th.dataset.key === name && sortState) {
        sortState.textContent = "sorted by " + th.textContent.trim() +
          (dir > 0 ? ", ascending" : ", descending") + " (missing values last)";
      }
      th.setAttribute("aria-sort", th.dataset.key === name
        ? (dir > 0 ? "ascending" : "descending") : "none");
    });
  }

  function applyFilters() {
    var q = text.value.trim().toLowerCase();
    var wanted = selects.map(function (s) { return [f[s.dataset.field], s.value]; })
      .filter(function (pair) { return pair[1] !== ""; });
    visible = order.filter(function (i) {
      if (q && haystack[i].indexOf(q) === -1) return false;
      for (var w = 0; w < wanted.length; w++) {
        if (String(rows[i][wanted[w][0]]) !== wanted[w][1]) return false;
      }
      return true;
    });
  }

  function cell(tag, cls, content) {
    var el = document.createElement(tag);
    el.className = cls;
    if (content !== undefined) el.textContent = content;
    return el;
  }

  function link(href, label) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = label;
    return a;
  }

  function renderRow(r) {
    var tr = document.createElement("tr");
    var th = cell("th", "text");
    th.scope = "row";
    var pagePath = r[f.page];
    th.appendChild(typeof pagePath === "string" && PAGE.test(pagePath)
      ? link(pagePath, r[f.id]) : document.createTextNode(r[f.id]));
    var hub = r[f.hub];
    if (typeof hub === "string" && hub.indexOf(HUB) === 0) {
      th.appendChild(document.createTextNode(" "));
      var a = link(hub, "↗");
      a.className = "hub";
      a.rel = "noopener noreferrer nofollow";
      a.title = "on the Hugging Face Hub";
      th.appendChild(a);
    }
    tr.appendChild(th);
    ["author", "task", "domain", "library"].forEach(function (name) {
      tr.appendChild(cell("td", "text", r[f[name]] === null ? "—" : r[f[name]]));
    });
    var co2 = cell("td", "num", r[f.co2_text] + " ");
    co2.appendChild(cell("span", "prov", r[f.provenance]));
    tr.appendChild(co2);
    tr.appendChild(cell("td", "num", integer(r[f.params])));
    tr.appendChild(cell("td", "num", r[f.size_text]));
    tr.appendChild(cell("td", "num", r[f.data_text]));
    tr.appendChild(cell("td", "num", integer(r[f.downloads])));
    tr.appendChild(cell("td", "num", integer(r[f.likes])));
    tr.appendChild(cell("td", "text", r[f.grade] === null ? "—" : r[f.grade]));
    var label = r[f.label];
    var td = cell("td", "text");
    if (typeof label === "string" && /^[A-E]$/.test(label)) {
      td.appendChild(cell("span", "label label-" + label, label));
    } else {
      td.textContent = label === null ? "—" : label;
    }
    tr.appendChild(td);
    tr.appendChild(cell("td", "text date", r[f.created] === null ? "—" : r[f.created]));
    return tr;
  }

  function render() {
    var pages = Math.max(1, Math.ceil(visible.length / size));
    if (page >= pages) page = pages - 1;
    var start = page * size;
    var slice = visible.slice(start, start + size);
    var fragment = document.createDocumentFragment();
    slice.forEach(function (i) { fragment.appendChild(renderRow(rows[i])); });
    tbody.replaceChildren(fragment);
    pageInfo.textContent = "Page " + (page + 1) + " of " + pages;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    status.textContent = "Showing " + group(slice.length) + " of " + group(visible.length) +
      " matching models (" + group(n) + " in all).";
  }

  function refresh() { applyFilters(); page = 0; render(); }

  headers.forEach(function (th) {
    var button = th.querySelector("button");
    button.addEventListener("click", function () {
      var name = th.dataset.key;
      sortBy(name, sortKey === name ? -sortDir : 1);
      applyFilters();
      page = 0;
      render();
    });
  });
  text.addEventListener("input", refresh);
  selects.forEach(function (s) { s.addEventListener("change", refresh); });
  document.getElementById("filters").addEventListener("submit", function (e) {
    e.preventDefault();
  });
  prev.addEventListener("click", function () { if (page > 0) { page--; render(); } });
  next.addEventListener("click", function () { page++; render(); });
  sizeSelect.addEventListener("change", function () {
    size = Number(sizeSelect.value) || 50; page = 0; render();
  });

  refresh();
  document.documentElement.dataset.leaderboard = "ready";
  if (window.performance && performance.mark) performance.mark("leaderboard-ready");
})();
