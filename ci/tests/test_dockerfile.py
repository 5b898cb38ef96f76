"""The Dockerfile, checked without a container runtime.

No image can be built where CI runs, so these tests read the Dockerfile and
check what would break the build or the image:

- every stage starts from Debian 12 (the release this machine runs, so the
  package names checked below are the image's);
- every file it copies exists and is not left out of the context by
  .dockerignore, which leaves out no tracked file;
- the scripts and build targets it runs exist where it says;
- the lean stage installs exactly the Debian packages that own the shared
  libraries the built h2soak and h2soak-target load (ldd, then dpkg -S), plus
  the tools it says why it needs;
- the report stage brings what reports/plot_run.py imports.

The binaries are those of the CTest build (H2SOAK_BIN, H2SOAK_TARGET): the
tests, benchmarks and Python module add no library to these two executables,
so they load what the lean build's load. The last cases feed the checks a
broken Dockerfile and expect them to say so.
"""
import ast
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
BASE_IMAGE = "debian:12"
# Packages of the lean stage that own no library of the binaries: why each.
LEAN_TOOLS = {
    "procps": "pgrep: the sampler sidecar finds the target's pid by name (ci/k8s/target.yaml.in)",
    "ca-certificates": "verifying a target's TLS certificate",
}


# ---- reading the Dockerfile ------------------------------------------------

class Stage:
    def __init__(self, base, name):
        self.base = base
        self.name = name
        self.instructions = []  # (KEYWORD, arguments)

    def args_of(self, keyword):
        return [a for k, a in self.instructions if k == keyword]


def parse_dockerfile(text):
    """The stages of a Dockerfile: comments dropped, continued lines joined."""
    lines, current = [], ""
    for raw in text.splitlines():
        if raw.lstrip().startswith("#") and not current:
            continue
        if raw.lstrip().startswith("#"):
            continue  # a comment inside a continued instruction
        if raw.rstrip().endswith("\\"):
            current += raw.rstrip()[:-1] + " "
            continue
        current += raw
        if current.strip():
            lines.append(current.strip())
        current = ""
    stages = []
    for line in lines:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = [w for w in args.split() if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(words[0], name))
        elif keyword == "ARG" and not stages:
            continue
        else:
            assert stages, f"{keyword} before the first FROM"
            stages[-1].instructions.append((keyword, args.strip()))
    return stages


def stage_named(stages, name):
    found = [s for s in stages if s.name == name]
    assert len(found) == 1, f"the Dockerfile has no stage named {name!r}"
    return found[0]


def copy_parts(args):
    """(flags, sources, destination) of a COPY instruction (shell form)."""
    words = shlex.split(args)
    flags = {w.split("=", 1)[0]: w.split("=", 1)[1] if "=" in w else "" for w in words if w.startswith("--")}
    paths = [w for w in words if not w.startswith("--")]
    return flags, paths[:-1], paths[-1]


def installed_packages(stage):
    """Packages named by the `apt-get install` commands of one stage."""
    packages = []
    for run in stage.args_of("RUN"):
        for command in re.split(r"&&|;", run):
            words = shlex.split(command)
            if "apt-get" in words and "install" in words:
                after = words[words.index("install") + 1:]
                packages += [w for w in after if not w.startswith("-")]
    return packages


def dockerignore_patterns():
    path = ROOT / ".dockerignore"
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def _pattern_regex(pattern):
    pattern = pattern.strip("/")
    rx = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            rx += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            rx += ".*"
            i += 2
        elif pattern[i] == "*":
            rx += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            rx += "[^/]"
            i += 1
        else:
            rx += re.escape(pattern[i])
            i += 1
    return re.compile(rx + r"\Z")


def ignored(relpath, patterns):
    """Whether .dockerignore leaves `relpath` (or a folder above it) out of the context."""
    parts = Path(relpath).parts
    candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    out = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        rx = _pattern_regex(pattern[1:] if negate else pattern)
        if any(rx.match(c) for c in candidates):
            out = not negate
    return out


