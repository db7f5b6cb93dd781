// The leaderboard: sort any column, filter, page through the rows, keep the view in the URL.
// Data comes from the JSON element #leaderboard-data (no network): one array per column under
// a short key (reports/leaderboard.py ENCODING), text of few values as codes into sorted
// dictionaries. Cells are built with textContent; links only from validated ids and page keys.
(function () {
  "use strict";
  var source = document.getElementById("leaderboard-data");
  var table = document.getElementById("leaderboard");
  if (!source || !table) return;
  var marks = window.performance && performance.mark ? performance : null;
  if (marks) marks.mark("leaderboard-start");
  var data = JSON.parse(source.textContent);
  if (marks) marks.mark("leaderboard-parsed");
  var C = data.cols, D = data.dicts, n = data.n;
  var tbody = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var form = document.getElementById("filters");
  var status = document.getElementById("status");
  var pageInfo = document.getElementById("page-info");
  var prev = document.getElementById("page-prev");
  var next = document.getElementById("page-next");
  var sizeSelect = document.getElementById("page-size");
  var copiesBox = document.getElementById("show-copies");
  var flaggedBox = document.getElementById("hide-flagged");
  var flaggedNote = document.getElementById("flagged-note");
  var sortState = document.getElementById("sort-state");
  var HUB = "https://huggingface.co/";
  var ID = /^([A-Za-z0-9_][A-Za-z0-9._-]{0,95}\/)?[A-Za-z0-9_][A-Za-z0-9._-]{0,95}$/;
  function isModelId(id) {
    return ID.test(id) && id.indexOf("..") === -1 && id.indexOf("--") === -1;
  }
  var PAGE_KEY = /^[A-Za-z0-9._-]{1,200}$/;
  var AMOUNT = /^(\d{1,15}(?:\.\d{1,15})?)\s{0,3}(g|kg|t)?$/i;  // on trimmed text
  var UNIT = { g: 1, kg: 1e3, t: 1e6 };
  var DEFAULT_SIZE = Number(sizeSelect.value) || 50;
  var UNHIDDEN = {};
  (data.unhidden || []).forEach(function (flag) { UNHIDDEN[flag] = true; });

  // the sort key of each column: a code or number per row, NaN when missing
  var SORT = {
    id: null, co2_g: "c", label: "lb", grade_level: "g", task: "t", domain: "d",
    library: "l", training_type: "tt", performance: "pf", params: "pa", size_bytes: "sb",
    data_bytes: "db", downloads: "dl", likes: "lk", author: "a", created: "cr",
    label_paper: "lp"
  };
  var CODED = { a: 1, t: 1, d: 1, l: 1, tt: 1, lb: 1, lp: 1, pv: 1 };
  // each column's dense ranks (equal values share one), -1 when missing: built once per
  // column from a native typed-array sort and a binary search, no comparator calls
  var rankCache = {};
  function ranksOf(name) {
    if (rankCache[name]) return rankCache[name];
    var column = C[SORT[name]], coded = CODED[SORT[name]] === 1;
    var keys = new Float64Array(n), count = 0;
    for (var i = 0; i < n; i++) {
      var v = column[i];
      keys[i] = v === null || (coded && v < 0) ? NaN : v;
      if (v === null || (coded && v < 0)) continue;
      count++;
    }
    var values = new Float64Array(count);
    for (var j = 0, k = 0; j < n; j++) if (keys[j] === keys[j]) values[k++] = keys[j];
    values.sort();
    var distinct = 0;
    for (var d = 0; d < count; d++) {
      if (d === 0 || values[d] !== values[distinct - 1]) values[distinct++] = values[d];
    }
    var ranks = new Int32Array(n);
    for (var r = 0; r < n; r++) {
      var x = keys[r];
      if (x !== x) { ranks[r] = -1; continue; }
      var lo = 0, hi = distinct - 1;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (values[mid] < x) lo = mid + 1; else hi = mid;
      }
      ranks[r] = lo;
    }
    rankCache[name] = { ranks: ranks, distinct: distinct, present: count };
    return rankCache[name];
  }
  var SHIFT = 4194304;  // 2^22: rank * SHIFT + row index stays an exact integer below 2^53

  // each flag combination once: its names, whether "hide flagged" hides it, its reasons
  var flagSets = (D.f || []).map(function (set) {
    var names = set.split(" ");
    return {
      text: set,
      hidden: names.some(function (name) { return !UNHIDDEN[name]; }),
      reasons: names.map(function (name) { return name + ": " + (data.reasons[name] || name); })
    };
  });

  // the filters: form field name -> how a row is tested
  var FACETS = {
    task: "t", domain: "d", label: "lb", library: "l", training: "tt", provenance: "pv"
  };
  var fields = {};
  Array.prototype.forEach.call(form.elements, function (el) {
    if (el.name) fields[el.name] = el;
  });

  // lower-cased search text per row: built in slices while the browser is idle, finished on
  // the first search if that comes sooner
  var haystack = new Array(n), searchable = 0;
  function searchUpTo(end) {
    for (; searchable < end; searchable++) {
      var i = searchable;
      haystack[i] = [C.i[i], word("a", i), word("t", i), word("d", i), word("l", i)]
        .filter(function (v) { return v !== null; }).join(" ").toLowerCase();
    }
  }
  function searchText() { searchUpTo(n); return haystack; }
  // while the browser is idle: the search text, then each column's sort ranks (CO2 first)
  var idleRanks = ["co2_g", "label", "grade_level", "downloads", "likes", "created",
    "performance", "size_bytes", "params", "data_bytes", "task", "domain", "library",
    "training_type", "author", "label_paper"];
  function prepareWhileIdle(deadline) {
    while (searchable < n && deadline.timeRemaining() > 2) {
      searchUpTo(Math.min(n, searchable + 2000));
    }
    while (searchable === n && idleRanks.length && deadline.timeRemaining() > 10) {
      ranksOf(idleRanks.shift());
    }
    if (searchable < n || idleRanks.length) window.requestIdleCallback(prepareWhileIdle);
  }
  function word(key, i) { var code = C[key][i]; return code < 0 ? null : D[key][code]; }

  var order = null;     // row indexes in the sort order (null: data order)
  var visible = [];     // matching rows, in sort order
  var sortKey = null, sortDir = 0, page = 0, size = DEFAULT_SIZE;
  var flaggedMode = "auto";  // auto: hidden while sorted by CO2 ascending
  var hiddenFlagged = 0, foldedCopies = 0;

  function sortBy(name, dir) {
    sortKey = name; sortDir = dir;
    if (!name || !(name in SORT) || SORT[name] === null) {
      order = null;
      if (name === "id" && dir < 0) {
        order = new Array(n);
        for (var r = 0; r < n; r++) order[r] = n - 1 - r;
      }
    } else {
      // pack (rank, row) into one number so that a native sort orders by value, ties by row
      var ranked = ranksOf(name), ranks = ranked.ranks, top = ranked.distinct - 1;
      var packed = new Float64Array(ranked.present), missing = [], p = 0;
      for (var i = 0; i < n; i++) {
        var rank = ranks[i];
        if (rank < 0) missing.push(i);
        else packed[p++] = (dir > 0 ? rank : top - rank) * SHIFT + i;
      }
      packed.sort();
      order = new Array(n);
      for (var q = 0; q < p; q++) order[q] = packed[q] % SHIFT;
      for (var m = 0; m < missing.length; m++) order[p + m] = missing[m];  // missing last
    }
    headers.forEach(function (th) {
      var on = th.dataset.key === name && dir !== 0;
      th.setAttribute("aria-sort", on ? (dir > 0 ? "ascending" : "descending") : "none");
      if (on) {
        sortState.textContent = "sorted by " + th.textContent.trim() +
          (dir > 0 ? ", ascending" : ", descending") + " (missing values last)";
      }
    });
    if (dir === 0) sortState.textContent = "in model id order";
  }

  function hideFlagged() {
    if (flaggedMode === "hide") return true;
    if (flaggedMode === "show") return false;
    return sortKey === "co2_g" && sortDir > 0;
  }

  function amount(text) {
    var m = AMOUNT.exec((text || "").slice(0, 40).trim());
    return m ? Number(m[1]) * UNIT[(m[2] || "g").toLowerCase()] : NaN;
  }
  function day(text) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text || "")) return NaN;
    return Math.floor(Date.parse(text + "T00:00:00Z") / 864e5);
  }

  function applyFilters() {
    var q = fields.q.value.trim().toLowerCase();
    var texts = q ? searchText() : null;
    var tests = [];
    Object.keys(FACETS).forEach(function (name) {
      var value = fields[name] ? fields[name].value : "";
      if (value === "") return;
      var key = FACETS[name], code = D[key].indexOf(value), column = C[key];
      tests.push(function (i) { return column[i] === code; });
    });
    if (fields.grade.value !== "") {
      var level = -1;
      Object.keys(data.grades).forEach(function (k) {
        if (data.grades[k] === fields.grade.value) level = Number(k);
      });
      tests.push(function (i) { return C.g[i] === level; });
    }
    if (fields.source.value !== "") {
      var autotrain = fields.source.value === "true" ? 1 : 0;
      tests.push(function (i) { return C.at[i] === autotrain; });
    }
    var low = amount(fields.co2min.value), high = amount(fields.co2max.value);
    if (low === low) tests.push(function (i) { return C.c[i] !== null && C.c[i] >= low; });
    if (high === high) tests.push(function (i) { return C.c[i] !== null && C.c[i] <= high; });
    var from = day(fields.from.value), to = day(fields.to.value);
    if (from === from) tests.push(function (i) { return C.cr[i] !== null && C.cr[i] >= from; });
    if (to === to) tests.push(function (i) { return C.cr[i] !== null && C.cr[i] <= to; });
    var copies = copiesBox.checked, flagged = hideFlagged();
    flaggedBox.checked = flagged;
    visible = [];
    hiddenFlagged = 0;
    foldedCopies = 0;
    var t = tests.length;
    for (var r = 0; r < n; r++) {
      var i = order === null ? r : order[r];
      if (texts && texts[i].indexOf(q) === -1) continue;
      var ok = true;
      for (var w = 0; w < t && ok; w++) ok = tests[w](i);
      if (!ok) continue;
      if (!copies && C.k[i] >= 0) { foldedCopies++; continue; }
      if (flagged && C.f[i] >= 0 && flagSets[C.f[i]].hidden) { hiddenFlagged++; continue; }
      visible.push(i);
    }
  }

  // --- cells: the same text as reports/templates/row.html.j2 -----------------------------
  function group(value) {
    var parts = String(value).split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return parts.join(".");
  }
  function integer(value) { return value === null ? "—" : group(value); }
  function fixed(value, digits) {
    return group(value.toFixed(digits));
  }
  function co2(value) {
    if (value === null || !isFinite(value)) return "—";
    var a = Math.abs(value);
    if (a >= 1e6) return fixed(value / 1e6, 2) + " t";
    if (a >= 1e3) return fixed(value / 1e3, 2) + " kg";
    if (a >= 1) return fixed(value, 2) + " g";
    if (value === 0) return "0 g";
    return fixed(value, Math.min(20, 1 - Math.floor(Math.log10(a)))) + " g";
  }
  function exact(value) {
    if (value === null || !isFinite(value)) return "—";
    // as Python writes a float: a two-digit exponent (5e-07)
    var text = Number.isInteger(value) ? group(value) : String(value).replace(/e([+-])(\d)$/, "e$10$2");
    return text + " g";
  }
  function exactText(i) {
    var audited = C.c[i], stated = i in C.cs ? C.cs[i] : audited;
    if (audited === null) return "no audited figure; stated " + exact(stated);
    if (stated === null || stated === audited) return exact(audited);
    return exact(audited) + " audited; stated " + exact(stated);
  }
  function bytes(value) {
    if (value === null) return "—";
    if (value >= 1e9) return fixed(value / 1e9, 2) + " GB";
    return fixed(value / 1e6, 1) + " MB";
  }
  function isoDay(days) {
    return days === null ? "—" : new Date(days * 864e5).toISOString().slice(0, 10);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function link(href, label) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = label;
    return a;
  }
  function pagePath(i) {
    var key = C.p[i], id = C.i[i];
    if (typeof key !== "string" || !PAGE_KEY.test(key)) return null;
    if (key.length === 10 && key.indexOf("-") === -1) {
      return isModelId(id) ? "models/" + id.replace("/", "__") + "-" + key + ".html" : null;
    }
    return "models/" + key + ".html";
  }
  function chip(letter) {
    if (typeof letter === "string" && /^[A-E]$/.test(letter)) {
      return el("span", "label label-" + letter, letter);
    }
    return document.createTextNode(letter === null ? "—" : letter);
  }
  function textCell(value) { return el("td", "text", value === null ? "—" : value); }

  function flagMarker(set) {
    var marker = el("span", "flag");
    marker.tabIndex = 0;
    marker.setAttribute("role", "note");
    marker.setAttribute("aria-label", "flagged figure: " + set.reasons.join("; "));
    var icon = el("span", "", "⚑ flagged");
    icon.setAttribute("aria-hidden", "true");
    marker.appendChild(icon);
    var why = el("span", "why", set.reasons.join("; "));
    why.setAttribute("aria-hidden", "true");
    marker.appendChild(why);
    return marker;
  }

  var copyCount = null;
  function copiesOf(i) {
    if (copyCount === null) {
      copyCount = new Int32Array(n);
      for (var r = 0; r < n; r++) if (C.k[r] >= 0) copyCount[C.k[r]]++;
    }
    return copyCount[i];
  }

  function renderRow(i) {
    var tr = document.createElement("tr");
    var flags = C.f[i] >= 0 ? flagSets[C.f[i]] : null;
    if (flags) tr.setAttribute("data-flags", flags.text);
    var th = el("th", "text");
    th.scope = "row";
    var id = C.i[i], path = pagePath(i);
    th.appendChild(path ? link(path, id) : document.createTextNode(id));
    if (isModelId(id)) {
      th.appendChild(document.createTextNode(" "));
      var hub = link(HUB + id, "↗");
      hub.className = "hub";
      hub.rel = "noopener noreferrer nofollow";
      hub.title = "on the Hugging Face Hub";
      th.appendChild(hub);
    }
    var copies = copiesOf(i);
    if (copies > 0) {
      th.appendChild(document.createTextNode(" "));
      th.appendChild(el("span", "copies", "+" + group(copies) + (copies === 1 ? " copy" : " copies")));
    }
    if (C.k[i] >= 0) {
      tr.setAttribute("data-copy-of", C.i[C.k[i]]);
      th.appendChild(document.createTextNode(" "));
      th.appendChild(el("span", "copies", "copy of " + C.i[C.k[i]]));
    }
    tr.appendChild(th);
    var figure = el("td", "num co2", co2(C.c[i]) + " ");
    figure.title = exactText(i);
    figure.appendChild(el("span", "prov", word("pv", i) || ""));
    if (flags) {
      figure.appendChild(document.createTextNode(" "));
      figure.appendChild(flagMarker(flags));
    }
    tr.appendChild(figure);
    var label = el("td", "text");
    label.appendChild(chip(word("lb", i)));
    tr.appendChild(label);
    var level = C.g[i];
    tr.appendChild(textCell(level === null ? null : level + " " + data.grades[level]));
    var task = textCell(word("t", i));
    if (C.tg[i] === 1) task.appendChild(el("span", "prov", " (tag)"));
    tr.appendChild(task);
    tr.appendChild(textCell(word("d", i)));
    tr.appendChild(textCell(word("l", i)));
    tr.appendChild(textCell(word("tt", i)));
    var performance = el("td", "num", C.pf[i] === null ? "—" : C.pf[i].toFixed(2));
    var metrics = word("pm", i);
    if (metrics) {
      performance.appendChild(document.createTextNode(" "));
      performance.appendChild(el("span", "prov", metrics));
    }
    tr.appendChild(performance);
    tr.appendChild(el("td", "num", integer(C.pa[i])));
    tr.appendChild(el("td", "num", bytes(C.sb[i])));
    tr.appendChild(el("td", "num", bytes(C.db[i])));
    tr.appendChild(el("td", "num", integer(C.dl[i])));
    tr.appendChild(el("td", "num", integer(C.lk[i])));
    tr.appendChild(textCell(word("a", i)));
    tr.appendChild(el("td", "text date", isoDay(C.cr[i])));
    var paper = el("td", "text");
    paper.appendChild(chip(word("lp", i)));
    tr.appendChild(paper);
    return tr;
  }

  // one page of rows, or with "all" (size 0) a window of the rows around the table's scroll
  // position between two spacer rows: the DOM holds about a hundred rows for any row count
  var wrap = table.parentNode;
  var rowHeight = 0, windowFirst = -1, windowLast = -1;
  function spacer(height) {
    var tr = el("tr", "spacer");
    tr.setAttribute("aria-hidden", "true");
    var td = el("td");
    td.colSpan = headers.length;
    td.style.height = height + "px";
    tr.appendChild(td);
    return tr;
  }
  function renderWindow(force) {
    var guess = rowHeight || 30;
    var first = Math.max(0, Math.floor(wrap.scrollTop / guess) - 20);
    var last = Math.min(visible.length, first + Math.ceil(wrap.clientHeight / guess) + 40);
    if (!force && first === windowFirst && last === windowLast) return;
    windowFirst = first; windowLast = last;
    var fragment = document.createDocumentFragment();
    fragment.appendChild(spacer(first * guess));
    var rendered = [];
    for (var r = first; r < last; r++) {
      var tr = renderRow(visible[r]);
      rendered.push(tr);
      fragment.appendChild(tr);
    }
    fragment.appendChild(spacer((visible.length - last) * guess));
    tbody.replaceChildren(fragment);
    if (!rowHeight && rendered.length) {
      var height = rendered[rendered.length - 1].getBoundingClientRect().bottom -
        rendered[0].getBoundingClientRect().top;
      rowHeight = Math.max(16, height / rendered.length);
      renderWindow(true);
    }
  }
  var scrolling = false;
  wrap.addEventListener("scroll", function () {
    if (size !== 0 || scrolling) return;
    scrolling = true;
    window.requestAnimationFrame(function () { scrolling = false; renderWindow(false); });
  });

  function render() {
    var all = size === 0;
    var pages = all ? 1 : Math.max(1, Math.ceil(visible.length / size));
    if (page >= pages) page = pages - 1;
    if (page < 0) page = 0;
    var start = all ? 0 : page * size;
    var end = all ? visible.length : Math.min(visible.length, start + size);
    if (all) {
      renderWindow(true);
    } else {
      var fragment = document.createDocumentFragment();
      for (var r = start; r < end; r++) fragment.appendChild(renderRow(visible[r]));
      tbody.replaceChildren(fragment);
    }
    pageInfo.textContent = all ? "All rows (scroll the table)" : "Page " + (page + 1) + " of " + pages;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    status.setAttribute("data-matching", String(visible.length));
    status.textContent = "Showing " + group(end - start) + " of " + group(visible.length) +
      " matching models (" + group(n) + " in all)." +
      (foldedCopies ? " " + group(foldedCopies) + (foldedCopies === 1
        ? " copy folded into its training run." : " copies folded into their training runs.")
        : "") +
      (hiddenFlagged ? " " + group(hiddenFlagged) + " with flagged figures hidden." : "");
    flaggedNote.textContent = flaggedMode === "auto" && hideFlagged()
      ? "(hidden while sorted by CO₂ ascending)" : "";
  }

  // --- the view in the URL -----------------------------------------------------------------
  var SIMPLE = ["q", "task", "domain", "grade", "label", "source", "library", "training",
    "provenance", "co2min", "co2max", "from", "to"];

  function writeState() {
    var params = new URLSearchParams();
    SIMPLE.forEach(function (name) {
      var field = fields[name];
      if (field && field.value !== "") params.set(name, field.value);
    });
    if (sortKey && sortDir !== 0) {
      params.set("sort", sortKey);
      params.set("order", sortDir > 0 ? "asc" : "desc");
    }
    if (copiesBox.checked) params.set("copies", "show");
    if (flaggedMode !== "auto") params.set("flagged", flaggedMode);
    if (size !== DEFAULT_SIZE) params.set("size", String(size));
    if (page > 0) params.set("page", String(page + 1));
    var query = params.toString();
    var url = location.pathname + (query ? "?" + query : "") + location.hash;
    try {
      history.replaceState(null, "", url);
    } catch (e) {
      // a browser that refuses to change a file:// URL keeps the view, not the link
    }
  }

  function readState() {
    var params = new URLSearchParams(location.search);
    SIMPLE.forEach(function (name) {
      var field = fields[name];
      if (!field) return;
      var value = (params.get(name) || "").slice(0, 200);
      if (field.tagName === "SELECT") {
        var known = Array.prototype.some.call(field.options, function (o) {
          return o.value === value;
        });
        field.value = known ? value : "";
      } else {
        field.value = value;
      }
    });
    var key = params.get("sort"), dir = params.get("order") === "desc" ? -1 : 1;
    if (key && headers.some(function (th) { return th.dataset.key === key; })) {
      sortBy(key, dir);
    } else {
      sortBy(null, 0);
    }
    copiesBox.checked = params.get("copies") === "show";
    var flagged = params.get("flagged");
    flaggedMode = flagged === "hide" || flagged === "show" ? flagged : "auto";
    var wanted = params.get("size");
    size = Array.prototype.some.call(sizeSelect.options, function (o) {
      return o.value === wanted;
    }) ? Number(wanted) : DEFAULT_SIZE;
    sizeSelect.value = String(size);
    applyFilters();
    page = Math.max(0, (parseInt(params.get("page"), 10) || 1) - 1);
    render();
  }

  function refresh() {
    applyFilters();
    page = 0;
    if (size === 0) wrap.scrollTop = 0;
    render();
    writeState();
  }

  headers.forEach(function (th) {
    th.querySelector("button").addEventListener("click", function () {
      var name = th.dataset.key;
      sortBy(name, sortKey === name ? -sortDir || 1 : 1);
      refresh();
    });
  });
  // text, dates and selects re-filter as they change ("input"); checkboxes on "change". A
  // text field's "change" on blur is left alone: re-rendering then would replace the row
  // whose link the user is clicking
  form.addEventListener("input", function (e) {
    if (e.target === copiesBox || e.target === flaggedBox) return;
    refresh();
  });
  form.addEventListener("change", function (e) {
    if (e.target === flaggedBox) flaggedMode = flaggedBox.checked ? "hide" : "show";
    if (e.target === flaggedBox || e.target === copiesBox) refresh();
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("reset", function () {
    setTimeout(function () { flaggedMode = "auto"; refresh(); }, 0);
  });
  prev.addEventListener("click", function () {
    if (page > 0) { page--; render(); writeState(); }
  });
  next.addEventListener("click", function () { page++; render(); writeState(); });
  sizeSelect.addEventListener("change", function () {
    size = Number(sizeSelect.value);
    if (!(size >= 0)) size = DEFAULT_SIZE;
    page = 0; wrap.scrollTop = 0; render(); writeState();
  });

  var copyButton = document.getElementById("copy-link");
  var copied = document.getElementById("copy-state");
  copyButton.addEventListener("click", function () {
    var href = location.href;
    function done(text) { copied.textContent = text; }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(href).then(function () { done("Link copied: " + href); },
        function () { done("Copy this link: " + href); });
    } else {
      done("Copy this link: " + href);
    }
  });

  var toggle = document.getElementById("filters-toggle");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    form.classList.toggle("open", open);
  });
  document.documentElement.classList.add("js");
  // on a phone the legend starts folded, so the table is on the first screens
  var legend = document.getElementById("legend");
  if (legend && window.matchMedia && window.matchMedia("(max-width: 700px)").matches) {
    legend.open = false;
  }

  // Back and Forward: a page restored from the cache keeps its state; one loaded again (or
  // whose form the browser refilled) takes the view from its URL
  window.addEventListener("pageshow", function (e) { if (e.persisted) readState(); });
  window.addEventListener("popstate", readState);

  readState();
  if (window.requestIdleCallback) window.requestIdleCallback(prepareWhileIdle);
  document.documentElement.dataset.leaderboard = "ready";
  if (marks) marks.mark("leaderboard-ready");
})();
