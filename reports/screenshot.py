#!/usr/bin/python3
"""Render an h2soak HTML report in headless Chromium, and check it as a person would.

Usage:
  /usr/bin/python3 reports/screenshot.py REPORT_HTML --out PNG [--check]
        [--chromium PATH] [--width PX] [--timeout S]

Contract:
  * Renders REPORT_HTML (what reports/plot_run.py writes) with Debian's
    Chromium, /usr/bin/chromium, headless (--headless --no-sandbox
    --disable-gpu --hide-scrollbars --disable-dev-shm-usage, a throwaway
    --user-data-dir in a temporary folder), in a window --width px wide (default 1400) and as
    tall as the whole page, and writes the screenshot to PNG (written under
    a temporary name and renamed, so a failed run leaves an older PNG as it
    was). The page's height is measured first: a copy of the page, with a
    <base> pointing at the report's folder and a script that records the
    laid-out height and each image's decoded size once the page has
    loaded, is loaded with `chromium --headless --dump-dom`. A page taller
    than MAX_HEIGHT px is cut there (said on stderr).
  * With --check, the DOM Chromium built (that --dump-dom) and the
    screenshot are also checked:
      - the verdict table: the <h2>Verdict</h2> section plot_run.py puts
        first holds a <table> (the compared metrics or, without a
        baseline, the thresholds) with at least one row in its <tbody>;
      - every <img> (at least one) has a data:image/png;base64 source or a
        file source (relative to the report, or file:) whose bytes decode
        to a PNG of non-zero width and height, and Chromium itself decoded
        it to a non-zero size;
      - the screenshot is not blank: at least MIN_INK of its pixels differ
        from its most common colour.
    Every failed check is printed on stderr as "screenshot: check failed: ...".
  * Each Chromium runs in its own process group with a timeout (--timeout,
    default 120 s per launch); on timeout that group, and only it, is
    killed by its id. Nothing is killed by name.

Exit codes: 0 written (and, with --check, every check passed; one line on
stdout says what was checked); 1 a check failed; 2 usage error, unreadable
report, Chromium missing, or Chromium failed or timed out.

Needs Debian's chromium and python3; python3-pil reads the PNGs when
installed, else python3-matplotlib does.
"""
import argparse
import base64
import binascii
import html
import html.parser
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

CHROMIUM = "/usr/bin/chromium"
# --disable-dev-shm-usage: a container's /dev/shm is 64 MiB by default, too
# small for a tall page; Chromium then uses /tmp.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                  "--disable-dev-shm-usage", "--disable-extensions", "--no-first-run", "--mute-audio"]
MIN_HEIGHT = 600
MAX_HEIGHT = 60000  # 1400 x 60000 px took 43 s on 2 busy CPUs; PIL opens up to 89 Mpx
MEASURE_HEIGHT = 1000  # window height of the measuring load; the width is the screenshot's
MIN_INK = 0.01  # share of pixels that differ from the background in a page that is not blank
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HEIGHT_ATTR = "data-h2soak-height"
NATURAL_ATTR = "data-h2soak-natural"
# Runs once the page (images included) has loaded; --dump-dom serialises the
# DOM after that, so the attributes carry the laid-out height and what
# Chromium decoded each image to.
MEASURE_SCRIPT = (
    "<script>window.addEventListener('load', function () {"
    " var d = document.documentElement, b = document.body;"
    f" d.setAttribute('{HEIGHT_ATTR}', String(Math.ceil(Math.max(d.scrollHeight, b ? b.scrollHeight : 0))));"
    " var imgs = document.images;"
    " for (var i = 0; i < imgs.length; i++)"
    f"  imgs[i].setAttribute('{NATURAL_ATTR}', imgs[i].naturalWidth + 'x' + imgs[i].naturalHeight);"
    "});</script>")


class Unusable(Exception):
    """The page could not be rendered at all (exit code 2)."""


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Screenshot an h2soak HTML report in headless Chromium "
                                             "and, with --check, check what a reader would see.")
    ap.add_argument("report", help="the report.html plot_run.py wrote")
    ap.add_argument("--out", required=True, help="the screenshot (PNG) to write")
    ap.add_argument("--check", action="store_true",
                    help="also check the verdict table, every image and that the screenshot is not blank")
    ap.add_argument("--chromium", default=CHROMIUM, help=f"the Chromium to run (default {CHROMIUM})")
    ap.add_argument("--width", type=int, default=1400, help="window width in px (default 1400)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per Chromium launch (default 120)")
    args = ap.parse_args(argv)
    if args.width < 200 or args.timeout <= 0:
        ap.error("--width must be at least 200 and --timeout positive")
    return args


# --- running Chromium ------------------------------------------------------

