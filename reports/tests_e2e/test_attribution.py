"""Attribution against the truth: each seeded fault of the reference server,
run with four workloads switched on and off in Walsh patterns
(scenarios/test/attribution.yaml), must be pinned on the traffic that
commits it, and the clean server on none.

The truth is the fault's own count of what it holds, sampled as the gauge
h2soak_target_fault_leaked: its final value over the number of events of
the workload that commits it is the true rate per event.

CI (ci/test.sh) runs the clean server and three faults, one per signal
(upload-retain: bytes, sse-thread-leak: threads, fd-leak: fds); the three
tests marked `nightly` (more memory faults, each on its own traffic) run in
the scheduled nightly (ci/nightly.sh with H2SOAK_NIGHTLY_EXTRAS=1). Every
fault is detected in CI all the same, by the quick detection matrix.

Environment (CTest sets them): H2SOAK_BIN (the h2soak binary), H2SOAK_SRC
(the repository). H2SOAK_ATTRIBUTION_TABLE: optional file to append one
JSON line per checked estimate (fault, signal, workload, estimate,
interval, truth), for the record.
"""
import json
import os
import subprocess
from statistics import NormalDist

import pytest

BIN = os.environ["H2SOAK_BIN"]
SRC = os.environ["H2SOAK_SRC"]
SCENARIO = os.path.join(SRC, "scenarios", "test", "attribution.yaml")
WORKLOADS = ("tabs", "sse", "upload", "short_connections")
FAULT_GAUGE = "gauge.h2soak_target_fault_leaked"


def attribution_run(tmp_path, fault):
    out = tmp_path / (fault or "clean")
    args = [BIN, "run", SCENARIO, "--out", str(out), "-q"]
    if fault:
        args += ["--target-args", f"--fault {fault}"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=180)
    assert done.returncode in (0, 1), f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    result = json.loads((out / "test_attribution.json").read_text())
    assert result["status"]["state"] == "completed", result["status"]
    assert result["modulation"]["slots"] >= 16
    return result


def rows(result, signal):
    """{workload: (estimate, low, high)} of attribution.<signal>.*, or None
    when the signal was not attributed because it did not grow."""
    a = result["analysis"]
    notes = result["metadata"]["extra"].get("analysis_notes", "")
    if f"attribution.{signal}.*: not attributed: {signal} did not grow" in notes:
        return None
    out = {}
    for w in WORKLOADS:
        m = a.get(f"attribution.{signal}.{w}")
        assert m is not None, f"no attribution.{signal}.{w}; notes: {notes}"
        out[w] = (m["value"], m["ci_low"], m["ci_high"])
    return out


def events(result, workload):
    w = next(w for w in result["workloads"] if w["name"] == workload)
    return sum(sum(p["series"]["started"]) for p in w["phases"])


def final_gauge(result):
    column = result["target"]["samples"]["gauges"]["h2soak_target_fault_leaked"]
    values = [v for v in column if v is not None]
    assert values, "the fault gauge was never scraped"
    return values[-1]


def record(fault, signal, workload, estimate, truth):
    path = os.environ.get("H2SOAK_ATTRIBUTION_TABLE")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"fault": fault, "signal": signal, "workload": workload, "estimate": estimate[0],
                                "ci": [estimate[1], estimate[2]], "truth": truth}) + "\n")


def contains(estimate, value):
    return estimate[1] <= value <= estimate[2]


# The "contains 0" checks of this file (12 on the clean server, 17 under the
# faults) are one family: 29 95 % intervals would wrongly exclude 0 somewhere
# in one run of the suite more often than not. Judged together at 5 % instead
# (Bonferroni): each interval is widened about its estimate from z = 1.96 to
# the z of 0.05 / 29 (3.19). The "excludes 0" checks of a leaking workload
# keep the plain 95 % interval.
CLEAN_CHECKS = 29
WIDEN = NormalDist().inv_cdf(1 - 0.05 / (2 * CLEAN_CHECKS)) / NormalDist().inv_cdf(0.975)


def contains_simultaneous(estimate, value):
    c, lo, hi = estimate
    return c - (c - lo) * WIDEN <= value <= c + (hi - c) * WIDEN