# ---- Debian's packages -----------------------------------------------------

def _spellings(path):
    """`path` as dpkg may record it: as given, resolved, with or without /usr (merged /usr)."""
    out = []
    for p in (path, os.path.realpath(path)):
        out += [p, p[len("/usr"):] if p.startswith("/usr/") else "/usr" + p]
    return list(dict.fromkeys(out))


def dpkg_owners(paths):
    """The package that owns each of `paths` (one dpkg-query for all of them)."""
    spellings = {p: _spellings(p) for p in paths}
    every = sorted({s for v in spellings.values() for s in v})
    done = subprocess.run(["dpkg-query", "-S", *every], capture_output=True, text=True)
    owner_of = {}
    for line in done.stdout.splitlines():
        packages, _, file = line.partition(": ")
        owner_of[file.strip()] = packages.split(",")[0].split(":")[0].strip()
    owners = {}
    for p, tries in spellings.items():
        found = [owner_of[t] for t in tries if t in owner_of]
        assert found, f"no Debian package owns {p}"
        owners[p] = found[0]
    return owners


def dpkg_owner(path):
    return dpkg_owners([path])[path]


def dependency_closure(packages):
    """`packages` and everything they depend on, as installed here (dpkg's status)."""
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Depends}, ${Pre-Depends}\t${Provides}\n"],
                         capture_output=True, text=True, check=True).stdout
    depends, provided_by = {}, {}
    for line in out.splitlines():
        name, deps, provides = (line.split("\t") + ["", ""])[:3]
        depends[name] = deps
        for p in provides.split(","):
            p = p.strip().split(" ")[0]
            if p:
                provided_by.setdefault(p, set()).add(name)
    seen, todo = set(), list(packages)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        for alternatives in depends.get(p, "").split(","):
            for alt in alternatives.split("|"):
                dep = alt.strip().split(" ")[0].split(":")[0]
                if not dep:
                    continue
                for real in ({dep} if dep in depends else set()) | provided_by.get(dep, set()):
                    todo.append(real)
    return seen


def loaded_libraries(binary):
    """Every shared library `binary` loads: soname -> path (ldd)."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    libs = {}
    for line in out.splitlines():
        line = line.strip()
        if "=>" in line:
            soname, _, rest = line.partition("=>")
            path = rest.split("(")[0].strip()
            assert path and path != "not found", f"{binary}: {line}"
            libs[soname.strip()] = path
        elif line.startswith("/"):
            path = line.split("(")[0].strip()
            libs[os.path.basename(path)] = path
    return libs


def needed_libraries(binary):
    """The sonames `binary` names itself (DT_NEEDED), not those of its libraries."""
    out = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def binaries():
    found = [os.environ.get("H2SOAK_BIN"), os.environ.get("H2SOAK_TARGET")]
    if not all(found):
        pytest.fail("set H2SOAK_BIN and H2SOAK_TARGET to the built h2soak and h2soak-target (CTest does)")
    return found


def lean_package_problems(stages, bins):
    """What is wrong with the lean stage's package list for these binaries; [] when nothing."""
    listed = set(installed_packages(stage_named(stages, "lean")))
    owners = {}  # package -> libraries of it the binaries load
    direct = {}  # package -> sonames the binaries name themselves
    for b in bins:
        libs = loaded_libraries(b)
        owner = dpkg_owners(libs.values())
        for soname, path in libs.items():
            owners.setdefault(owner[path], set()).add(soname)
        for soname in needed_libraries(b):
            assert soname in libs, f"{b}: ldd does not resolve {soname}"
            direct.setdefault(owner[libs[soname]], set()).add(f"{os.path.basename(b)}: {soname}")
    problems = []
    for package, why in sorted(direct.items()):
        if package not in listed:
            problems.append(f"{package} is not installed in the lean stage, but owns {', '.join(sorted(why))}")
    for package in sorted(listed - set(owners) - set(LEAN_TOOLS)):
        problems.append(f"{package} is installed in the lean stage, but owns no library the binaries load "
                        f"(and is no listed tool)")
    missing = set(owners) - dependency_closure(listed)
    for package in sorted(missing):
        problems.append(f"{package} ({', '.join(sorted(owners[package]))}) comes with no package of the lean stage")
    return problems


