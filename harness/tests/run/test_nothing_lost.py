"""Nothing lost: every file h2soak writes (result, baseline, verdict outputs, HTML report)
either appears whole or leaves the older file of that name exactly as it was, and the
failure is said (exit 3, the file named). Three ways a write goes wrong, each on a real
filesystem: the disk fills up part-way (a small tmpfs), the folder is read-only (a
read-only mount: permission bits do not stop root), and the writer is killed with
SIGKILL at the last moment before the new file would have replaced the old one
(strace holds the rename for seconds so the kill lands there every time).

Runs inside a private mount namespace (in_mount_namespace.sh), so the mounts vanish
with the test. Paths come from the environment that CTest sets (H2SOAK_BIN,
H2SOAK_TARGET, H2SOAK_SOURCE_DIR).
"""
import json
import os
import re
import signal
import subprocess
import time

import pytest

BIN = os.environ["H2SOAK_BIN"]
TARGET = os.environ["H2SOAK_TARGET"]
SRC = os.environ["H2SOAK_SOURCE_DIR"]
PY = "/usr/bin/python3"
SYNTHETIC = os.path.join(SRC, "reports", "synthetic_result.py")
PLOT = os.path.join(SRC, "reports", "plot_run.py")
OLD = b'{"old": "this file must survive"}\n'


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """A result and a baseline built from it, on the ordinary disk."""
    d = tmp_path_factory.mktemp("inputs")
    result, baseline = str(d / "result.json"), str(d / "baseline.json")
    subprocess.run([PY, SYNTHETIC, result], check=True, timeout=60)
    subprocess.run([BIN, "baseline", "record-from", result, "-o", baseline], check=True, timeout=60,
                   capture_output=True)
    return {"result": result, "baseline": baseline}


