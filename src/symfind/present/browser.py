"""The candidate browser: one self-contained HTML file (no network, no CDN, figures inside) with
both lists in a sortable, filterable table; each row opens the candidate's evidence figure and
links to SIMBAD, VizieR and Aladin at its coordinates."""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..rank.vetting import CHOICES, CLASSES, LABEL_COLUMNS, VERDICTS

#: Columns of the browser's table: (key in the rows, header, number format or None for text).
BROWSER_COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("lists", "lists", None),
    ("ranked_rank", "ranked #", "{:.0f}"),
    ("vae_rank", "VAE #", "{:.0f}"),
    ("object_id", "object_id", "{:.0f}"),
    ("raj2000", "RA (deg)", "{:.5f}"),
    ("dej2000", "Dec (deg)", "{:.5f}"),
    ("known", "known as / nearest known", None),
    ("rank_score", "ranking score", "{:.3f}"),
    ("score_hot_excess", "VAE hot excess", "{:.3g}"),
    ("u_excess", "u / giant", "{:.2f}"),
    ("jk0", "(J-K)0", "{:.2f}"),
    ("abs_j", "M_J", "{:.2f}"),
    ("excess_features", "u/v colours too blue", None),
    ("halpha_ew", "Gaia Halpha pEW (nm, < 0: emission)", "{:+.2f}"),
    ("gaia_class", "Gaia DR3 class", None),
    ("vet_order", "next to vet #", "{:.0f}"),
    ("rank_disagreement", "bags' spread", "{:.3f}"),
    ("verdict", "verdict", None),
)
#: What each table row carries beside its cells: (data attribute, key in the rows).
ROW_ATTRIBUTES: tuple[tuple[str, str], ...] = (("file-verdict", "vetted_verdict"), ("file-class", "vetted_class"),
                                               ("file", "vetted_file"), ("vet-order", "vet_order"),
                                               ("ranked-rank", "ranked_rank"), ("vae-rank", "vae_rank"))
#: Every key a row of :func:`browser_html` reads: the cells', then the attributes' others.
ROW_KEYS: tuple[str, ...] = tuple(dict.fromkeys([key for key, _, _ in BROWSER_COLUMNS] + [key for _, key in ROW_ATTRIBUTES]))
#: Where the page keeps the verdicts in the browser's storage (localStorage), keyed by object id
#: inside: the same key on every run, so that a later run's page on the same sky shows them.
STORAGE_KEY = "symfind.verdicts"
#: The SAMP Web Profile's port (IVOA SAMP 1.3, section 5): every web client looks there; the page's
#: ``?samp_port=`` query parameter moves it (tests only).
SAMP_WEB_PORT = 21012


def sky_links(ra: float, dec: float) -> dict[str, str]:
    """SIMBAD, VizieR and Aladin Lite at (``ra``, ``dec``) in degrees (J2000): a 5 arcsec cone in
    SIMBAD and VizieR, a 0.1 deg field in Aladin."""
    where = f"{ra:.6f}%20{dec:+.6f}"
    return {
        "SIMBAD": f"https://simbad.cds.unistra.fr/simbad/sim-coo?Coord={where}&CooFrame=FK5&CooEpoch=2000&CooEqui=2000"
                  "&Radius=5&Radius.unit=arcsec",
        "VizieR": f"https://vizier.cds.unistra.fr/viz-bin/VizieR?-c={where}&-c.rs=5",
        "Aladin": f"https://aladin.cds.unistra.fr/AladinLite/?target={where}&fov=0.1",
    }


def _is_missing(value) -> bool:
    """None, pandas' NA or a float that is not finite."""
    return value is None or value is pd.NA or (isinstance(value, float) and not np.isfinite(value))


def _cell(value, fmt: str | None) -> tuple[str, str]:
    """(shown text, sort key) of one cell; missing values show empty and sort last."""
    if _is_missing(value):
        return "", ""
    if fmt is None:
        return str(value), str(value).lower()
    number = float(value)
    return fmt.format(number), repr(number)


