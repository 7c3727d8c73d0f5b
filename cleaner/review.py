"""``cleaner report --editable``: the audit page as a place to correct decisions and download them as labels.

The page stays one offline file: the labeled documents ride along as an inline
JSON block and a small vanilla-JS script (no server, no external assets) lets
the reader click a line to flip keep/drop, choose the category of a line, see
which lines changed and download every document shown, all its lines, as
labeled JSONL, the format ``make train USER_DATA=labels.jsonl`` reads
(``training/data.py``; README "Retraining")::

    {"id": "site/a.txt", "source": "site", "flavor": "user", "lines": [
      {"n": 1, "text": "Subscribe now", "label": "noise", "category": "newsletter", "corrected": true}, ...]}

``label`` is ``body``, ``title`` or ``noise`` (from keep/drop and the category, as
the authored data has it); ``category`` becomes the model's class; ``source``, the
folder the file sits in, stands for the site; ``corrected`` marks the lines the
reader changed. Before any click, the download is the cleaner's own decisions.

>>> from cleaner.decide import Decision
>>> labeled_line(Decision(3, "Sign up", False, "newsletter", 0.01))
{'n': 3, 'text': 'Sign up', 'label': 'noise', 'category': 'newsletter', 'corrected': False}
>>> labeled_line(Decision(4, "Moscow, March 14", True, "heading", 0.7))["label"]
'body'
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any

from cleaner.categories import DROP_CATEGORIES, KEEP_CATEGORIES, is_keep
from cleaner.decide import Decision, DocumentResult

FLAVOR = "user"  # the labeled documents' flavor: `cleaner eval` and training scores list them apart from residue/page
SOURCE_FALLBACK = "user"  # the source of a document read from stdin or from the current folder
DOWNLOAD_NAME = "labels.jsonl"
DATA_ID = "cleaner-labels"  # id of the inline JSON block the script reads

EDIT_CSS = """
.toolbar{position:sticky;top:0;z-index:1;background:#fff;padding:.5rem 0;border-bottom:1px solid #ccc}
.toolbar button{font:inherit;padding:.25rem .8rem;margin-right:.8rem;cursor:pointer}
body.editable .line{cursor:pointer}
body.editable .line:hover{outline:1px dashed #888}
select.cat{font-size:.75rem;margin-left:.4rem}
li.changed{background:#fff1db;box-shadow:-4px 0 0 #e67e22}
li .was{display:none;font-size:.75rem;color:#a04000;margin-left:.4rem}
li.changed .was{display:inline}
"""

EDIT_JS = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("%(data_id)s").textContent);
  var lines = [];  // {doc, li, record, orig: {keep, category}, keep, category}

  function labelOf(keep, category) {
    return !keep ? "noise" : category === "title" ? "title" : "body";
  }
  function isChanged(s) { return s.keep !== s.orig.keep || s.category !== s.orig.category; }

  function fillChoices(select, keep) {
    select.textContent = "";
    (keep ? data.keep_categories : data.drop_categories).forEach(function (c) {
      var o = document.createElement("option");
      o.value = c;
      o.textContent = c;
      select.appendChild(o);
    });
  }

  function swapTag(el, tag) {
    var out = document.createElement(tag);
    Array.prototype.forEach.call(el.attributes, function (a) { out.setAttribute(a.name, a.value); });
    while (el.firstChild) { out.appendChild(el.firstChild); }
    el.replaceWith(out);
    return out;
  }

  function render(s) {
    var el = s.li.querySelector(".line");
    var tag = s.keep ? "span" : "del";
    if (el.tagName.toLowerCase() !== tag) { el = swapTag(el, tag); }
    el.className = "line c-" + s.category;
    var select = s.li.querySelector("select.cat");
    if (select.dataset.keep !== String(s.keep)) { fillChoices(select, s.keep); select.dataset.keep = String(s.keep); }
    select.value = s.category;
    s.li.classList.toggle("changed", isChanged(s));
  }

  function showCount() {
    var n = lines.filter(isChanged).length;
    document.getElementById("changed-count").textContent = n + (n === 1 ? " line" : " lines") + " changed";
  }

  function flip(s) {
    s.keep = !s.keep;
    s.category = s.keep === s.orig.keep ? s.orig.category : s.keep ? "body" : "noise";
    render(s);
    showCount();
  }

  function labeled(s) {
    var out = {};
    Object.keys(s.record).forEach(function (k) { out[k] = s.record[k]; });
    out.label = labelOf(s.keep, s.category);
    out.category = s.category;
    out.corrected = isChanged(s);
    return out;
  }

  function download() {
    var text = data.docs.map(function (doc, d) {
      var out = {};
      Object.keys(doc).forEach(function (k) { out[k] = doc[k]; });
      out.lines = lines.filter(function (s) { return s.doc === d; }).map(labeled);
      return JSON.stringify(out) + "\\n";
    }).join("");
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([text], {type: "application/x-ndjson"}));
    a.download = "%(download)s";
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  data.docs.forEach(function (doc, d) {
    var items = document.querySelectorAll("#doc" + (d + 1) + " ol.lines > li");
    doc.lines.forEach(function (record, i) {
      var li = items[i];
      var keep = record.label !== "noise";
      var s = {doc: d, li: li, record: record, orig: {keep: keep, category: record.category},
               keep: keep, category: record.category};
      var select = document.createElement("select");
      select.className = "cat";
      select.title = "category of this line";
      li.querySelector(".cat").replaceWith(select);
      var was = document.createElement("span");
      was.className = "was";
      was.textContent = "was: " + (keep ? "kept" : "dropped") + " as " + record.category;
      li.appendChild(was);
      li.addEventListener("click", function (ev) {
        if (ev.target.closest(".line")) { flip(s); }
      });
      select.addEventListener("change", function () { s.category = select.value; render(s); showCount(); });
      lines.push(s);
      render(s);
    });
  });
  showCount();
  document.getElementById("download").addEventListener("click", download);
})();
"""


def label_of(keep: bool, category: str) -> str:
    """The line-set label (``body``, ``title``, ``noise``) of a line kept or dropped as ``category``.

    >>> label_of(True, "title"), label_of(True, "heading"), label_of(False, "promo")
    ('title', 'body', 'noise')
    """
    if not keep:
        return "noise"
    return "title" if category == "title" else "body"


def labeled_line(d: Decision) -> dict[str, Any]:
    """``d`` as a labeled line; a category that contradicts keep/drop becomes ``body`` or ``noise``."""
    category = d.category if is_keep(d.category) == d.keep else "body" if d.keep else "noise"
    return {"n": d.n, "text": d.text, "label": label_of(d.keep, category), "category": category, "corrected": False}


def source_of(name: str) -> str:
    """The site a file stands for: the name of the folder it is in.

    >>> source_of("crawl/example.org/a.txt"), source_of("a.txt"), source_of("-")
    ('example.org', 'user', 'user')
    """
    return PurePath(name).parent.name or SOURCE_FALLBACK


def labeled_document(name: str, result: DocumentResult) -> dict[str, Any]:
    """The cleaner's decisions on one document as a labeled document (what the page downloads unchanged)."""
    return {
        "id": name,
        "source": source_of(name),
        "flavor": FLAVOR,
        "lines": [labeled_line(d) for d in result.decisions],
    }


def _inline_json(value: object) -> str:
    """JSON that cannot end its ``<script>`` block early."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def editor_toolbar() -> str:
    """The download button and the count of changed lines, kept in view at the top of the page."""
    return (
        '<div class="toolbar"><button type="button" id="download">Download labels</button>'
        '<span id="changed-count">0 lines changed</span></div>'
        "<p>Click a line to keep or drop it; choose the category of a line in its menu. Changed lines are "
        f"marked. <b>Download labels</b> saves every line of every document as <code>{DOWNLOAD_NAME}</code>; "
        f"then <code>make train USER_DATA={DOWNLOAD_NAME}</code> retrains the model with them.</p>"
    )


def editor_script(named_results: list[tuple[str, DocumentResult]]) -> str:
    """The inline JSON of the labeled documents and the script that edits and downloads them."""
    payload = {
        "keep_categories": list(KEEP_CATEGORIES),
        "drop_categories": list(DROP_CATEGORIES),
        "docs": [labeled_document(name, r) for name, r in named_results],
    }
    script = EDIT_JS % {"data_id": DATA_ID, "download": DOWNLOAD_NAME}
    return f'<script type="application/json" id="{DATA_ID}">{_inline_json(payload)}</script>\n<script>{script}</script>'
