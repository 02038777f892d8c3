"""Context for translators (issue 13): where every msgid is visible, from the pseudo-locale crawl.

Every pseudo string ends with its msgid's identity ("⟦Pŕóvíšíóñíñĝ Póŕtál ·····0tu⟧",
tests/pseudo.py). For each page state the crawl takes one full-page screenshot and records, with
RECORD, the box of every string in it; `write_report` then makes
artifacts/translator-context/index.html: per msgid, its locations, the states where it is visible
with a crop of the screenshot around it, and the msgids the crawl never saw, with what they are
(emails, error messages, …) where the locations tell. Each state also gets a page of its own,
states/<state>.html, the screenshot with every string's box, the one linked to highlighted.
"""

import json
import os
from html import escape
from pathlib import Path

from babel.messages.pofile import read_po

from tests.pseudo import all_identities, templates

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "artifacts" / "translator-context"

# In the browser: the box (page coordinates) of every pseudo string on the page, found from its
# brackets in document order (a string may span several elements: "⟦Ŕéáď <a>ţĥé ĥéļþ</a> ·x2k⟧"),
# and the ids in the attributes a person reads and in the title. [id, kind, [x, y, w, h] or null].
RECORD = r"""
() => {
  const OPEN = '⟦', CLOSE = '⟧', TAIL = /^·([0-9a-z]{3})$/, IN_ATTRIBUTE = /·([0-9a-z]{3})⟧/g;
  const strings = [];
  const scan = doc => {
    const view = doc.defaultView, sx = view.scrollX, sy = view.scrollY;
    // Laid out, not hidden, and not inside a closed <details> (whose content still has boxes).
    const shown = el => el.getClientRects().length > 0 && view.getComputedStyle(el).visibility !== 'hidden'
      && !(el.closest('details:not([open])') && !el.closest('summary'));
    // Read by screen readers only (.visually-hidden: clipped to a pixel) or moved off the page (a skip link).
    const unseen = el => {
      for (let e = el; e; e = e.parentElement) {
        const style = view.getComputedStyle(e);
        if ((style.clip !== 'auto' || style.clipPath !== 'none') && e.clientWidth <= 1 && e.clientHeight <= 1) return true;
      }
      return false;
    };
    const union = rects => {
      const list = [...rects].filter(r => r.width > 0 && r.height > 0);
      if (!list.length) return null;
      const left = Math.min(...list.map(r => r.left)), top = Math.min(...list.map(r => r.top));
      const right = Math.max(...list.map(r => r.right)), bottom = Math.max(...list.map(r => r.bottom));
      if (right + sx <= 0 || bottom + sy <= 0) return null;
      return [Math.round(left + sx), Math.round(top + sy), Math.round(right - left), Math.round(bottom - top)];
    };
    const stack = [];
    let tail = '';
    const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement, text = node.textContent;
      if (!el || el.closest('script, style, noscript, template')) continue;
      for (let i = 0; i < text.length; i++) {
        if (text[i] === OPEN) { stack.push({node, offset: i}); continue; }
        if (text[i] !== CLOSE) continue;
        const start = stack.pop();
        const found = (i >= 4 ? text.slice(i - 4, i) : (tail + text.slice(0, i)).slice(-4)).match(TAIL);
        if (!start || !found) continue;
        const option = el.closest('option'), select = option && option.closest('select');
        if (option) { strings.push([found[1], 'choice', select && shown(select) ? union(select.getClientRects()) : null]); continue; }
        if (unseen(el)) { strings.push([found[1], 'screen readers', null]); continue; }
        const range = doc.createRange();
        range.setStart(start.node, start.offset);
        range.setEnd(node, i + 1);
        const visible = shown(el) && shown(start.node.parentElement);
        strings.push([found[1], 'text', visible ? union(range.getClientRects()) : null]);
      }
      tail = (tail + text).slice(-4);
    }
    for (const el of doc.querySelectorAll('[title], [placeholder], [aria-label], [alt], input[value]')) {
      for (const attribute of ['title', 'placeholder', 'aria-label', 'alt', 'value']) {
        const value = el.getAttribute(attribute);
        if (!value || (attribute === 'value' && !['submit', 'button', 'reset'].includes(el.type))) continue;
        for (const found of value.matchAll(IN_ATTRIBUTE))
          strings.push([found[1], attribute, shown(el) && !unseen(el) ? union(el.getClientRects()) : null]);
      }
    }
  };
  scan(document);
  for (const found of document.title.matchAll(IN_ATTRIBUTE)) strings.push([found[1], 'title', null]);
  const page = document.documentElement;
  return {width: page.scrollWidth, height: page.scrollHeight, strings};
}
"""


