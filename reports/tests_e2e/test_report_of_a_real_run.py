"""The HTML report of a real run, as ci/nightly.sh writes it.

The unit tests of plot_run.py use synthetic results; this one records a
baseline of a short scenario against the reference server, runs it again
against that baseline, and checks that the report shows the verdict first
(every compared metric, failures on top) and a real plot for each figure.
Then it looks at the page as a person would: reports/screenshot.py --check
renders it in Debian's headless Chromium and checks the verdict table, every
image and the screenshot. Chromium missing is a failure, not a skip
(ci/deps.sh installs it); a last test shows the check does fail on a page
without any of that.

Environment (CTest sets them): H2SOAK_BIN (the h2soak binary), H2SOAK_SRC
(the repository).
"""
import json
import os
import re
import subprocess
import sys

BIN = os.environ["H2SOAK_BIN"]
SRC = os.environ["H2SOAK_SRC"]
SCENARIO = os.path.join(SRC, "scenarios", "test", "bench.yaml")
SCREENSHOT = os.path.join(SRC, "reports", "screenshot.py")
CHROMIUM = "/usr/bin/chromium"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def h2soak(*args):
    done = subprocess.run([BIN, *args, "-q"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"h2soak {' '.join(args)}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"


def test_report_of_a_run_compared_with_its_baseline(tmp_path):
    baseline = tmp_path / "baseline.json"
    h2soak("baseline", "record", SCENARIO, "--runs", "1", "--out", str(baseline), "--results", str(tmp_path / "b"))
    run = tmp_path / "run"
    verdict = run / "verdict.json"
    h2soak("run", SCENARIO, "--baseline", str(baseline), "--out", str(run), "--verdict-json", str(verdict))

    out = tmp_path / "report"
    done = subprocess.run([sys.executable, os.path.join(SRC, "reports", "plot_run.py"), str(run / "test_bench.json"),
                           "--verdict", str(verdict), "--baseline", str(baseline), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    page = (out / "report.html").read_text()

    # The verdict comes before everything else, with one row per compared metric.
    assert page.index("<h2>Verdict</h2>") < page.index("<h2>test_bench</h2>") < page.index("<h2>Plots</h2>")
    compared = json.loads(verdict.read_text())["metrics"]
    assert len(compared) >= 10
    verdict_table = page[page.index("<h2>Verdict</h2>"):page.index("<h3>Thresholds</h3>")]
    for m in compared:
        assert f"<td>{m['metric']}</td>" in verdict_table, m["metric"]
    statuses = re.findall(r"<tr(?: class=\"[a-z]*\")?><td>test_bench</td><td>[^<]*</td>(?:<td>[^<]*</td>){4}<td>([A-Z]+)</td>",
                          verdict_table)
    assert len(statuses) == len(compared)
    order = ["REGRESSION", "WARN", "MISSING", "NEW", "IMPROVED", "PASS"]
    assert [order.index(s) for s in statuses] == sorted(order.index(s) for s in statuses)
    assert "rss_anon.peak &lt; 1GiB" in page  # the thresholds, with their results

    # Every figure is a real plot, inlined.
    for name in ("resources.png", "latency.png", "throughput.png"):
        data = (out / name).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 10_000, name
    assert page.count("data:image/png;base64,") >= 3

    # As a person sees it: Chromium renders the whole page, with the verdict
    # table and every image, and the screenshot is not blank.
    shot = out / "report.png"
    done = screenshot(out / "report.html", shot, "--check")
    assert done.returncode == 0, f"screenshot.py --check: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert f"verdict tables of {len(compared)} + " in done.stdout, done.stdout  # then the thresholds
    assert f"{page.count('<img ')} images" in done.stdout, done.stdout
    width, height = png_dimensions(shot.read_bytes())
    assert width == 1400
    assert height > 2000, "the screenshot should hold the whole page: tables and three plots"
    assert shot.stat().st_size > 50_000, "a screenshot of tables and three plots is not that small"


def screenshot(page, png, *flags):
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: install Debian's chromium (ci/deps.sh does)"
    return subprocess.run([sys.executable, SCREENSHOT, str(page), "--out", str(png), *flags],
                          capture_output=True, text=True, timeout=300)


def png_dimensions(data):
    assert data.startswith(PNG_MAGIC) and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_screenshot_check_fails_on_a_page_without_verdict_or_images(tmp_path):
    page = tmp_path / "report.html"
    page.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
                    '<h2>Verdict</h2><p>no table</p>'
                    '<img alt="empty" src="data:image/png;base64,"><img alt="gone" src="missing.png">'
                    "</body></html>\n")
    done = screenshot(page, tmp_path / "report.png", "--check")
    assert done.returncode == 1, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    failed = [line for line in done.stderr.splitlines() if line.startswith("screenshot: check failed: ")]
    assert any("no verdict table" in line for line in failed), done.stderr
    assert any("<img> 1" in line and "empty" in line for line in failed), done.stderr
    assert any("<img> 2" in line and "missing.png" in line for line in failed), done.stderr
    assert any("blank" in line for line in failed), done.stderr
    assert len(failed) == 4, done.stderr