def run_chromium(chromium, flags, url, timeout):
    """Runs one headless Chromium on url; returns its stdout. Raises Unusable."""
    with tempfile.TemporaryDirectory(prefix="h2soak-chromium-") as profile:
        cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *flags, url]
        # Its own session: the browser's helpers share its process group, so
        # a timeout ends exactly the processes started here. The group is
        # killed before its leader is reaped, so its id cannot have been
        # reused by then. (A browser that exits ends its helpers itself.)
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc.pid)
            proc.communicate()
            raise Unusable(f"Chromium did not finish within {timeout:g} s ({' '.join(flags)})") from None
    if proc.returncode != 0:
        tail = "\n".join(err.decode(errors="replace").splitlines()[-10:])
        raise Unusable(f"Chromium exited with {proc.returncode} ({' '.join(flags)}):\n{tail}")
    return out.decode("utf-8", errors="replace")


def kill_group(pgid):
    """SIGKILL to the process group this script started (its id is its leader's pid)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def measuring_copy(report, folder):
    """A copy of the page that resolves relative sources as the original and records its layout."""
    with open(report, encoding="utf-8", errors="replace") as f:
        page = f.read()
    base = '<base href="' + html.escape(file_url(os.path.dirname(os.path.abspath(report))) + "/") + '">'
    lower = page.lower()
    head = lower.find("<head>")
    page = page[:head + 6] + base + page[head + 6:] if head >= 0 else base + page
    body_end = page.lower().rfind("</body>")
    page = page[:body_end] + MEASURE_SCRIPT + page[body_end:] if body_end >= 0 else page + MEASURE_SCRIPT
    path = os.path.join(folder, "measure.html")
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)
    return path


def file_url(path):
    return "file://" + urllib.request.pathname2url(os.path.abspath(path))


def measure(args, folder):
    """(the DOM Chromium built, the page's height in px)."""
    copy = measuring_copy(args.report, folder)
    dom = run_chromium(args.chromium, ["--dump-dom", f"--window-size={args.width},{MEASURE_HEIGHT}"],
                       file_url(copy), args.timeout)
    scan = DomScan.of(dom)
    if scan.height is None:
        raise Unusable("the page did not finish loading (no height recorded in the dumped DOM)")
    return dom, scan.height


def take_screenshot(args, height, folder):
    """Renders the page at width x height into args.out (atomically)."""
    shot = os.path.join(folder, "shot.png")
    run_chromium(args.chromium, [f"--screenshot={shot}", f"--window-size={args.width},{height}"],
                 file_url(args.report), args.timeout)
    if not os.path.isfile(shot) or os.path.getsize(shot) == 0:
        raise Unusable("Chromium exited 0 but wrote no screenshot")
    target = os.path.abspath(args.out)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix="." + os.path.basename(target) + ".tmp.")
    try:
        with os.fdopen(fd, "wb") as dst, open(shot, "rb") as src:
            shutil.copyfileobj(src, dst)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# --- reading the DOM -------------------------------------------------------