FRAME_BOX = "f => { const r = f.getBoundingClientRect(); return [r.left + f.clientLeft + scrollX, r.top + f.clientTop + scrollY, f.clientWidth, f.clientHeight]; }"


def record(page, base: str, n: int, label: str, shot: Path) -> dict:
    """One page state: its screenshot (taken just before, full page) and the boxes of its strings,
    those of its frames too (the demo mailbox shows an email in a sandboxed frame), placed on the page."""
    found = page.evaluate(RECORD)
    for element in page.query_selector_all("iframe"):
        frame = element.content_frame()
        if frame is None:
            continue
        left, top, width, height = element.evaluate(FRAME_BOX)
        for ident, kind, box in frame.evaluate(RECORD)["strings"]:
            inside = box and box[1] < height and box[0] < width and kind != "title"
            placed = (
                [round(left + box[0]), round(top + box[1]), box[2], min(box[3], round(height - box[1]))]
                if inside
                else None
            )
            found["strings"].append([ident, "email" if kind == "text" else f"email {kind}", placed])
    return {
        "n": n,
        "label": label,
        "url": page.url.removeprefix(base),
        "shot": shot.relative_to(FOLDER).as_posix(),
        **found,
    }


def save(crawl: str, states: list[dict]) -> None:
    """The states of one crawl (role and width), beside its screenshots."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    partial = FOLDER / f"{crawl}.json.{os.getpid()}"
    partial.write_text(json.dumps({"crawl": crawl, "states": states}), encoding="utf-8")
    os.replace(partial, FOLDER / f"{crawl}.json")


# --- the report ---------------------------------------------------------------------------------

KINDS = (
    ("email", lambda p: "/templates/emails/" in p or p.startswith("portal/mail/")),
    ("error page", lambda p: p.endswith(("infra/errors.py", "templates/error.html"))),
    (
        "error or validation message (shown when a form or rule refuses what was entered)",
        lambda p: p.endswith(("forms.py", "fields.py", "rules.py", "text_policy.py", "matching.py", "submissions.py"))
        or p.endswith(("lifecycle.py", "service_setup.py", "add_me.py", "mapping.py")),
    ),
    ("history entry (the audit log of an order, trial or organization)", lambda p: p.startswith("portal/audit/")),
    (
        "label of a value (shown where that value occurs)",
        lambda p: p.endswith(("labels.py", "vocabulary.py", "status.py")),
    ),
    ("message after an action (flash or answer of a view)", lambda p: p.endswith(".py")),
    ("on a page or in a state the crawl does not reach", lambda p: True),
)


def kinds_of(locations, domain: str) -> list[str]:
    if domain == "wtforms":
        return ["error or validation message (WTForms' own)"]
    found = {next(kind for kind, test in KINDS if test(path)) for path, _ in locations}
    return [kind for kind, _ in KINDS if kind in found]


def messages(root: Path) -> dict:
    """id -> what a translator finds in the .po file: domain, context, msgid, plural, comments, locations."""
    ids = all_identities(root)
    found = {}
    for domain, template in templates(root).items():
        with template.open("rb") as f:
            for m in read_po(f):
                if not m.id:
                    continue
                sources = m.id if isinstance(m.id, tuple) else (m.id,)
                ident = ids[(m.context, sources[0])]
                found.setdefault(
                    ident,
                    {
                        "id": ident,
                        "domain": domain,
                        "context": m.context,
                        "msgid": sources[0],
                        "plural": sources[1] if len(sources) > 1 else None,
                        "comments": list(m.auto_comments),
                        "locations": [(path, line) for path, line in m.locations],
                    },
                )
    return found


def load_states(folder: Path) -> list[dict]:
    states = []
    for path in sorted(folder.glob("*.json")):
        crawl = json.loads(path.read_text(encoding="utf-8"))
        for state in crawl["states"]:
            if (folder / state["shot"]).exists():
                states.append(
                    {**state, "crawl": crawl["crawl"], "page": f"states/{crawl['crawl']}-{state['n']:02d}.html"}
                )
    return states


STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 1.5rem;color:#1d1d1f}
h1{font-size:1.5rem}h2{margin-top:2.5rem;border-bottom:2px solid #ddd}code,.msgid{font-family:ui-monospace,monospace}
.entry{border-top:1px solid #ddd;padding:.8rem 0}.msgid{font-size:1rem;font-weight:600;white-space:pre-wrap}
.meta{color:#555;font-size:.85rem}.thumbs{display:flex;flex-wrap:wrap;gap:.6rem;margin:.4rem 0}
.crop{position:relative;overflow:hidden;width:360px;height:110px;border:1px solid #bbb;background:#fff;display:block}
.crop img{position:absolute;transform-origin:0 0;max-width:none}
.mark{position:absolute;outline:3px solid #d00;background:rgba(255,0,0,.12)}
.states a{margin-right:.6rem;white-space:nowrap}.hidden{color:#777}
.shot{position:relative;display:inline-block}.shot img{display:block}
.box{position:absolute;outline:1px dashed rgba(0,60,200,.45)}
.box:target{outline:3px solid #d00;background:rgba(255,0,0,.15)}
"""


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body>{body}</body></html>\n"
    )


