#!/usr/bin/python3
"""The detection matrix: does the suite catch every seeded leak of the reference
server, and never accuse the clean one?

For each fault of `h2soak-target --fault list`, runs the suite (or, with
--quick, the fault's one most revealing scenario with short phases) against the
reference server with that fault on, compared with a clean baseline, and
expects exit 1 with a metric of the fault's kind among the regressions (RSS for
memory leaks, threads for the thread leak, fds for the fd leak, fds or
connections for the idle/stream fault). Then runs the clean server N times and
expects exit 0 every time. In full mode it also finds, per detected fault, the
seconds of steady load after which the verdict would first have been reached
(`h2soak analyze --steady-until S`, then `h2soak compare`).

Writes matrix.json (schema h2soak.matrix/v1) and matrix.md into --out, and
prints one last line: `detected D/8, false alarms F/N`. Exit 0 only when every
fault was detected with its expected metric and no clean run failed.

Called by ci/detection_matrix.sh (which builds first); see its header.
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# fault -> (quick scenario, the kind of metric that must flag it)
FAULTS = {
    "template-reparse": ("many_tabs", r"^rss\."),
    "session-no-evict": ("short_connections", r"^rss\."),
    "sse-thread-leak": ("sse_long_poll", r"^threads\."),
    "upload-retain": ("uploads", r"^rss\."),
    "pool-no-reset": ("many_tabs", r"^rss\."),
    "fd-leak": ("many_tabs", r"^fds\."),
    "no-stream-limit": ("idle_connections", r"^(fds\.|gauge\.h2soak_target_connections_active\.)"),
    "context-retain": ("many_tabs", r"^rss\."),
}
KIND = {
    r"^rss\.": "RSS",
    r"^threads\.": "threads",
    r"^fds\.": "fds",
    r"^(fds\.|gauge\.h2soak_target_connections_active\.)": "fds or connections",
}


def log(msg):
    print(f"matrix: {msg}", flush=True)


def run(cmd, log_path):
    """Runs cmd with stdout+stderr into log_path; returns (exit code, seconds)."""
    t0 = time.monotonic()
    with open(log_path, "w") as f:
        f.write("$ " + " ".join(shlex.quote(c) for c in cmd) + "\n")
        f.flush()
        code = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=ROOT)
    return code, time.monotonic() - t0


def load_verdict(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def regressions(verdict, scenario=None):
    out = {}
    for m in (verdict or {}).get("metrics", []):
        if m["status"] == "REGRESSION" and (scenario is None or m["scenario"] == scenario):
            out.setdefault(m["scenario"], []).append(m["metric"])
    return out


def failed_thresholds(verdict):
    return [f'{t["scenario"]}: {t["expression"]}' for t in (verdict or {}).get("thresholds", []) if not t["passed"]]


def margins(verdict):
    """How close each gated metric came to its limit, as a fraction of its
    allowance (1 = at the anchor, 0 = at the limit, < 0 = beyond it)."""
    out = []
    for m in (verdict or {}).get("metrics", []):
        if m.get("limit") is None or not m.get("limit_allowance") or m["status"] in ("NEW", "MISSING"):
            continue
        if m.get("rule", {}).get("gate") == "warn" or m["status"] == "WARN":
            continue  # cannot fail the job: an efficiency figure, or a peak alone (docs/compare.md)
        lower = m["rule"]["direction"] == "lower"
        value = m["current"]
        if m.get("current_ci"):
            value = m["current_ci"][0] if lower else m["current_ci"][1]
        gap = (m["limit"] - value) if lower else (value - m["limit"])
        out.append({
            "scenario": m["scenario"], "metric": m["metric"], "value": value, "limit": m["limit"],
            "unit": m["unit"], "origin": m.get("limit_origin"), "margin": gap / m["limit_allowance"],
        })
    out.sort(key=lambda x: x["margin"])
    return out


class Matrix:
    def __init__(self, args):
        self.args = args
        self.h2soak = os.path.join(args.build, "harness", "cli", "h2soak")
        self.target = os.path.join(args.build, "target_server", "h2soak-target")
        self.out = os.path.abspath(args.out)
        os.makedirs(self.out, exist_ok=True)
        self.suite = os.path.join(ROOT, "scenarios", "quick.yaml" if args.quick else "nightly.yaml")
        profile = subprocess.check_output([os.path.join(ROOT, "ci", "profile.sh")], text=True).strip()
        name = f"quick-{profile}.json" if args.quick else f"{profile}.json"
        self.baseline = args.baseline or os.path.join(ROOT, "ci", "baselines", name)
        mode = "quick" if args.quick else ("focus" if args.focus else "full")
        self.results = {"schema": "h2soak.matrix/v1", "mode": mode,
                        "suite": os.path.relpath(self.suite, ROOT), "faults": [], "clean": []}

    def h2soak_run(self, tag, extra):
        folder = os.path.join(self.out, tag)
        os.makedirs(folder, exist_ok=True)
        verdict_path = os.path.join(folder, "verdict.json")
        cmd = [self.h2soak, "run", self.suite, "-q", "--out", folder, "--baseline", self.baseline,
               "--verdict-json", verdict_path, "--summary-md", os.path.join(folder, "summary.md")] + extra
        code, secs = run(cmd, os.path.join(folder, "h2soak.log"))
        return code, secs, load_verdict(verdict_path), folder

    def ensure_baseline(self):
        if os.path.exists(self.baseline) and not self.args.record:
            log(f"baseline {os.path.relpath(self.baseline, ROOT)}")
            return True
        path = os.path.join(self.out, "baseline.json")
        log(f"recording a clean baseline of {os.path.relpath(self.suite, ROOT)}, "
            f"{self.args.baseline_runs} runs per scenario -> {path}")
        cmd = [self.h2soak, "baseline", "record", self.suite, "-q", "--runs", str(self.args.baseline_runs),
               "--out", path, "--force", "--results", os.path.join(self.out, "baseline-runs")]
        code, secs = run(cmd, os.path.join(self.out, "baseline.log"))
        log(f"  baseline: exit {code} in {secs:.0f} s")
        if code != 0:
            return False
        self.baseline = path
        return True

    def fault_names(self):
        listed = subprocess.run([self.target, "--fault", "list"], capture_output=True, text=True)
        names = [line.split()[0] for line in listed.stdout.splitlines() if line.strip()]
        unknown = [n for n in FAULTS if n not in names]
        if listed.returncode != 0 or unknown:
            raise SystemExit(f"matrix: h2soak-target --fault list does not know {unknown or 'its faults'} "
                             f"(exit {listed.returncode}): {listed.stderr.strip()}")
        chosen = self.args.faults.split(",") if self.args.faults else list(FAULTS)
        for n in chosen:
            if n not in FAULTS:
                raise SystemExit(f"matrix: unknown fault {n!r}; known: {', '.join(FAULTS)}")
        return chosen

    def time_to_detection(self, folder, scenario, pattern):
        """Seconds of steady load after which an expected metric is first flagged."""
        results = [os.path.join(folder, f) for f in sorted(os.listdir(folder))
                   if f.endswith(".json") and f.startswith(scenario + ".") and ".steady" not in f]
        if not results:
            return None
        with open(results[0]) as f:
            r = json.load(f)
        steady = next((p for p in r.get("phases", []) if p["name"] == "steady"), None)
        if steady is None:
            return None
        length = steady["end"] - steady["start"]
        step = 5.0
        s = step
        while s < length + step:
            cut = min(s, length)
            tmp = os.path.join(folder, f"{scenario}.steady{cut:g}.json")
            code, _ = run([self.h2soak, "analyze", results[0], "--steady-until", f"{cut:g}", "--out", tmp],
                          tmp + ".log")
            if code == 0:
                vpath = tmp + ".verdict.json"
                run([self.h2soak, "compare", tmp, self.baseline, "--json", vpath], vpath + ".log")
                flagged = regressions(load_verdict(vpath), scenario).get(scenario, [])
                if any(re.search(pattern, m) for m in flagged):
                    return cut
            s += step
        return None

    def fault_run(self, name, scale, tag):
        """One run with the fault on; returns (detected, exit, seconds, verdict, folder, flagged, hits)."""
        scenario, pattern = FAULTS[name]
        arg = name if scale == 1 else f"{name}:{scale:g}"
        extra = ["--target-args", f"--fault {arg}"]
        if self.args.quick or self.args.focus:
            extra += ["--only", scenario]
        code, secs, verdict, folder = self.h2soak_run(tag, extra)
        flagged = regressions(verdict)
        hits = {s: [m for m in ms if re.search(pattern, m)] for s, ms in flagged.items()}
        hits = {s: ms for s, ms in hits.items() if ms}
        return code == 1 and bool(hits), code, secs, verdict, folder, flagged, hits

    def sensitivity(self, name, max_runs=5):
        """The smallest scale of the fault's rate still flagged: halve from 1 until a miss,
        then one bisection step (geometric) between the last hit and the miss."""
        tried = []
        hit, miss = 1.0, None
        scale = 0.5
        while len(tried) < max_runs - 1 and scale >= 1 / 64:
            ok = self.fault_run(name, scale, f"sens-{name}-{scale:g}")[0]
            tried.append({"scale": scale, "detected": ok})
            if not ok:
                miss = scale
                break
            hit = scale
            scale /= 2
        if miss is not None and len(tried) < max_runs:
            mid = round((hit * miss) ** 0.5, 4)
            ok = self.fault_run(name, mid, f"sens-{name}-{mid:g}")[0]
            tried.append({"scale": mid, "detected": ok})
            if ok:
                hit = mid
            else:
                miss = mid
        log(f"    sensitivity {name}: smallest scale flagged {hit:g}"
            + (f", missed at {miss:g}" if miss is not None else " (no miss found)"))
        return {"smallest_flagged": hit, "missed_at": miss, "tried": tried}

    def faults(self, names):
        detected = 0
        for name in names:
            scenario, pattern = FAULTS[name]
            ok, code, secs, verdict, folder, flagged, hits = self.fault_run(name, 1, f"fault-{name}")
            entry = {"fault": name, "expected": KIND[pattern], "exit": code, "seconds": round(secs, 1),
                     "flagged": flagged, "expected_hits": hits, "detected": ok,
                     "failed_thresholds": failed_thresholds(verdict), "folder": os.path.relpath(folder, self.out)}
            if ok and not self.args.quick:
                entry["time_to_detection"] = {s: self.time_to_detection(folder, s, pattern) for s in hits}
            detected += ok
            self.results["faults"].append(entry)
            what = "; ".join(f"{s}: {', '.join(ms)}" for s, ms in flagged.items()) or "nothing flagged"
            log(f"  {name:18s} {'DETECTED' if ok else 'MISSED  '} exit {code} in {secs:.0f} s — {what}")
            if ok and "time_to_detection" in entry:
                log(f"    steady seconds to verdict: {entry['time_to_detection']}")
            if ok and self.args.sensitivity:
                entry["sensitivity"] = self.sensitivity(name)
        return detected

    def clean(self):
        alarms = 0
        for k in range(1, self.args.clean_runs + 1):
            code, secs, verdict, folder = self.h2soak_run(f"clean-{k}", [])
            flagged = regressions(verdict)
            thresholds = failed_thresholds(verdict)
            alarm = code != 0
            alarms += alarm
            closest = margins(verdict)[:5]
            self.results["clean"].append({"run": k, "exit": code, "seconds": round(secs, 1), "flagged": flagged,
                                          "failed_thresholds": thresholds, "closest": closest,
                                          "folder": os.path.relpath(folder, self.out)})
            near = ", ".join(f"{c['scenario']} {c['metric']} {c['margin']:.2f}" for c in closest[:3])
            log(f"  clean run {k}: exit {code} in {secs:.0f} s{' FALSE ALARM ' + json.dumps(flagged) + str(thresholds) if alarm else ''}"
                f" (closest: {near})")
        return alarms

    def write(self, detected, total, alarms):
        self.results.update({"baseline": os.path.relpath(self.baseline, ROOT) if self.baseline.startswith(ROOT)
                             else self.baseline, "detected": detected, "fault_count": total,
                             "false_alarms": alarms, "clean_runs": self.args.clean_runs})
        tmp = os.path.join(self.out, ".matrix.json.tmp")
        with open(tmp, "w") as f:
            json.dump(self.results, f, indent=2)
        os.replace(tmp, os.path.join(self.out, "matrix.json"))
        lines = [f"# Detection matrix ({self.results['mode']})", "",
                 f"Suite `{self.results['suite']}`, baseline `{self.results['baseline']}`.", "",
                 f"**detected {detected}/{total}, false alarms {alarms}/{self.args.clean_runs}**", "",
                 "| fault | expected | exit | scenario → metrics flagged | steady s to verdict | smallest scale flagged |",
                 "|---|---|--:|---|---|---|"]
        for e in self.results["faults"]:
            flagged = "<br>".join(f"{s}: {', '.join(ms)}" for s, ms in e["flagged"].items()) or "—"
            ttd = e.get("time_to_detection")
            ttd_text = ", ".join(f"{s}: {v:g}" if v is not None else f"{s}: > steady"
                                 for s, v in ttd.items()) if ttd else "—"
            mark = "" if e["detected"] else " **MISSED**"
            sens = e.get("sensitivity")
            sens_text = "—"
            if sens:
                sens_text = f"{sens['smallest_flagged']:g}" + (f" (missed at {sens['missed_at']:g})"
                                                              if sens["missed_at"] is not None else "")
            lines.append(f"| `{e['fault']}`{mark} | {e['expected']} | {e['exit']} | {flagged} | {ttd_text} "
                         f"| {sens_text} |")
        lines += ["", "| clean run | exit | flagged | closest calls (margin: 0 = at the limit, 1 = at the anchor) |",
                  "|--:|--:|---|---|"]
        for c in self.results["clean"]:
            flagged = "; ".join(f"{s}: {', '.join(ms)}" for s, ms in c["flagged"].items()) or "—"
            if c["failed_thresholds"]:
                flagged += " thresholds: " + "; ".join(c["failed_thresholds"])
            near = "<br>".join(f"{x['scenario']} `{x['metric']}` {x['margin']:.2f} ({x['origin']})"
                               for x in c["closest"][:3])
            lines.append(f"| {c['run']} | {c['exit']} | {flagged} | {near} |")
        with open(os.path.join(self.out, "matrix.md"), "w") as f:
            f.write("\n".join(lines) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="each fault against its one scenario, short phases")
    p.add_argument("--clean-runs", type=int, default=None, help="clean runs of the suite (default 5; quick 1)")
    p.add_argument("--out", required=True)
    p.add_argument("--build", required=True)
    p.add_argument("--baseline", help="compare with this baseline (default: the committed one of the suite)")
    p.add_argument("--record", action="store_true", help="record a fresh clean baseline into --out first")
    p.add_argument("--baseline-runs", type=int, default=5, help="runs per scenario when recording (default 5)")
    p.add_argument("--faults", help="comma-separated subset of the faults")
    p.add_argument("--focus", action="store_true",
                   help="full phases, but each fault against its one most revealing scenario only")
    p.add_argument("--sensitivity", action="store_true",
                   help="per detected fault, the smallest scale of its rate still flagged (up to 5 more runs)")
    args = p.parse_args()
    if args.clean_runs is None:
        args.clean_runs = 1 if args.quick else 5
    m = Matrix(args)
    names = m.fault_names()
    t0 = time.monotonic()
    if not m.ensure_baseline():
        print("matrix: could not record a baseline", file=sys.stderr)
        return 3
    log(f"faults ({len(names)}):")
    detected = m.faults(names)
    log(f"clean runs ({args.clean_runs}):")
    alarms = m.clean()
    m.write(detected, len(names), alarms)
    log(f"took {time.monotonic() - t0:.0f} s; {os.path.join(m.out, 'matrix.md')}")
    print(f"detected {detected}/{len(names)}, false alarms {alarms}/{args.clean_runs}", flush=True)
    return 0 if detected == len(names) and alarms == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