def check(result, signal, fault, leaks=(), clean=(), truth=None, tolerance=0.25):
    """Workloads in `leaks` have intervals above 0 (holding `truth`, the true
    rate per event, within the tolerance when given); those in `clean`
    contain 0. Returns the estimates."""
    est = rows(result, signal)
    assert est is not None, f"{fault}: {signal} did not grow: {result['metadata']['extra'].get('analysis_notes')}"
    for w in WORKLOADS:
        record(fault, signal, w, est[w], truth if w in leaks else 0.0 if w in clean else None)
    for w in leaks:
        assert est[w][1] > 0, f"{fault}: {signal} per event of {w} should exclude 0: {est[w]}"
        if truth is not None:
            assert abs(est[w][0] - truth) <= tolerance * truth, \
                f"{fault}: {signal} per event of {w}: {est[w][0]:.4g}, truth {truth:.4g}"
    for w in clean:
        assert contains_simultaneous(est[w], 0), \
            f"{fault}: {signal} per event of {w} should contain 0 (x{WIDEN:.2f}, simultaneous): {est[w]}"
    return est


def test_clean_server_is_accused_of_nothing(tmp_path):
    r = attribution_run(tmp_path, None)
    for signal in ("rss", "threads", "fds"):
        est = rows(r, signal)  # None: it did not grow, nothing to attribute
        if est is not None:
            check(r, signal, "clean", clean=WORKLOADS)


def test_upload_retain_is_pinned_on_uploads(tmp_path):
    r = attribution_run(tmp_path, "upload-retain")
    truth = final_gauge(r) / events(r, "upload")  # bytes kept per upload
    others = ("tabs", "sse", "short_connections")
    check(r, FAULT_GAUGE, "upload-retain", {"upload"}, others, truth, tolerance=0.1)
    check(r, "rss", "upload-retain", {"upload"}, others, truth)


def test_sse_thread_leak_is_pinned_on_streams(tmp_path):
    r = attribution_run(tmp_path, "sse-thread-leak")
    truth = final_gauge(r) / events(r, "sse")  # threads per stream opened
    check(r, "threads", "sse-thread-leak", {"sse"}, ("tabs", "upload", "short_connections"), truth)


def test_fd_leak_is_pinned_on_page_loads(tmp_path):
    r = attribution_run(tmp_path, "fd-leak")
    truth = final_gauge(r) / events(r, "tabs")  # fds per tab request (most are assets)
    check(r, "fds", "fd-leak", {"tabs"}, ("sse", "upload", "short_connections"), truth)


@pytest.mark.nightly
def test_template_reparse_is_pinned_on_page_views(tmp_path):
    # Every page or index view parses the templates again: the tabs' pages
    # and each short connection's GET / (the index); streams and uploads not.
    r = attribution_run(tmp_path, "template-reparse")
    check(r, FAULT_GAUGE, "template-reparse", {"short_connections"}, ("sse", "upload"), truth=1.0)  # copies per GET /
    check(r, "rss", "template-reparse", {"tabs", "short_connections"}, ("sse", "upload"))


@pytest.mark.nightly
def test_context_retain_is_pinned_on_every_kind_of_request(tmp_path):
    r = attribution_run(tmp_path, "context-retain")
    truth = check(r, FAULT_GAUGE, "context-retain", set(WORKLOADS))
    # RSS resolves it where the events are many (tabs: thousands of requests
    # in the test's 32 s), to the right order of magnitude: RSS also holds the
    # allocator's overhead around each kept context, which the fault's count
    # of its own bytes does not. SSE's few hundred streams are below RSS's
    # power at this length (CI once: [-48, 2152] B per stream around 1052):
    # its estimate must agree with the fault's count, not exclude 0.
    est = check(r, "rss", "context-retain", {"tabs"})
    assert 0.5 <= est["tabs"][0] / truth["tabs"][0] <= 2, f"rss {est['tabs']} vs the fault's count {truth['tabs']}"
    assert est["sse"][1] <= truth["sse"][0] <= est["sse"][2] or 0.5 <= est["sse"][0] / truth["sse"][0] <= 2, \
        f"rss {est['sse']} vs the fault's count {truth['sse']} for sse"


@pytest.mark.nightly
def test_session_no_evict_is_pinned_on_cookieless_requests(tmp_path):
    # Tabs log in and send their cookie; every other workload's requests
    # carry none, and each makes the server keep a session (~0.5 KiB, below
    # what RSS resolves here: the fault's own count is the signal).
    r = attribution_run(tmp_path, "session-no-evict")
    est = check(r, FAULT_GAUGE, "session-no-evict", {"sse", "short_connections"}, ("tabs",))
    assert contains(est["upload"], est["sse"][0]), f"upload {est['upload']} vs sse {est['sse']}"