# ---- the tests -------------------------------------------------------------

@pytest.fixture(scope="module")
def stages():
    return parse_dockerfile(DOCKERFILE.read_text())


def test_every_stage_starts_from_debian_12(stages):
    names = {s.name for s in stages if s.name}
    for s in stages:
        if s.base not in names:
            assert s.base == BASE_IMAGE, f"stage {s.name}: FROM {s.base}, expected {BASE_IMAGE}"
    assert stages[0].base == BASE_IMAGE and stages[0].name == "build"
    assert [s.name for s in stages] == ["build", "lean", "report"]


def test_everything_copied_is_in_the_context(stages):
    patterns = dockerignore_patterns()
    names = {s.name for s in stages if s.name}
    for s in stages:
        for args in s.args_of("COPY"):
            flags, sources, _ = copy_parts(args)
            if "--from" in flags:
                assert flags["--from"] in names, f"COPY --from={flags['--from']}: no such stage"
                continue
            for src in sources:
                path = ROOT / src
                assert path.exists(), f"COPY {src}: not in the repository"
                if src not in (".", "./"):
                    assert not ignored(src, patterns), f"COPY {src}: left out of the context by .dockerignore"


def test_dockerignore_leaves_out_no_tracked_file():
    patterns = dockerignore_patterns()
    done = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip("not a git checkout")
    left_out = [f for f in done.stdout.splitlines() if ignored(f, patterns)]
    assert not left_out, f".dockerignore leaves out tracked files: {left_out[:10]}"


def test_build_stage_runs_scripts_and_targets_that_exist(stages):
    build = stage_named(stages, "build")
    runs = " ".join(build.args_of("RUN"))
    # The dependency script, with a flag it knows.
    assert "ci/deps.sh --build-only" in runs
    deps = (ROOT / "ci" / "deps.sh")
    assert os.access(deps, os.X_OK), "ci/deps.sh is not executable"
    assert re.search(r'== --build-only', deps.read_text()), "ci/deps.sh has no --build-only"
    # build_h2soak, and where its targets land in the build folder.
    assert "build_h2soak /src/build-lean" in runs
    build_env = (ROOT / "ci" / "build_env.sh").read_text()
    assert re.search(r"^build_h2soak\(\)", build_env, re.M), "ci/build_env.sh defines no build_h2soak"
    targets = re.search(r"local targets=\(([^)]*)\)", build_env).group(1).split()
    assert set(targets) == {"h2soak", "h2soak-target"}, targets
    lean = stage_named(stages, "lean")
    copied = [src for a in lean.args_of("COPY") for src in copy_parts(a)[1]
              if copy_parts(a)[0].get("--from") == "build"]
    for target in targets:
        folders = [p.parent.relative_to(ROOT) for p in ROOT.glob("**/CMakeLists.txt")
                   if not ignored(str(p.relative_to(ROOT)), dockerignore_patterns())
                   and re.search(rf"add_executable\({re.escape(target)}\s", p.read_text())]
        assert len(folders) == 1, f"add_executable({target}) in {folders}"
        built = f"/src/build-lean/{folders[0].as_posix()}/{target}"
        assert re.search(rf"-o /out/{re.escape(target)} {re.escape(built)}(\s|$)", runs), \
            f"the build stage does not take {target} from {built}"
        assert f"/out/{target}" in copied, f"the lean stage does not copy /out/{target}"