class DomScan(html.parser.HTMLParser):
    """What --check needs from the dumped DOM: the verdict section's tables and every <img>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.height = None
        self.h2_text = None        # text of the <h2> being read
        self.section = None        # text of the last <h2>
        self.in_tbody = False
        self.verdict_rows = []     # body rows of each table in the verdict section
        self.images = []           # [(src, natural "WxH" or None)]

    @classmethod
    def of(cls, dom):
        scan = cls()
        scan.feed(dom)
        scan.close()
        return scan

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html" and (a.get(HEIGHT_ATTR) or "").isdigit():
            self.height = int(a[HEIGHT_ATTR])
        elif tag == "h2":
            self.h2_text = ""
        elif tag == "img":
            self.images.append((a.get("src") or "", a.get(NATURAL_ATTR)))
        elif self.section == "Verdict":
            if tag == "table":
                self.verdict_rows.append(0)
            elif tag == "tbody":
                self.in_tbody = True
            elif tag == "tr" and self.in_tbody and self.verdict_rows:
                self.verdict_rows[-1] += 1

    def handle_endtag(self, tag):
        if tag == "h2" and self.h2_text is not None:
            self.section, self.h2_text = self.h2_text.strip(), None
        elif tag == "tbody":
            self.in_tbody = False

    def handle_data(self, data):
        if self.h2_text is not None:
            self.h2_text += data


# --- the checks ------------------------------------------------------------

def check_verdict(scan):
    if not scan.verdict_rows:
        return ["no verdict table: the page has no <h2>Verdict</h2> section with a <table> "
                "(was plot_run.py given --verdict?)"]
    if scan.verdict_rows[0] == 0:
        return ["the verdict table has no rows"]
    return []


def check_images(scan, report):
    if not scan.images:
        return ["the page has no <img> at all"]
    problems = []
    for i, (src, natural) in enumerate(scan.images, 1):
        label = f"<img> {i} ({src[:40] + '...' if len(src) > 40 else src or 'no src'})"
        try:
            w, h = png_size(image_bytes(src, report))
        except ValueError as e:
            problems.append(f"{label}: {e}")
            continue
        if not w or not h:
            problems.append(f"{label}: a PNG of {w}x{h} px")
        if not natural or natural.startswith("0x") or natural.endswith("x0"):
            problems.append(f"{label}: Chromium did not decode it (natural size {natural or 'unknown'})")
    return problems


def image_bytes(src, report):
    """The bytes an <img> source names. Raises ValueError saying why there are none."""
    if not src:
        raise ValueError("empty source")
    if src.startswith("data:"):
        header, _, payload = src.partition(",")
        if header != "data:image/png;base64":
            raise ValueError(f"a data: source that is not a base64 PNG ({header})")
        try:
            data = base64.b64decode(payload, validate=True)
        except binascii.Error as e:
            raise ValueError(f"invalid base64 ({e})") from None
        if not data:
            raise ValueError("an empty data: source")
        return data
    url = urllib.parse.urlparse(src)
    if url.scheme not in ("", "file"):
        raise ValueError(f"a {url.scheme}: source; the report must be self-contained")
    path = urllib.parse.unquote(url.path)
    if not os.path.isabs(path):
        path = os.path.join(os.path.dirname(os.path.abspath(report)), path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ValueError(f"{path}: {e.strerror}") from None
    if not data:
        raise ValueError(f"{path}: empty file")
    return data


def png_size(data):
    """(width, height) of PNG bytes, decoded in full when PIL is installed. Raises ValueError."""
    if not data.startswith(PNG_MAGIC) or len(data) < 24 or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    w, h = struct.unpack(">II", data[16:24])
    pixels = read_pixels(data)
    return (pixels.shape[1], pixels.shape[0]) if pixels is not None else (w, h)


def read_pixels(data):
    """The PNG as a numpy array (height x width [x channels]); None if nothing here decodes PNGs."""
    import io
    import numpy as np
    try:
        from PIL import Image
    except ImportError:
        Image = None
    try:
        if Image is not None:
            with Image.open(io.BytesIO(data)) as im:
                return np.asarray(im.convert("RGB"))
        import matplotlib.image
        return matplotlib.image.imread(io.BytesIO(data), format="png")
    except Exception as e:  # noqa: BLE001 - any decoder error means a broken PNG
        raise ValueError(f"the PNG does not decode ({e})") from None


def check_not_blank(png_path):
    with open(png_path, "rb") as f:
        data = f.read()
    try:
        pixels = read_pixels(data)
    except ValueError as e:
        return [f"the screenshot {png_path}: {e}"]
    ink = ink_share(pixels)
    if ink < MIN_INK:
        return [f"the screenshot is blank: {ink * 100:.2f} % of its pixels differ from the background "
                f"(at least {MIN_INK * 100:g} % expected)"]
    return []


def ink_share(pixels):
    """Share of pixels whose colour is not the most common one (every other pixel of every other row)."""
    import numpy as np
    pixels = pixels[::2, ::2]
    if pixels.dtype.kind == "f":  # matplotlib reads PNGs as floats in 0..1
        pixels = np.rint(pixels * 255)
    pixels = pixels.astype(np.uint32).reshape(pixels.shape[0] * pixels.shape[1], -1)
    colour = np.zeros(len(pixels), dtype=np.uint32)
    for c in range(min(pixels.shape[1], 3)):  # RGB packed into one number; alpha ignored
        colour = (colour << 8) | pixels[:, c]
    _, counts = np.unique(colour, return_counts=True)
    return 1.0 - counts.max() / len(colour)


# --- main ------------------------------------------------------------------

def main(argv=None):
    args = parse_args(argv)
    if not (os.path.isfile(args.chromium) and os.access(args.chromium, os.X_OK)):
        print(f"screenshot: {args.chromium} is missing; install Debian's chromium (ci/deps.sh does)",
              file=sys.stderr)
        return 2
    if not os.path.isfile(args.report):
        print(f"screenshot: {args.report}: no such file", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="h2soak-screenshot-") as folder:
        try:
            dom, height = measure(args, folder)
            if height > MAX_HEIGHT:
                print(f"screenshot: the page is {height} px tall; the screenshot stops at {MAX_HEIGHT} px",
                      file=sys.stderr)
            height = min(max(height, MIN_HEIGHT), MAX_HEIGHT)
            take_screenshot(args, height, folder)
        except (Unusable, OSError) as e:
            print(f"screenshot: {e}", file=sys.stderr)
            return 2
    said = f"{args.out} ({args.width}x{height} px)"
    if not args.check:
        print(f"screenshot: wrote {said}")
        return 0
    scan = DomScan.of(dom)
    problems = check_verdict(scan) + check_images(scan, args.report) + check_not_blank(args.out)
    for p in problems:
        print(f"screenshot: check failed: {p}", file=sys.stderr)
    if problems:
        return 1
    tables = " + ".join(str(n) for n in scan.verdict_rows)
    print(f"screenshot: wrote {said}; checked: verdict tables of {tables} rows, "
          f"{len(scan.images)} images, not blank")
    return 0


if __name__ == "__main__":
    sys.exit(main())