def _state_name(state: dict) -> str:
    return f"{state['crawl']} · {state['n']:02d} {state['label']}"


KIND_NAMES = {
    "title": "in the tab title",
    "choice": "a choice in a list",
    "screen readers": "read by screen readers only",
}


def _crop(state: dict, index: int, box: list[int]) -> str:
    """A window onto the state's screenshot around the string, scaled down when the string is larger."""
    x, y, w, h = box
    width, height = min(max(w + 48, 360), 760), min(max(h + 48, 110), 240)
    scale = min(1.0, (width - 16) / max(w, 1), (height - 16) / max(h, 1))
    left, top = width / 2 - (x + w / 2) * scale, height / 2 - (y + h / 2) * scale
    mark = f"left:{width / 2 - w * scale / 2:.0f}px;top:{height / 2 - h * scale / 2:.0f}px;width:{w * scale:.0f}px;height:{h * scale:.0f}px"
    return (
        f'<a class="crop" style="width:{width}px;height:{height}px" href="{state["page"]}#o{index}" '
        f'title="{escape(_state_name(state))}">'
        f'<img loading="lazy" alt="" src="{escape(state["shot"])}" '
        f'style="left:{left:.0f}px;top:{top:.0f}px;width:{state["width"] * scale:.0f}px">'
        f'<span class="mark" style="{mark}"></span></a>'
    )


def _entry(message: dict, seen: list) -> str:
    parts = [f'<div class="entry" id="m-{message["id"]}">']
    if message["context"]:
        parts.append(f'<div class="meta">msgctxt <code>{escape(message["context"])}</code></div>')
    parts.append(f'<div class="msgid">{escape(message["msgid"])}</div>')
    if message["plural"]:
        parts.append(f'<div class="msgid">{escape(message["plural"])}</div>')
    for comment in message["comments"]:
        parts.append(f'<div class="meta">#. {escape(comment)}</div>')
    where = " ".join(f"{path}:{line}" if line else path for path, line in message["locations"])
    domain = "" if message["domain"] == "messages" else f" ({message['domain']}.po)"
    parts.append(f'<div class="meta">#: {escape(where)}{domain} · id <code>{message["id"]}</code></div>')
    visible = [(state, index, box) for state, index, kind, box in seen if box]
    if visible:
        thumbs, crawls = [], set()
        for state, index, box in visible:  # one crop per crawl width, at most three
            width = state["crawl"].rsplit("-", 1)[-1]
            if width not in crawls and len(thumbs) < 3:
                crawls.add(width)
                thumbs.append(_crop(state, index, box))
        parts.append(f'<div class="thumbs">{"".join(thumbs)}</div>')
    states = {}
    for state, index, kind, box in seen:
        states.setdefault(state["page"], (state, index, kind, box))
    links = [
        f'<a href="{state["page"]}#o{index}" class="{"" if box else "hidden"}">{escape(_state_name(state))}'
        f"{'' if kind == 'text' else f' ({KIND_NAMES.get(kind, kind)})'}{'' if box or kind == 'title' else ' (not visible)'}</a>"
        for state, index, kind, box in states.values()
    ]
    if states:
        parts.append(
            f'<details class="states"><summary>In {len(states)} page states</summary>{" ".join(links)}</details>'
        )
    return "".join(parts) + "</div>"