def browser_html(rows: pd.DataFrame, figures: Mapping[int, Path], origin: Mapping[str, str], note: str = "",
                 votable: str = "candidates.vot") -> str:
    """The browser page: ``rows`` (one per shown object, the keys of :data:`ROW_KEYS`),
    ``figures`` (object_id -> PNG file, embedded), ``origin`` (:func:`symfind.present.vo.provenance`),
    ``note``: a line shown above the table (what the lists are, or why they are empty),
    ``votable``: the candidates' VOTable relative to the page, which "send to TOPCAT" loads."""
    images = {str(int(oid)): "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")
              for oid, path in figures.items()}
    head = "".join(f'<th data-col="{k}" data-numeric="{"0" if fmt is None else "1"}" title="sort">{html.escape(label)}</th>'
                   for k, (_, label, fmt) in enumerate(BROWSER_COLUMNS))
    body = []
    for row in rows.to_dict("records"):
        links = sky_links(float(row["raj2000"]), float(row["dej2000"]))
        cells = []
        for key, _, fmt in BROWSER_COLUMNS:
            text, sort_key = _cell(row.get(key), fmt)
            cells.append(f'<td data-sort="{html.escape(sort_key)}">{html.escape(text)}</td>')
        link_attrs = " ".join(f'data-{name.lower()}="{html.escape(url)}"' for name, url in links.items())
        vetted = " ".join(f'data-{name}="{html.escape("" if _is_missing(row.get(key)) else str(row.get(key)))}"'
                          for name, key in ROW_ATTRIBUTES)
        body.append(f'<tr data-object="{int(row["object_id"])}" {link_attrs} {vetted}>{"".join(cells)}</tr>')
    data = json.dumps(images).replace("</", "<\\/")
    made = (f"symfind {html.escape(origin['symfind_version'])}, {html.escape(origin['date'])} UTC, "
            f"config SHA-256 {html.escape(origin['config_sha256'][:16])}")
    vocabulary = json.dumps({"choices": [list(choice) for choice in CHOICES], "verdicts": list(VERDICTS),
                             "classes": list(CLASSES), "columns": list(LABEL_COLUMNS), "storage_key": STORAGE_KEY,
                             "verdict_column": [k for k, _, _ in BROWSER_COLUMNS].index("verdict"),
                             "ra_column": [k for k, _, _ in BROWSER_COLUMNS].index("raj2000"),
                             "dec_column": [k for k, _, _ in BROWSER_COLUMNS].index("dej2000"),
                             "votable": votable, "samp_port": SAMP_WEB_PORT})
    return _PAGE.format(head=head, body="\n".join(body), data=data, made=made, n=len(body), note=html.escape(note),
                        vocabulary=vocabulary.replace("</", "<\\/"), vetting_script=_VETTING_SCRIPT)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>symfind candidates</title>
