"""The hosted-CI workflows' commands, run as the workflows run them.

A workflow is only exercised when somebody triggers it on the hosted
service, so a wrong flag (update-baseline once passed --out twice and
exited 2) is found late. These tests read .github/workflows/*.yml and run
the steps' own command lines here, with only the paths redirected and a
short suite: the flags, the environment and the artifact paths are the
workflow's.

Environment: H2SOAK_BUILD_DIR, the configured RelWithDebInfo build the
scripts reuse (CTest sets it).
"""
import json
import os
import subprocess
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"


def steps(workflow):
    doc = yaml.safe_load((WORKFLOWS / workflow).read_text())
    return [s for job in doc["jobs"].values() for s in job["steps"]]


def step_named(workflow, name):
    found = [s for s in steps(workflow) if s.get("name") == name]
    assert len(found) == 1, f"{workflow}: expected one step named {name!r}, found {len(found)}"
    return found[0]


def artifact_paths(workflow):
    return [s["with"]["path"] for s in steps(workflow) if s.get("uses", "").startswith("actions/upload-artifact")]


def test_update_baseline_step_records_the_file_it_uploads(tmp_path):
    record = step_named("update-baseline.yml", "Record")
    env_paths = record.get("env", {})
    baseline = env_paths.get("H2SOAK_BASELINE")
    assert baseline, "the Record step must say where the baseline goes (H2SOAK_BASELINE)"
    assert artifact_paths("update-baseline.yml") == [baseline], "the uploaded artifact is not the recorded file"

    command = record["run"].replace("${{ github.event.inputs.runs }}", "1")
    out = tmp_path / Path(baseline).name
    env = dict(os.environ)
    env.update({k: str(v) for k, v in env_paths.items()})
    env.update({
        "H2SOAK_BASELINE": str(out),  # the workflow's path, moved out of the checkout
        "H2SOAK_OUT_DIR": str(tmp_path / "runs"),
        "H2SOAK_SUITE": str(ROOT / "scenarios" / "test" / "bench.yaml"),  # 7 s of load
        "H2SOAK_SKIP_DEPS": "1",
    })
    assert env.get("H2SOAK_BUILD_DIR"), "set H2SOAK_BUILD_DIR to a configured build"
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    doc = json.loads(out.read_text())
    assert doc["schema"].startswith("h2soak.baseline/")
    assert set(doc["scenarios"]) == {"test_bench"}


NIGHTLY_RUN = "Run the nightly suite against the baseline, then benchmarks, TSan and fuzzing"
# What the nightly job keeps, relative to its output folder (README, issue):
# the report with its plots and screenshot, the Markdown summary, JUnit, the
# verdict, the result JSON of each scenario, the benchmarks' JSON, the logs.
NIGHTLY_KEEPS = ["report/", "summary.md", "junit.xml", "verdict.json", "*.json", "bench/", "*.log"]


def nightly_out_dir():
    run = step_named("nightly.yml", NIGHTLY_RUN)["run"]
    return next(w.split("=", 1)[1] for w in run.split() if w.startswith("H2SOAK_OUT_DIR="))


def nightly_upload_step():
    found = [s for s in steps("nightly.yml") if s.get("uses", "").startswith("actions/upload-artifact")]
    assert len(found) == 1, "the nightly job keeps one artifact"
    return found[0]


def test_nightly_keeps_every_file_a_reader_needs_even_when_the_run_fails():
    upload = nightly_upload_step()
    assert upload.get("if") == "always()", "a failed run is the one whose report matters most"
    out_dir = nightly_out_dir()
    paths = upload["with"]["path"].split()
    assert paths == [f"{out_dir}/{p}" for p in NIGHTLY_KEEPS], "an explicit list, not the whole folder"
    # Only actions/* (JUnit is published through the job summary, not a third-party action).
    for step in steps("nightly.yml"):
        assert step.get("uses", "actions/").startswith("actions/"), step


def test_nightly_writes_the_job_summary_and_everything_it_uploads(tmp_path):
    """The nightly step's command on the 7 s suite, without the extras (TSan and fuzzing
    take an hour); no baseline for that suite, so the summary must start with the warning."""
    command = step_named("nightly.yml", NIGHTLY_RUN)["run"]
    out_dir = nightly_out_dir()
    out = tmp_path / "nightly"
    assert "H2SOAK_NIGHTLY_EXTRAS=1" in command
    command = command.replace(f"H2SOAK_OUT_DIR={out_dir}", f"H2SOAK_OUT_DIR={out}")
    command = command.replace("H2SOAK_NIGHTLY_EXTRAS=1", "H2SOAK_NIGHTLY_EXTRAS=0")
    job_summary = tmp_path / "step_summary.md"
    job_summary.write_text("earlier step\n")
    env = dict(os.environ)
    env.pop("H2SOAK_BASELINE", None)
    env.update({
        "GITHUB_STEP_SUMMARY": str(job_summary),
        "H2SOAK_SUITE": str(ROOT / "scenarios" / "test" / "bench.yaml"),  # 7 s of load, no baseline
        "H2SOAK_SKIP_DEPS": "1",
    })
    assert env.get("H2SOAK_BUILD_DIR"), "set H2SOAK_BUILD_DIR to a configured build"
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"

    summary = (out / "summary.md").read_text()
    assert summary.startswith("## WARNING: NO BASELINE"), summary[:300]
    assert "NOT compared" in summary
    assert job_summary.read_text() == "earlier step\n" + summary, "appended, warning included"
    assert "nightly: job summary  appended to $GITHUB_STEP_SUMMARY" in done.stdout

    shot = out / "report" / "report.png"
    assert f"nightly: screenshot   {shot} (checked in " in done.stdout, done.stdout[-2000:]
    assert shot.stat().st_size > 50_000
    for pattern in NIGHTLY_KEEPS:
        if pattern == "bench/":
            assert not (out / "bench").exists(), "the benchmarks run only with the extras"
            continue
        assert list(out.glob(pattern.rstrip("/"))), f"nothing at {pattern} to upload"
    for name in ("report.html", "report.png", "resources.png", "latency.png", "throughput.png"):
        assert (out / "report" / name).stat().st_size > 0, name