def test_lean_stage_installs_the_packages_of_the_binaries_libraries(stages):
    problems = lean_package_problems(stages, binaries())
    assert not problems, "\n".join(problems)


def test_lean_stage_environment_names_the_copied_binaries(stages):
    lean = stage_named(stages, "lean")
    dests = [copy_parts(a)[2] for a in lean.args_of("COPY")]
    assert dests == ["/usr/local/bin/"], dests
    assert "H2SOAK_TARGET_BIN=/usr/local/bin/h2soak-target" in lean.args_of("ENV")
    assert lean.args_of("ENTRYPOINT") == ['["h2soak"]']


def test_report_stage_brings_what_plot_run_imports(stages):
    report = stage_named(stages, "report")
    assert report.base == "lean"
    packages = set(installed_packages(report)) | set(installed_packages(stage_named(stages, "lean")))
    closure = dependency_closure(packages)
    # report_output.cc runs /usr/bin/python3 unless $H2SOAK_PYTHON says otherwise.
    assert dpkg_owner("/usr/bin/python3") in closure
    # plot_run.py and the modules of reports/ it imports, transitively.
    local, modules, todo = {"plot_run"}, set(), ["plot_run"]
    while todo:
        source = (ROOT / "reports" / f"{todo.pop()}.py").read_text()
        for node in ast.walk(ast.parse(source)):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module.split(".")[0]]
            for m in names:
                if (ROOT / "reports" / f"{m}.py").exists():
                    if m not in local:
                        local.add(m)
                        todo.append(m)
                else:
                    modules.add(m)
    third_party = sorted(m for m in modules if m not in sys.stdlib_module_names)
    assert third_party, "plot_run.py imports nothing outside the standard library?"
    for m in third_party:
        done = subprocess.run(["/usr/bin/python3", "-c", f"import {m}; print({m}.__file__)"],
                              capture_output=True, text=True)
        assert done.returncode == 0, f"plot_run.py imports {m}, which /usr/bin/python3 here lacks"
        owner = dpkg_owner(done.stdout.strip())
        assert owner in closure, f"plot_run.py imports {m} ({owner}), which the report stage does not install"
    # The script and its local modules land where $H2SOAK_REPORTS_DIR points.
    copied = set()
    for flags, sources, dest in (copy_parts(a) for a in report.args_of("COPY")):
        if dest.rstrip("/") == "/usr/local/share/h2soak/reports":
            copied |= set(sources)
    missing = sorted(f"reports/{m}.py" for m in local if f"reports/{m}.py" not in copied)
    assert not missing, f"the report stage does not copy {missing} into /usr/local/share/h2soak/reports/"
    assert "H2SOAK_REPORTS_DIR=/usr/local/share/h2soak/reports" in report.args_of("ENV")


# ---- the checks catch what they are for ------------------------------------

def test_a_missing_library_package_is_caught():
    text = DOCKERFILE.read_text().replace(" libev4 ", " ")
    assert text != DOCKERFILE.read_text()
    problems = lean_package_problems(parse_dockerfile(text), binaries())
    assert any(p.startswith("libev4 is not installed") for p in problems), problems


def test_a_package_of_no_loaded_library_is_caught():
    text = DOCKERFILE.read_text().replace(" libev4 ", " libev4 libjansson4 ")
    problems = lean_package_problems(parse_dockerfile(text), binaries())
    assert any(p.startswith("libjansson4 is installed") for p in problems), problems


def test_dockerignore_matching():
    assert ignored("build/x/y", ["build"])
    assert ignored("build-lean/h2soak", ["build-*"])
    assert ignored("reports/tests/__pycache__/a.pyc", ["**/__pycache__"])
    assert not ignored("ci/build_env.sh", ["build-*", "build"])
    assert not ignored("reports/plot_run.py", ["reports/*.pyc"])
    assert not ignored("reports/plot_run.py", ["reports", "!reports/plot_run.py"])
