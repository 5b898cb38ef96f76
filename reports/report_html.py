"""What every h2soak HTML report is made of: atomic file writes, the figures
as inline PNGs, tables, number formatting and the page's style.

Shared by reports/plot_run.py (the run and A/B reports) and
reports/capacity_report.py (the report of a capacity search), so that both
pages look alike and write their files the same way: to a temporary name in
the folder, synced, then renamed into place, so that a write that fails
part-way leaves the older file of that name as it was.
"""
import base64
import contextlib
import html
import math
import os
import tempfile

MIB = float(2**20)

CSS = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f3f3f3; }
tr.regression td, tr.failed td { background: #f8d7da; }
tr.warn td, tr.missing td { background: #fff3cd; }
p.fail { color: #a00; font-size: 1.2em; }
p.pass { color: #060; font-size: 1.2em; }
tr.improved td { background: #d4edda; }
tr.leaks td { background: #f8d7da; }
p.warning { background: #fff3cd; border: 1px solid #e0c36a; padding: 0.5em 0.8em; max-width: 60em; }
p.explain { max-width: 60em; font-size: 0.9em; color: #444; }
div.attribution td:not(:nth-child(5)) { white-space: nowrap; }
img { max-width: 100%; border: 1px solid #ddd; margin: 0.5em 0; }
"""


class OutputError(Exception):
    """An output file that could not be written; the older file is untouched."""


@contextlib.contextmanager
def atomic_output(path, mode="wb"):
    """A file object that becomes `path` only when the block ends without error."""
    folder = os.path.dirname(path) or "."
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".tmp.")
    except OSError as e:
        raise OutputError(f"{path}: cannot create a temporary file in {folder}: {e.strerror}") from e
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise OutputError(f"{path}: write failed ({e.strerror}); the file was left as it was") from e
        raise


def save_figure(fig, path):
    with atomic_output(path) as f:
        fig.savefig(f, format="png", dpi=90)


def fmt(v, unit=""):
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if unit == "bytes" or unit.startswith("bytes"):
        if abs(v) >= MIB:
            return f"{v / MIB:.2f} MiB{unit[5:]}"
        if abs(v) >= 1024:
            return f"{v / 1024:.1f} KiB{unit[5:]}"
    if unit == "us" and abs(v) >= 1000:  # latencies as a reader says them: ms, s
        return f"{v / 1e6:.4g} s" if abs(v) >= 1e6 else f"{v / 1000:.4g} ms"
    if isinstance(v, float):
        return f"{v:.4g} {unit}".strip()
    return f"{v} {unit}".strip()


def table(headers, rows, row_classes=None):
    out = ["<table><thead><tr>"] + [f"<th>{html.escape(h)}</th>" for h in headers] + ["</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        cls = f' class="{row_classes[i]}"' if row_classes and row_classes[i] else ""
        out.append(f"<tr{cls}>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def images_section(images):
    """<h3>name</h3> and the PNG inlined (base64), for each (name, png path)."""
    parts = []
    for name, png in images:
        with open(png, "rb") as f:
            data = base64.b64encode(f.read()).decode("ascii")
        parts.append(f'<h3>{html.escape(name)}</h3><img alt="{html.escape(name)}" '
                     f'src="data:image/png;base64,{data}">')
    return "".join(parts)


def write_page(path, title, body, css=""):
    """A self-contained page: `body` (a list of HTML fragments) under <h1>title</h1>."""
    doc = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
           f"<title>{html.escape(title)}</title><style>{CSS}{css}</style></head><body>"
           f"<h1>{html.escape(title)}</h1>" + "".join(body) + "</body></html>\n")
    with atomic_output(path, "w") as f:
        f.write(doc)
