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
)


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


def _cell(value, fmt: str | None) -> tuple[str, str]:
    """(shown text, sort key) of one cell; missing values show empty and sort last."""
    if value is None or value is pd.NA or (isinstance(value, float) and not np.isfinite(value)):
        return "", ""
    if fmt is None:
        return str(value), str(value).lower()
    number = float(value)
    return fmt.format(number), repr(number)


def browser_html(rows: pd.DataFrame, figures: Mapping[int, Path], origin: Mapping[str, str], note: str = "") -> str:
    """The browser page: ``rows`` (one per shown object, the keys of :data:`BROWSER_COLUMNS`),
    ``figures`` (object_id -> PNG file, embedded), ``origin`` (:func:`symfind.vo.provenance`),
    ``note``: a line shown above the table (what the lists are, or why they are empty)."""
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
        body.append(f'<tr data-object="{int(row["object_id"])}" {link_attrs}>{"".join(cells)}</tr>')
    data = json.dumps(images).replace("</", "<\\/")
    made = (f"symfind {html.escape(origin['symfind_version'])}, {html.escape(origin['date'])} UTC, "
            f"config SHA-256 {html.escape(origin['config_sha256'][:16])}")
    return _PAGE.format(head=head, body="\n".join(body), data=data, made=made, n=len(body), note=html.escape(note))


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
</style></head>
<body>
<h1>symfind candidates</h1>
<p class="note">{note}</p>
<p class="note">Click a column to sort, type to filter, click a row for its evidence figure and sky links. Made by {made}.</p>
<p><label>Filter: <input id="filter" type="search" placeholder="name, id, list ..." size="30"></label>
<span id="count">{n}</span> of {n} objects shown</p>
<div id="layout">
<div id="list"><table id="candidates"><thead><tr>{head}</tr></thead>
<tbody>
{body}
</tbody></table></div>
<div id="detail"><h2 id="detail-title">Click a candidate</h2><p id="links"></p><img id="figure" alt=""></div>
</div>
<script type="application/json" id="figures">{data}</script>
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