def _state_page(state: dict, known: dict) -> str:
    boxes = []
    for index, (ident, kind, box) in enumerate(state["strings"]):
        if box and ident in known:
            x, y, w, h = box
            title = escape(known[ident]["msgid"])
            boxes.append(
                f'<a class="box" id="o{index}" href="../index.html#m-{ident}" title="{title}" '
                f'style="left:{x}px;top:{y}px;width:{w}px;height:{h}px"></a>'
            )
    body = (
        f'<p><a href="../index.html">All msgids</a> · {escape(_state_name(state))} · <code>{escape(state["url"])}</code>'
        f" · the highlighted box is the string you came for; every box links to its msgid.</p>"
        f'<div class="shot"><img alt="" src="../{escape(state["shot"])}">{"".join(boxes)}</div>'
    )
    return _page(_state_name(state), body)


def write_report(root: Path = ROOT, folder: Path = FOLDER) -> Path:
    known = messages(root)
    states = load_states(folder)
    seen: dict[str, list] = {ident: [] for ident in known}
    (folder / "states").mkdir(parents=True, exist_ok=True)
    for state in states:
        for index, (ident, kind, box) in enumerate(state["strings"]):
            if ident in seen:
                seen[ident].append((state, index, kind, box))
        (folder / state["page"]).write_text(_state_page(state, known), encoding="utf-8")
    visible = [m for m in known.values() if any(box or kind == "title" for *_, kind, box in seen[m["id"]])]
    hidden = [m for m in known.values() if seen[m["id"]] and m not in visible]
    never = [m for m in known.values() if not seen[m["id"]]]
    body = [
        "<h1>Context for translators</h1>",
        f"<p>{len(known)} msgids; {len(visible)} visible in the pseudo-locale crawl ({len(states)} page states), "
        f"{len(hidden)} present but never visible (read by screen readers only, or in a closed panel), "
        f"{len(never)} never seen. "
        "Search this page for the msgid of the <code>.po</code> entry you translate; each crop links to the "
        "full screenshot with the string highlighted.</p>",
        '<p><a href="#visible">Visible</a> · <a href="#hidden">Hidden</a> · <a href="#never">Never seen</a>'
        ' · <a href="#states">Page states</a></p>',
        '<h2 id="visible">Visible in the crawl</h2>',
        *(_entry(m, seen[m["id"]]) for m in visible),
        '<h2 id="hidden">In a page, but never visible (screen readers only, a closed panel)</h2>',
        *(_entry(m, seen[m["id"]]) for m in hidden),
        '<h2 id="never">Never seen in the crawl</h2>',
    ]
    groups: dict[str, list] = {}
    for m in never:
        groups.setdefault("; ".join(kinds_of(m["locations"], m["domain"])), []).append(m)
    for kind, group in sorted(groups.items(), key=lambda item: -len(item[1])):
        body.append(f"<h3>{escape(kind[:1].upper() + kind[1:])}: {len(group)}</h3>")
        body += [_entry(m, []) for m in group]
    body.append('<h2 id="states">Page states</h2><ul>')
    body += [
        f'<li><a href="{s["page"]}">{escape(_state_name(s))}</a> <code>{escape(s["url"])}</code></li>' for s in states
    ]
    body.append("</ul>")
    index = folder / "index.html"
    partial = folder / f"index.html.{os.getpid()}"
    partial.write_text(_page("Context for translators", "\n".join(body)), encoding="utf-8")
    os.replace(partial, index)
    return index
