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


def test_nightly_keeps_the_folder_it_writes():
    run = step_named("nightly.yml", "Run the nightly suite against the baseline, then TSan and fuzzing")["run"]
    out_dir = next(w.split("=", 1)[1] for w in run.split() if w.startswith("H2SOAK_OUT_DIR="))
    assert artifact_paths("nightly.yml") == [out_dir]