<style>
body {{ font-family: sans-serif; margin: 1em; color: #222; }}
table {{ border-collapse: collapse; font-size: 13px; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 3px 7px; text-align: right; white-space: nowrap; }}
th {{ background: #eee; cursor: pointer; position: sticky; top: 0; user-select: none; }}
th.asc::after {{ content: " \\25B2"; }} th.desc::after {{ content: " \\25BC"; }}
td:first-child, td:nth-child(7), td:nth-child(13) {{ text-align: left; }}
tr:hover {{ background: #f3f7ff; cursor: pointer; }} tr.open {{ background: #dde8ff; }}
#layout {{ display: flex; gap: 1em; align-items: flex-start; }}
#list {{ max-height: 88vh; overflow: auto; }}
#detail {{ flex: 1; min-width: 40%; position: sticky; top: 0; }}
#detail img {{ max-width: 100%; border: 1px solid #ccc; }}
#links a {{ margin-right: 1em; }}
.note {{ color: #555; font-size: 12px; }}
.warning {{ color: #a00; font-weight: bold; }}
#verdict-buttons button {{ margin: 2px; }} #verdict-buttons button.chosen {{ background: #8c8; }}
#vetting {{ margin: 0.5em 0; }}
</style></head>
<body>
<h1>symfind candidates</h1>
<p class="note">{note}</p>
<p class="note">Click a column to sort, type to filter, click a row for its evidence figure and sky links. Made by {made}.</p>
<p><label>Filter: <input id="filter" type="search" placeholder="name, id, list ..." size="30"></label>
<span id="count">{n}</span> of {n} objects shown.
<button id="order-ranked" type="button">ranked order</button>
<button id="order-next" type="button" title="unvetted objects where the ranking's bags disagree most first">next to vet</button>
<button id="export-labels" type="button">export verdicts (labels CSV)</button>
<label>import verdicts: <input id="import-labels" type="file" accept=".csv,text/csv"></label>
<span id="vetting-status" class="note"></span></p>
<p><button id="samp-send" type="button" title="the candidates' VOTable to TOPCAT (or any SAMP client) through the SAMP Web Profile">send to TOPCAT (SAMP)</button>
<span id="samp-status" class="note">TOPCAT must be running (its SAMP hub accepts the page once); a row click then points it at the candidate.</span></p>
<p id="storage-warning" class="warning" hidden></p>
<div id="layout">
<div id="list"><table id="candidates"><thead><tr>{head}</tr></thead>
<tbody>
{body}
</tbody></table></div>
<div id="detail"><h2 id="detail-title">Click a candidate</h2><p id="links"></p>
<div id="vetting"><div id="verdict-buttons"></div>
<label>Note: <input id="verdict-note" type="text" size="50" placeholder="optional, saved with the verdict"></label>
<span id="verdict-now" class="note"></span></div>
<img id="figure" alt=""></div>
</div>
<script type="application/json" id="figures">{data}</script>
<script type="application/json" id="vocabulary">{vocabulary}</script>
<script>{vetting_script}</script>
<script>
(function () {{
  var figures = JSON.parse(document.getElementById("figures").textContent);
  var table = document.getElementById("candidates");
  var tbody = table.tBodies[0];
  var headers = table.tHead.rows[0].cells;
  function key(row, col, numeric) {{
    var value = row.cells[col].getAttribute("data-sort");
    if (value === "") return null;
    return numeric ? parseFloat(value) : value;
  }}
  Array.prototype.forEach.call(headers, function (th) {{
    th.addEventListener("click", function () {{
      var col = parseInt(th.getAttribute("data-col"), 10);
      var numeric = th.getAttribute("data-numeric") === "1";
      var ascending = !th.classList.contains("asc");
      Array.prototype.forEach.call(headers, function (h) {{ h.classList.remove("asc", "desc"); }});
      th.classList.add(ascending ? "asc" : "desc");
      var rows = Array.prototype.slice.call(tbody.rows);
      rows.sort(function (a, b) {{
        var x = key(a, col, numeric), y = key(b, col, numeric);
        if (x === null && y === null) return 0;
        if (x === null) return 1;
        if (y === null) return -1;
        var order = x < y ? -1 : (x > y ? 1 : 0);
        return ascending ? order : -order;
      }});
      rows.forEach(function (row) {{ tbody.appendChild(row); }});
    }});
  }});
  var filter = document.getElementById("filter");
  filter.addEventListener("input", function () {{
    var words = filter.value.toLowerCase().split(/\\s+/).filter(function (w) {{ return w; }});
    var shown = 0;
    Array.prototype.forEach.call(tbody.rows, function (row) {{
      var text = row.textContent.toLowerCase();
      var keep = words.every(function (w) {{ return text.indexOf(w) >= 0; }});
      row.style.display = keep ? "" : "none";
      if (keep) shown += 1;
    }});
    document.getElementById("count").textContent = shown;
  }});
  function open(row) {{
    if (window.symfindVetting) window.symfindVetting.show(row);
    Array.prototype.forEach.call(tbody.rows, function (r) {{ r.classList.remove("open"); }});
    row.classList.add("open");
    var id = row.getAttribute("data-object");
    document.getElementById("detail-title").textContent = "object " + id + " (" + row.cells[0].textContent + ")";
    var links = document.getElementById("links");
    links.innerHTML = "";
    [["SIMBAD", "data-simbad"], ["VizieR", "data-vizier"], ["Aladin", "data-aladin"]].forEach(function (pair) {{
      var a = document.createElement("a");
      a.textContent = pair[0];
      a.href = row.getAttribute(pair[1]);
      a.target = "_blank";
      a.rel = "noopener";
      links.appendChild(a);
    }});
    var img = document.getElementById("figure");
    img.src = figures[id] || "";
    img.alt = figures[id] ? "evidence of object " + id : "no figure for object " + id;
  }}
  tbody.addEventListener("click", function (event) {{
    var row = event.target.closest("tr");
    if (row) open(row);
  }});
}})();
</script>
</body></html>
"""


#: The page's vetting: verdict buttons for the candidate shown, the verdicts in the browser's
#: storage (a warning where there is none: then they live until the page is closed), leaving with
#: verdicts not exported asks first (the labels file is the durable record), export to and import
#: from the labels file, and the "next to vet" order. Plain script, no network, works from file://.
_VETTING_SCRIPT = r"""
(function () {
  var vocab = JSON.parse(document.getElementById("vocabulary").textContent);
  var tbody = document.getElementById("candidates").tBodies[0];
  var status = document.getElementById("vetting-status");
  var warning = document.getElementById("storage-warning");
  var memory = {};
  var storage = null;
  var unexported = false;
  try {
    // a probe that writes nothing: a write and removal at load can make Chromium lose the page's
    // file:// storage on the next reload
    window.localStorage.getItem(vocab.storage_key);
    storage = window.localStorage;
  } catch (e) {
    storage = null;
  }
  if (!storage) {
    warning.hidden = false;
    warning.textContent = "This browser gives the page no storage: verdicts live only until the page is closed. " +
      "Export them (labels CSV) before you leave.";
  }
  function load() {
    if (!storage) return memory;
    try { return JSON.parse(storage.getItem(vocab.storage_key) || "{}"); } catch (e) { return {}; }
  }
  function save(all) {
    if (!storage) { memory = all; return; }
    storage.setItem(vocab.storage_key, JSON.stringify(all));
  }
  function label(v) {
    if (!v) return "";
    for (var i = 0; i < vocab.choices.length; i++) {
      if (vocab.choices[i][0] === v.verdict && vocab.choices[i][1] === (v["class"] || "")) return vocab.choices[i][2];
    }
    return v.verdict + (v["class"] ? " (" + v["class"] + ")" : "");
  }
  function refreshRow(row, all) {
    var id = row.getAttribute("data-object");
    var cell = row.cells[vocab.verdict_column];
    var mine = all[id];
    var text = "", sortKey = "";
    if (mine) { text = label(mine); sortKey = text.toLowerCase(); }
    else if (row.getAttribute("data-file-verdict")) {
      text = label({verdict: row.getAttribute("data-file-verdict"), "class": row.getAttribute("data-file-class")}) +
        " [" + row.getAttribute("data-file") + "]";
      sortKey = text.toLowerCase();
    }
    cell.textContent = text;
    cell.setAttribute("data-sort", sortKey);
  }
  function refreshAll() {
    var all = load();
    Array.prototype.forEach.call(tbody.rows, function (row) { refreshRow(row, all); });
    var n = Object.keys(all).length;
    status.textContent = n + " verdict" + (n === 1 ? "" : "s") + " in this browser" + (unexported ? " (not yet exported)" : "");
  }
  var current = null;
  var buttons = document.getElementById("verdict-buttons");
  var note = document.getElementById("verdict-note");
  var now = document.getElementById("verdict-now");
  vocab.choices.forEach(function (choice) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = choice[2];
    b.setAttribute("data-verdict", choice[0]);
    b.setAttribute("data-class", choice[1]);
    b.addEventListener("click", function () {
      if (!current) return;
      var all = load();
      var id = current.getAttribute("data-object");
      all[id] = {verdict: choice[0], "class": choice[1], note: note.value, time: new Date().toISOString()};
      save(all);
      unexported = true;
      show(current);
      refreshAll();
    });
    buttons.appendChild(b);
  });
  note.addEventListener("change", function () {
    if (!current) return;
    var all = load();
    var id = current.getAttribute("data-object");
    if (all[id]) { all[id].note = note.value; all[id].time = new Date().toISOString(); save(all); unexported = true; refreshAll(); }
  });
  function show(row) {
    current = row;
    var v = load()[row.getAttribute("data-object")];
    note.value = v ? (v.note || "") : "";
    now.textContent = v ? "verdict: " + label(v) + ", " + v.time :
      (row.getAttribute("data-file-verdict") ? "in " + row.getAttribute("data-file") + ": " +
        label({verdict: row.getAttribute("data-file-verdict"), "class": row.getAttribute("data-file-class")}) : "no verdict yet");
    Array.prototype.forEach.call(buttons.children, function (b) {
      var chosen = v && b.getAttribute("data-verdict") === v.verdict && b.getAttribute("data-class") === (v["class"] || "");
      b.classList.toggle("chosen", !!chosen);
    });
  }
  function quote(value) {
    var s = value === undefined || value === null ? "" : String(value);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function toCsv(all) {
    var lines = [vocab.columns.join(",")];
    Object.keys(all).sort(function (a, b) { return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0); }).forEach(function (id) {
      var v = all[id];
      lines.push([id, v.verdict, v["class"] || "", v.note || "", v.time || ""].map(quote).join(","));
    });
    return lines.join("\n") + "\n";
  }
  function parseCsv(text) {
    var rows = [], row = [], field = "", quoted = false;
    for (var i = 0; i < text.length; i++) {
      var c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
        else if (c === '"') quoted = false;
        else field += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") { row.push(field); field = ""; }
      else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i++;
        row.push(field); rows.push(row); row = []; field = "";
      } else field += c;
    }
    if (field !== "" || row.length) { row.push(field); rows.push(row); }
    return rows.filter(function (r) { return r.length > 1 || r[0] !== ""; });
  }
  function importCsv(text, name) {
    var rows = parseCsv(text);
    if (!rows.length) throw new Error(name + ": empty file");
    var header = rows[0].map(function (h) { return h.trim(); });
    var index = {};
    vocab.columns.forEach(function (c) {
      var k = header.indexOf(c);
      if (k < 0) throw new Error(name + ": column " + c + " missing (a labels file has " + vocab.columns.join(", ") + ")");
      index[c] = k;
    });
    var all = load(), added = 0;
    for (var r = 1; r < rows.length; r++) {
      var get = function (c) { return (rows[r][index[c]] || "").trim(); };
      var id = get("object_id"), verdict = get("verdict"), cls = get("class");
      if (!/^[0-9]+$/.test(id)) throw new Error(name + ", row " + (r + 1) + ", column object_id: " + JSON.stringify(id) + " is not an object id");
      if (vocab.verdicts.indexOf(verdict) < 0) throw new Error(name + ", row " + (r + 1) + ", column verdict: " + JSON.stringify(verdict) + " is not one of " + vocab.verdicts.join(", "));
      if (cls !== "" && !(verdict === "not_symbiotic" && vocab.classes.indexOf(cls) >= 0))
        throw new Error(name + ", row " + (r + 1) + ", column class: " + JSON.stringify(cls) + " is not a class of verdict " + verdict);
      var time = get("time");
      var old = all[id];
      if (!old || !old.time || (time && time >= old.time)) {
        all[id] = {verdict: verdict, "class": cls, note: get("note"), time: time};
        added += 1;
      }
    }
    save(all);
    return added;
  }
  document.getElementById("export-labels").addEventListener("click", function () {
    var csv = toCsv(load());
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([csv], {type: "text/csv"}));
    a.download = "symfind_labels.csv";
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    unexported = false;
    refreshAll();
  });
  document.getElementById("import-labels").addEventListener("change", function (event) {
    var file = event.target.files[0];
    if (!file) return;
    var reader = new FileReader();
    reader.onload = function () {
      try {
        var added = importCsv(String(reader.result), file.name);
        refreshAll();
        status.textContent += "; imported " + added + " from " + file.name;
        if (current) show(current);
      } catch (e) {
        status.textContent = "import refused: " + e.message;
      }
    };
    reader.readAsText(file);
  });
  function reorder(key) {
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) { return key(a) - key(b); });
    rows.forEach(function (row) { tbody.appendChild(row); });
  }
  function number(row, attribute, fallback) {
    var v = parseFloat(row.getAttribute(attribute));
    return isFinite(v) ? v : fallback;
  }
  document.getElementById("order-next").addEventListener("click", function () {
    var all = load();
    reorder(function (row) {
      var id = row.getAttribute("data-object");
      var vetted = all[id] || row.getAttribute("data-file-verdict");
      return (vetted ? 1e12 : 0) + number(row, "data-vet-order", 1e9);
    });
  });
  document.getElementById("order-ranked").addEventListener("click", function () {
    reorder(function (row) { return number(row, "data-ranked-rank", 1e9) * 1e6 + number(row, "data-vae-rank", 1e5); });
  });
  // the labels file is the durable record: leaving with verdicts not yet exported asks first
  // (a browser may drop a file:// page's storage)
  window.addEventListener("beforeunload", function (event) {
    if (unexported) { event.preventDefault(); event.returnValue = ""; }
  });
  // SAMP Web Profile (IVOA SAMP 1.3, section 5): XML-RPC over HTTP to the hub on localhost
  var sampStatus = document.getElementById("samp-status");
  var sampPort = (function () {
    var m = /[?&]samp_port=([0-9]+)/.exec(window.location.search);
    return m ? m[1] : String(vocab.samp_port);
  })();
  var sampKey = null;
  function xmlValue(v) {
    if (Array.isArray(v)) return "<value><array><data>" + v.map(xmlValue).join("") + "</data></array></value>";
    if (v !== null && typeof v === "object") {
      return "<value><struct>" + Object.keys(v).map(function (k) {
        return "<member><name>" + escapeXml(k) + "</name>" + xmlValue(v[k]) + "</member>";
      }).join("") + "</struct></value>";
    }
    return "<value><string>" + escapeXml(String(v)) + "</string></value>";
  }
  function escapeXml(s) { return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }
  function parseValue(node) {
    var child = null;
    for (var i = 0; i < node.childNodes.length; i++) if (node.childNodes[i].nodeType === 1) { child = node.childNodes[i]; break; }
    if (!child) return node.textContent;
    if (child.nodeName === "struct") {
      var out = {};
      Array.prototype.forEach.call(child.getElementsByTagName("member"), function (m) {
        if (m.parentNode !== child) return;
        var name = m.getElementsByTagName("name")[0].textContent;
        var value = null;
        for (var j = 0; j < m.childNodes.length; j++) if (m.childNodes[j].nodeName === "value") value = m.childNodes[j];
        out[name] = parseValue(value);
      });
      return out;
    }
    if (child.nodeName === "array") {
      var data = child.getElementsByTagName("data")[0], items = [];
      for (var k = 0; k < data.childNodes.length; k++) if (data.childNodes[k].nodeName === "value") items.push(parseValue(data.childNodes[k]));
      return items;
    }
    return child.textContent;
  }
  function sampCall(method, params, done, fail) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "http://localhost:" + sampPort + "/");
    xhr.setRequestHeader("Content-Type", "text/xml");
    xhr.timeout = 120000;  // the hub waits for its user to accept the page
    xhr.onload = function () {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/xml");
      var fault = doc.getElementsByTagName("fault")[0];
      if (fault) { fail("the hub refused " + method + ": " + JSON.stringify(parseValue(fault.getElementsByTagName("value")[0]))); return; }
      var value = doc.getElementsByTagName("param")[0];
      done(value ? parseValue(value.getElementsByTagName("value")[0]) : null);
    };
    xhr.onerror = xhr.ontimeout = function () {
      fail("no SAMP hub answers at localhost:" + sampPort + ": start TOPCAT (or another SAMP hub) and try again");
    };
    xhr.send("<?xml version=\"1.0\"?><methodCall><methodName>" + method + "</methodName><params>" +
      params.map(function (p) { return "<param>" + xmlValue(p) + "</param>"; }).join("") + "</params></methodCall>");
  }
  function sampRegistered(then) {
    if (sampKey) { then(); return; }
    sampStatus.textContent = "asking the SAMP hub (accept symfind in TOPCAT's dialog) ...";
    sampCall("samp.webhub.register", [{"samp.name": "symfind"}], function (reply) {
      sampKey = reply["samp.private-key"];
      sampCall("samp.webhub.declareMetadata", [sampKey, {"samp.name": "symfind",
        "samp.description.text": "symfind candidate browser"}], function () { then(); }, sampFailed);
    }, sampFailed);
  }
  function sampFailed(message) { sampKey = null; sampStatus.textContent = message; }
  function sampNotify(mtype, params, said) {
    sampRegistered(function () {
      sampCall("samp.webhub.notifyAll", [sampKey, {"samp.mtype": mtype, "samp.params": params}], function () {
        sampStatus.textContent = said;
      }, sampFailed);
    });
  }
  document.getElementById("samp-send").addEventListener("click", function () {
    var url = new URL(vocab.votable, window.location.href).href;
    sampNotify("table.load.votable", {"url": url, "table-id": "symfind-candidates", "name": "symfind candidates"},
               "sent " + url + " (table.load.votable)");
  });
  tbody.addEventListener("click", function (event) {
    var row = event.target.closest("tr");
    if (!row || !sampKey) return;
    var ra = row.cells[vocab.ra_column].getAttribute("data-sort"), dec = row.cells[vocab.dec_column].getAttribute("data-sort");
    sampNotify("coord.pointAt.sky", {"ra": String(parseFloat(ra)), "dec": String(parseFloat(dec))},
               "pointed at object " + row.getAttribute("data-object") + " (coord.pointAt.sky)");
  });
  window.symfindVetting = {show: show, toCsv: function () { return toCsv(load()); }, importCsv: importCsv, refresh: refreshAll};
  refreshAll();
})();
"""