class Tmpfs:
    """A small tmpfs mounted for one test; unmounted at the end."""

    def __init__(self, where, kib):
        self.path = str(where)
        os.makedirs(self.path, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k,mode=0755", "tmpfs", self.path], check=True)

    def fill(self, leave_kib):
        """Fills the filesystem, then frees about leave_kib so a big write fails part-way."""
        filler = os.path.join(self.path, "filler")
        with open(filler, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 4096)
            except OSError:
                pass
        size = os.path.getsize(filler)
        os.truncate(filler, max(0, size - leave_kib * 1024))
        assert os.statvfs(self.path).f_bavail * os.statvfs(self.path).f_frsize <= (leave_kib + 8) * 1024

    def read_only(self):
        subprocess.run(["mount", "-o", "remount,ro", self.path], check=True)

    def umount(self):
        subprocess.run(["umount", "-l", self.path], check=False)


@pytest.fixture
def small_fs(tmp_path):
    fs = Tmpfs(tmp_path / "fs", 1024)
    yield fs
    fs.umount()


# Each writer: (name, the command that writes `dest`, a check that `dest` is its complete output).
def analyze_cmd(inputs, dest):
    return [BIN, "analyze", inputs["result"], "-o", dest]


def record_cmd(inputs, dest):
    return [BIN, "baseline", "record-from", inputs["result"], "-o", dest, "--force"]


def junit_cmd(inputs, dest):
    return [BIN, "compare", inputs["result"], inputs["baseline"], "--junit", dest]


def report_cmd(inputs, dest):
    return [PY, PLOT, inputs["result"], "--out", os.path.dirname(dest)]


def is_json_with(key):
    def check(text):
        return key in json.loads(text)
    return check


WRITERS = {
    # name: (command, file name the command writes, complete-output check)
    "result": (analyze_cmd, "result.json", is_json_with("schema")),
    "baseline": (record_cmd, "baseline.json", is_json_with("scenarios")),
    "junit": (junit_cmd, "junit.xml", lambda t: t.rstrip().endswith("</testsuites>")),
    "report": (report_cmd, "report.html", lambda t: t.rstrip().endswith("</html>")),
}


def place_old(folder, name):
    """Creates folder with an older file `name` in it; returns that file's path."""
    os.makedirs(folder, exist_ok=True)
    dest = os.path.join(folder, name)
    with open(dest, "wb") as f:
        f.write(OLD)
    return dest


def assert_old_kept(dest):
    with open(dest, "rb") as f:
        assert f.read() == OLD, f"{dest} was replaced by a write that failed"


def assert_written_again(command, inputs, dest, complete):
    """Once nothing is in the way, the same command writes the whole file."""
    r = run(command(inputs, dest))
    assert r.returncode in (0, 1), r  # compare may find the synthetic run regressed; the file is what counts
    with open(dest, encoding="utf-8") as f:
        assert complete(f.read())


def leftovers(folder):
    return [n for n in os.listdir(folder) if ".tmp." in n]


def run(cmd, timeout=120):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_disk_full_part_way_keeps_the_old_file(writer, inputs, small_fs):
    command, name, complete = WRITERS[writer]
    folder = os.path.join(small_fs.path, "out")
    dest = place_old(folder, name)
    small_fs.fill(leave_kib=1)
    r = run(command(inputs, dest))
    assert r.returncode == 3, r
    assert "No space left on device" in r.stderr and "left as it was" in r.stderr, r.stderr
    assert folder + "/" in r.stderr, r.stderr  # names the file
    assert_old_kept(dest)
    assert leftovers(folder) == []
    os.unlink(os.path.join(small_fs.path, "filler"))
    assert_written_again(command, inputs, dest, complete)


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_read_only_folder_keeps_the_old_file(writer, inputs, small_fs):
    command, name, _ = WRITERS[writer]
    folder = os.path.join(small_fs.path, "out")
    dest = place_old(folder, name)
    small_fs.read_only()
    r = run(command(inputs, dest))
    assert r.returncode == 3, r
    assert "Read-only file system" in r.stderr and folder in r.stderr, r.stderr
    assert_old_kept(dest)


RENAMES = "rename,renameat,renameat2"
RENAME_SYSCALLS = {82, 264, 316}  # x86_64 numbers of rename, renameat, renameat2


def rename_index(command, name, tmp_path):
    """Which rename (1-based) of the writer puts `name` in place: a traced trial run tells."""
    log = str(tmp_path / "trial.strace")
    r = subprocess.run(["strace", "-f", "-qq", "-o", log, "-e", f"trace={RENAMES}", "--", *command],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode in (0, 1), r
    with open(log, encoding="utf-8", errors="replace") as f:
        renames = [line for line in f if re.match(r"\d+\s+rename", line)]
    for i, line in enumerate(renames, 1):
        if re.search(r'/' + re.escape(name) + r'"', line):
            return i
    raise AssertionError(f"no rename into {name} in {renames}")


def process_state(pid):
    """The state letter of a process (R, S, t, Z, ...), None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def held_in_rename(pid, folder, name):
    try:
        with open(f"/proc/{pid}/syscall", encoding="ascii") as f:
            number = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return False
    return number in RENAME_SYSCALLS and any(n.startswith("." + name + ".tmp.") for n in os.listdir(folder))


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_kill_9_just_before_the_rename_keeps_the_old_file(writer, inputs, tmp_path):
    command, name, complete = WRITERS[writer]
    trial = str(tmp_path / "trial")
    os.makedirs(trial)
    nth = rename_index(command(inputs, os.path.join(trial, name)), name, tmp_path)

    folder = str(tmp_path / "out")
    dest = place_old(folder, name)
    # strace holds the rename that would replace `dest` for 60 s; the writer is killed in the hold,
    # with its new file complete under the temporary name: the last moment a writer can die.
    traced = subprocess.Popen(["strace", "-f", "-qq", "-o", os.devnull, "-e", f"trace={RENAMES}",
                               "-e", f"inject={RENAMES}:delay_enter=60000000:when={nth}", "--",
                               *command(inputs, dest)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        pid = None
        while time.monotonic() < deadline and traced.poll() is None:
            with open(f"/proc/{traced.pid}/task/{traced.pid}/children", encoding="ascii") as f:
                children = f.read().split()
            if children and held_in_rename(int(children[0]), folder, name):
                pid = int(children[0])
                break
            time.sleep(0.02)
        assert pid is not None, f"the writer never reached the rename into {name}"
        os.kill(pid, signal.SIGKILL)
    finally:
        # Then strace: the killed writer, held in its exit stop, finishes dying (a SIGKILLed
        # process never returns to its own code, with or without its tracer).
        traced.kill()
        traced.wait(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and process_state(pid) not in ("Z", None):
        time.sleep(0.02)
    assert process_state(pid) in ("Z", None), "the writer survived SIGKILL"
    assert_old_kept(dest)
    assert len(leftovers(folder)) == 1  # the killed writer's temporary file is all that remains of it
    assert_written_again(command, inputs, dest, complete)


def test_run_on_a_full_disk_says_the_result_was_not_written(small_fs):
    folder = os.path.join(small_fs.path, "out")
    dest = place_old(folder, "test_bench.json")
    small_fs.fill(leave_kib=4)  # one page: room for the target's log, none for the result
    env = dict(os.environ, PATH=os.path.dirname(TARGET) + ":" + os.environ["PATH"])
    r = subprocess.run([BIN, "run", os.path.join(SRC, "scenarios", "test", "bench.yaml"), "--out", folder, "-q"],
                       capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 3, r
    assert "cannot write the result" in r.stderr and "test_bench.json" in r.stderr, r.stderr
    assert_old_kept(dest)
    assert leftovers(folder) == []
