"""The Kubernetes manifests of ci/k8s/, checked offline.

`kubectl apply --dry-run=client` needs an API server, so the rendered
manifests (ci/k8s/render.sh) are checked here against the API's own models,
those of Debian's python3-kubernetes: every field must exist in its object's
model (a misspelled field is an error, where the API server would drop or
refuse it), every value must have the model's type (a string where an
integer belongs is an error: no silent "2" -> 2), and every field the model
requires must be there. A few rules the API server enforces beyond those
models are added by hand (API_SERVER_RULES). Then what makes them one run:
the same N, T and folder everywhere, the shard index made 1-based, the
sampler in the target's Pod, every volume and Service naming an object
that exists; the Pods' shell scripts are run with stand-ins for h2soak and
pgrep. Last, every h2soak (and h2soak-target) command line in them uses
only flags that the built binary's --help lists.

The models are of Kubernetes 1.22 (python3-kubernetes 22.6 in Debian 12):
fields added after it would be reported as unknown.

Environment: H2SOAK_BIN and H2SOAK_TARGET, the built binaries (CTest sets them).
"""
import copy
import os
import re
import shlex
import subprocess
import time
from pathlib import Path

import pytest
import yaml

try:
    from kubernetes import client as k8s
except ImportError as e:  # missing, it must fail, not skip: nothing would be checked
    raise ImportError("python3-kubernetes is missing: ci/deps.sh installs it") from e

ROOT = Path(__file__).resolve().parents[2]
RENDER = ROOT / "ci" / "k8s" / "render.sh"
SCENARIO = ROOT / "ci" / "k8s" / "scenario.yaml"
IMAGE = "registry.example/h2soak:test"
SHARDS = 3


# ---- rendering -------------------------------------------------------------

def render(*parts, **params):
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("H2SOAK_") and k not in ("H2SOAK_BIN", "H2SOAK_TARGET"):
            del env[k]
    env.update({k: str(v) for k, v in params.items()})
    return subprocess.run([str(RENDER), *parts], env=env, capture_output=True, text=True, timeout=30)


@pytest.fixture(scope="module")
def start_at():
    return int(time.time()) + 600


@pytest.fixture(scope="module")
def docs(start_at):
    done = render(H2SOAK_IMAGE=IMAGE, H2SOAK_SHARDS=SHARDS, H2SOAK_START_AT=start_at)
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d is not None]


def find(docs, kind, name):
    found = [d for d in docs if d.get("kind") == kind and d.get("metadata", {}).get("name") == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


# ---- validation against the models -----------------------------------------

def model_class(api_version, kind):
    version = api_version.split("/")[-1]
    name = version[0].upper() + version[1:] + kind
    cls = getattr(k8s, name, None)
    if cls is None or not hasattr(cls, "openapi_types"):
        return None
    return cls


_required_cache = {}


def required_attributes(cls):
    """The attributes whose setter refuses None: the model's required fields."""
    if cls not in _required_cache:
        obj = cls.__new__(cls)
        obj.local_vars_configuration = k8s.Configuration()
        obj.local_vars_configuration.client_side_validation = True
        required = set()
        for attr in cls.openapi_types:
            try:
                setattr(obj, attr, None)
            except ValueError:
                required.add(attr)
        _required_cache[cls] = required
    return _required_cache[cls]


def check_value(value, type_name, path, errors):
    if value is None:
        return
    if type_name == "object":  # IntOrString, Quantity, RawExtension: any JSON
        return
    if type_name.startswith("list["):
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list, got {type(value).__name__}")
            return
        for i, item in enumerate(value):
            check_value(item, type_name[5:-1], f"{path}[{i}]", errors)
        return
    if type_name.startswith("dict("):
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a map, got {type(value).__name__}")
            return
        inner = type_name[5:-1].split(",", 1)[1].strip()
        for k, v in value.items():
            if not isinstance(k, str):
                errors.append(f"{path}: key {k!r} is not a string")
            check_value(v, inner, f"{path}.{k}", errors)
        return
    primitive = {"str": str, "int": int, "float": (int, float), "bool": bool,
                 "datetime": str, "date": str}.get(type_name)
    if primitive is not None:
        ok = isinstance(value, primitive) and not (type_name in ("int", "float") and isinstance(value, bool))
        if not ok:
            errors.append(f"{path}: expected {type_name}, got {type(value).__name__} {value!r}")
        return
    cls = getattr(k8s, type_name, None)
    assert cls is not None, f"{path}: no model {type_name}"
    if not isinstance(value, dict):
        errors.append(f"{path}: expected an object ({type_name}), got {type(value).__name__}")
        return
    by_json = {j: a for a, j in cls.attribute_map.items()}
    for key, v in value.items():
        if key not in by_json:
            errors.append(f"{path}.{key}: unknown field in {type_name}")
            continue
        check_value(v, cls.openapi_types[by_json[key]], f"{path}.{key}", errors)
    for attr in sorted(required_attributes(cls)):
        if value.get(cls.attribute_map[attr]) is None:
            errors.append(f"{path}.{cls.attribute_map[attr]}: required by {type_name}, missing")


def pod_specs(doc):
    """(path, PodSpec) of a Pod or of a workload's Pod template."""
    spec = doc.get("spec")
    if not isinstance(spec, dict):
        return []
    if doc.get("kind") == "Pod":
        return [("spec", spec)]
    template = spec.get("template")
    template = template.get("spec") if isinstance(template, dict) else None
    return [("spec.template.spec", template)] if isinstance(template, dict) else []


def objects(value):
    """The mappings of a list; [] for anything else (the models' check reports the shape)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def api_server_rules(doc, errors):
    """Rules of the API server's validation that the models do not carry."""
    name = (doc.get("metadata") or {}).get("name")
    if not name:
        errors.append("metadata.name: required (the API server: 'resource name may not be empty')")
    for path, spec in pod_specs(doc):
        volumes = {v.get("name") for v in objects(spec.get("volumes"))}
        seen = set()
        for field in ("containers", "initContainers"):
            for i, c in enumerate(objects(spec.get(field))):
                where = f"{path}.{field}[{i}]"
                if not c.get("image"):
                    errors.append(f"{where}.image: Required value (the API server refuses a container without one)")
                if c.get("name") in seen:
                    errors.append(f"{where}.name: Duplicate value {c.get('name')!r}")
                seen.add(c.get("name"))
                for j, m in enumerate(objects(c.get("volumeMounts"))):
                    if m.get("name") not in volumes:
                        errors.append(f"{where}.volumeMounts[{j}].name: Not found: {m.get('name')!r}")
        if doc.get("kind") == "Job":
            if spec.get("restartPolicy") not in ("Never", "OnFailure"):
                errors.append(f"{path}.restartPolicy: a Job's Pods must have Never or OnFailure")
    if doc.get("kind") == "Job":
        spec = doc.get("spec") or {}
        if spec.get("completionMode") not in (None, "NonIndexed", "Indexed"):
            errors.append(f"spec.completionMode: Unsupported value {spec.get('completionMode')!r}")
        if spec.get("completionMode") == "Indexed" and spec.get("completions") is None:
            errors.append("spec.completions: Required value when completionMode is Indexed")


API_SERVER_RULES = api_server_rules


def validate(doc):
    """Every problem of one manifest; [] when the API server would take it."""
    errors = []
    kind, api_version = doc.get("kind"), doc.get("apiVersion")
    if not kind or not api_version:
        return ["apiVersion and kind are required"]
    cls = model_class(api_version, kind)
    if cls is None:
        return [f"{api_version} {kind}: no such object in the Kubernetes API"]
    check_value(doc, cls.__name__, kind, errors)
    API_SERVER_RULES(doc, errors)
    if not errors:
        # And the official client's own reading of it.
        try:
            k8s.ApiClient()._ApiClient__deserialize(copy.deepcopy(doc), cls.__name__)
        except (ValueError, TypeError) as e:
            errors.append(f"{kind}: the Kubernetes client refuses it: {e}")
    return errors


# ---- the manifests are valid ------------------------------------------------

def test_renders_the_objects_of_one_run(docs):
    assert sorted((d["kind"], d["metadata"]["name"]) for d in docs) == sorted([
        ("ConfigMap", "h2soak-scenario"), ("PersistentVolumeClaim", "h2soak-results"),
        ("Pod", "h2soak-results"), ("Pod", "h2soak-target"), ("Service", "h2soak-target"),
        ("Job", "h2soak-shards"), ("Job", "h2soak-merge")])


def test_every_manifest_is_valid_against_the_kubernetes_models(docs):
    problems = {f"{d['kind']} {d['metadata']['name']}": validate(d) for d in docs}
    assert not any(problems.values()), {k: v for k, v in problems.items() if v}


def test_scenario_config_map_holds_the_file_as_it_is(docs):
    cm = find(docs, "ConfigMap", "h2soak-scenario")
    assert cm["data"]["scenario.yaml"] == SCENARIO.read_text()


def test_storage_class_is_named_only_when_given():
    plain = yaml.safe_load(render("results", H2SOAK_IMAGE=IMAGE).stdout.split("---")[0])
    assert "storageClassName" not in plain["spec"]
    named = render("results", H2SOAK_IMAGE=IMAGE, H2SOAK_STORAGE_CLASS="nfs-client")
    pvc = next(d for d in yaml.safe_load_all(named.stdout) if d and d["kind"] == "PersistentVolumeClaim")
    assert pvc["spec"]["storageClassName"] == "nfs-client"
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    assert not validate(pvc)


@pytest.mark.parametrize("params, message", [
    ({}, "set H2SOAK_IMAGE"),
    ({"H2SOAK_IMAGE": IMAGE, "H2SOAK_SHARDS": "0"}, "H2SOAK_SHARDS"),
    ({"H2SOAK_IMAGE": IMAGE, "H2SOAK_SHARDS": "two"}, "H2SOAK_SHARDS"),
    ({"H2SOAK_IMAGE": IMAGE, "H2SOAK_START_AT": "1000000000"}, "in the past"),
    ({"H2SOAK_IMAGE": IMAGE, "H2SOAK_START_AT": "+60"}, "Unix seconds"),
    ({"H2SOAK_IMAGE": IMAGE, "H2SOAK_START_AT": str(int(time.time()) + 7200)}, "more than an hour"),
    ({"H2SOAK_IMAGE": IMAGE, "H2SOAK_TARGET_URL": "h2soak-target:8443"}, "H2SOAK_TARGET_URL"),
])
def test_render_refuses_bad_parameters(params, message):
    done = render(**params)
    assert done.returncode == 2 and message in done.stderr, (done.returncode, done.stderr)
    assert done.stdout == ""


# ---- the checks catch real mistakes -----------------------------------------

def shards_job(docs):
    return copy.deepcopy(find(docs, "Job", "h2soak-shards"))


def test_a_misspelled_field_is_refused(docs):
    job = shards_job(docs)
    job["spec"]["paralelism"] = job["spec"].pop("parallelism")
    assert validate(job) == ["Job.spec.paralelism: unknown field in V1JobSpec"]
    job = shards_job(docs)
    job["spec"]["template"]["spec"]["containers"][0]["volumeMount"] = []
    assert validate(job) == ["Job.spec.template.spec.containers[0].volumeMount: unknown field in V1Container"]


def test_a_string_where_an_integer_belongs_is_refused(docs):
    job = shards_job(docs)
    job["spec"]["completions"] = str(SHARDS)
    assert validate(job) == [f"Job.spec.completions: expected int, got str '{SHARDS}'"]
    job = shards_job(docs)
    job["spec"]["backoffLimit"] = True
    assert validate(job) == ["Job.spec.backoffLimit: expected int, got bool True"]


def test_a_missing_container_image_is_refused(docs):
    job = shards_job(docs)
    del job["spec"]["template"]["spec"]["containers"][0]["image"]
    assert validate(job) == ["spec.template.spec.containers[0].image: Required value "
                             "(the API server refuses a container without one)"]


def test_missing_required_fields_and_wrong_shapes_are_refused(docs):
    job = shards_job(docs)
    del job["spec"]["template"]["spec"]["containers"][0]["name"]
    assert "Job.spec.template.spec.containers[0].name: required by V1Container, missing" in validate(job)
    job = shards_job(docs)
    job["spec"]["template"]["spec"]["containers"] = {"name": "shard"}
    assert validate(job)[0].startswith("Job.spec.template.spec.containers: expected a list")
    svc = copy.deepcopy(find(docs, "Service", "h2soak-target"))
    svc["spec"]["ports"][0]["port"] = "8443"
    assert validate(svc) == ["Service.spec.ports[0].port: expected int, got str '8443'"]
    job = shards_job(docs)
    job["spec"]["template"]["spec"]["restartPolicy"] = "Always"
    assert "a Job's Pods must have Never or OnFailure" in validate(job)[0]
    job = shards_job(docs)
    job["spec"]["template"]["spec"]["volumes"].pop()
    assert validate(job) == ["spec.template.spec.containers[0].volumeMounts[1].name: Not found: 'results'"]
    assert validate(dict(shards_job(docs), kind="Jobb")) == ["batch/v1 Jobb: no such object in the Kubernetes API"]


# ---- one run: the objects agree ---------------------------------------------

def containers(doc):
    return [c for _, spec in pod_specs(doc) for c in spec["containers"]]


def env_of(container):
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def test_shards_are_an_indexed_job_of_n_that_never_retries(docs):
    job = find(docs, "Job", "h2soak-shards")
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    assert spec["completions"] == spec["parallelism"] == SHARDS
    assert spec["backoffLimit"] == 0
    assert spec["template"]["spec"]["restartPolicy"] == "Never"


def test_every_process_of_the_run_shares_t_and_the_run_folder(docs, start_at):
    users = [("Pod h2soak-target", find(docs, "Pod", "h2soak-target")),
             ("Job h2soak-shards", find(docs, "Job", "h2soak-shards")),
             ("Job h2soak-merge", find(docs, "Job", "h2soak-merge"))]
    for where, doc in users:
        for c in containers(doc):
            env = env_of(c)
            if "H2SOAK_START_AT" in env:
                assert env["H2SOAK_START_AT"] == str(start_at), where
            if "H2SOAK_RUN_DIR" in env:
                assert env["H2SOAK_RUN_DIR"] == f"/results/run-{start_at}", where
            if "H2SOAK_SHARDS" in env:
                assert env["H2SOAK_SHARDS"] == str(SHARDS), where
    sampler = next(c for c in containers(find(docs, "Pod", "h2soak-target")) if c["name"] == "sampler")
    assert env_of(sampler)["H2SOAK_START_AT"] == str(start_at)
    for doc in docs:
        for c in containers(doc):
            assert c["image"] == IMAGE


def test_sampler_shares_the_targets_pid_namespace(docs):
    pod = find(docs, "Pod", "h2soak-target")
    assert pod["spec"]["shareProcessNamespace"] is True
    names = [c["name"] for c in pod["spec"]["containers"]]
    assert names == ["target", "sampler"]
    sampler = pod["spec"]["containers"][1]
    target = pod["spec"]["containers"][0]
    assert env_of(sampler)["H2SOAK_TARGET_PROCESS"] == Path(target["command"][0]).name[:15]


def test_volumes_config_maps_and_services_name_objects_of_the_run(docs):
    names = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for doc in docs:
        for _, spec in pod_specs(doc):
            mounts = {m["mountPath"]: m["name"] for c in spec["containers"] for m in c.get("volumeMounts", [])}
            for v in spec.get("volumes", []):
                if "persistentVolumeClaim" in v:
                    assert ("PersistentVolumeClaim", v["persistentVolumeClaim"]["claimName"]) in names
                if "configMap" in v:
                    assert ("ConfigMap", v["configMap"]["name"]) in names
            scripts = " ".join(" ".join(c.get("args", [])) for c in spec["containers"])
            if "/results" in scripts:
                assert "/results" in mounts, f"{doc['metadata']['name']} writes /results but does not mount it"
            if "/scenario/" in scripts:
                assert "/scenario" in mounts, f"{doc['metadata']['name']} reads /scenario but does not mount it"
    # The shards' default URL is the Service, and the Service selects the target's Pod.
    svc = find(docs, "Service", "h2soak-target")
    labels = find(docs, "Pod", "h2soak-target")["metadata"]["labels"]
    assert all(labels.get(k) == v for k, v in svc["spec"]["selector"].items())
    url = env_of(containers(find(docs, "Job", "h2soak-shards"))[0])["H2SOAK_TARGET_URL"]
    assert url == f"https://{svc['metadata']['name']}:{svc['spec']['ports'][0]['port']}"


# ---- the Pods' scripts, run with stand-ins ------------------------------------

def fake_bin(tmp_path, name, body):
    path = tmp_path / "bin" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def run_script(container, tmp_path, extra_env=None, timeout=20):
    """Runs a container's `sh -c` script with /results under tmp_path and stand-ins on PATH."""
    assert container["command"] == ["/bin/sh", "-c"]
    script = container["args"][0].replace("/results", str(tmp_path / "results"))
    env = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin"}
    env.update({k: v.replace("/results", str(tmp_path / "results")) for k, v in env_of(container).items()})
    env.update(extra_env or {})
    return subprocess.run(["/bin/sh", "-c", script], env=env, capture_output=True, text=True, timeout=timeout)


def test_shard_script_runs_shard_index_plus_one_and_forgives_exit_1(docs, tmp_path, start_at):
    shard = containers(find(docs, "Job", "h2soak-shards"))[0]
    log = tmp_path / "args"
    for index, code, expect_ok in [(0, 0, True), (SHARDS - 1, 1, True), (1, 2, False), (1, 3, False)]:
        fake_bin(tmp_path, "h2soak", f'echo "$@" > {log}\nexit {code}\n')
        done = run_script(shard, tmp_path, {"JOB_COMPLETION_INDEX": str(index)})
        assert (done.returncode == 0) == expect_ok, (index, code, done.returncode, done.stderr)
        args = log.read_text().split()
        assert args[args.index("--shard") + 1] == f"{index + 1}/{SHARDS}"
        assert args[args.index("--start-at") + 1] == str(start_at)
        assert args[args.index("--out") + 1] == str(tmp_path / f"results/run-{start_at}/shard-{index + 1}")
        assert args[args.index("--target-url") + 1] == "https://h2soak-target:8443"


def test_sampler_script_waits_for_the_target_then_samples_its_pid(docs, tmp_path, start_at):
    sampler = next(c for c in containers(find(docs, "Pod", "h2soak-target")) if c["name"] == "sampler")
    log = tmp_path / "args"
    flag = tmp_path / "target-up"
    # pgrep finds nothing until the target "starts" (the flag file), then its pid.
    fake_bin(tmp_path, "pgrep", f'[ "$*" = "-o -x h2soak-target" ] && [ -f {flag} ] && echo 4242\n')
    fake_bin(tmp_path, "h2soak", f'echo "$@" > {log}\n')
    env = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin"}
    script = sampler["args"][0].replace("/results", str(tmp_path / "results"))
    env.update({k: v.replace("/results", str(tmp_path / "results")) for k, v in env_of(sampler).items()})
    p = subprocess.Popen(["/bin/sh", "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    assert p.poll() is None, "the sampler did not wait for the target"
    flag.write_text("")
    out, err = p.communicate(timeout=10)
    assert p.returncode == 0, err
    args = log.read_text().split()
    assert args[:2] == ["sample", "/scenario/scenario.yaml"]
    assert args[args.index("--pid") + 1] == "4242"
    assert args[args.index("--start-at") + 1] == str(start_at)
    assert args[args.index("--out") + 1] == str(tmp_path / f"results/run-{start_at}/samples.json")
    assert (tmp_path / f"results/run-{start_at}").is_dir()


def test_merge_script_waits_for_every_shard_and_the_samples(docs, tmp_path, start_at):
    merge = containers(find(docs, "Job", "h2soak-merge"))[0]
    log = tmp_path / "args"
    fake_bin(tmp_path, "h2soak", f'echo "$@" > {log}\n')
    fake_bin(tmp_path, "sleep", "exit 0\n")  # the 5 s poll, made instant
    run = tmp_path / f"results/run-{start_at}"
    for i in range(1, SHARDS):
        (run / f"shard-{i}").mkdir(parents=True)
        (run / f"shard-{i}" / "k8s_example.json").write_text("{}")
        (run / f"shard-{i}" / ".k8s_example.json.tmp.abcdef").write_text("")  # an atomic write under way
    (run / "samples.json").write_text("{}")
    with pytest.raises(subprocess.TimeoutExpired):  # one shard short: still waiting
        run_script(merge, tmp_path, timeout=2)
    assert not log.exists()
    (run / f"shard-{SHARDS}").mkdir()
    (run / f"shard-{SHARDS}" / "k8s_example.json").write_text("{}")
    done = run_script(merge, tmp_path)
    assert done.returncode == 0, done.stderr
    args = log.read_text().split()
    assert args[0] == "merge"
    assert sorted(a for a in args if a.startswith(str(run / "shard-"))) == \
        [str(run / f"shard-{i}" / "k8s_example.json") for i in range(1, SHARDS + 1)]
    assert args[args.index("--samples") + 1] == str(run / "samples.json")
    assert args[args.index("--out") + 1] == str(run / "merged.json")
    assert args[args.index("--report") + 1] == str(run / "report")


# ---- every flag exists in the built binaries ---------------------------------

def command_lines(docs):
    """(where, words) of each h2soak and h2soak-target command in the manifests."""
    found = []
    for doc in docs:
        for c in containers(doc):
            where = f"{doc['kind']} {doc['metadata']['name']}, container {c['name']}"
            command = c.get("command") or []
            if command and Path(command[0]).name in ("h2soak", "h2soak-target"):
                found.append((where, command + c.get("args", [])))
                continue
            for script in c.get("args", []) if command[-1:] == ["-c"] else []:
                for line in script.replace("\\\n", " ").splitlines():
                    words = shlex.split(line, comments=True)
                    if words[:1] == ["exec"]:
                        words = words[1:]
                    if words[:1] == ["h2soak"]:
                        found.append((where, words))
    return found


def help_flags(argv):
    done = subprocess.run(argv + ["--help"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, f"{' '.join(argv)} --help: exit {done.returncode}\n{done.stderr}"
    flags = set()
    for line in done.stdout.splitlines():
        m = re.match(r"^\s{2}((?:-[A-Za-z0-9],)?--[A-Za-z0-9][\w-]*|-[A-Za-z0-9])(?=[\s,]|$)", line)
        if m:
            flags.update(m.group(1).split(","))
    assert "--help" in flags, done.stdout
    return flags


def built_binaries():
    binaries = {"h2soak": os.environ.get("H2SOAK_BIN"), "h2soak-target": os.environ.get("H2SOAK_TARGET")}
    assert all(binaries.values()), "set H2SOAK_BIN and H2SOAK_TARGET to the built binaries (CTest does)"
    return binaries


def unknown_flags(docs, binaries):
    """Each flag of a command line in `docs` that the binary's --help does not list."""
    unknown = []
    for where, words in command_lines(docs):
        name = Path(words[0]).name
        argv = [binaries[name]] + ([words[1]] if name == "h2soak" else [])
        known = help_flags(argv)
        for w in words[len(argv):]:
            flag = w.split("=", 1)[0]
            if flag.startswith("-") and flag not in known:
                unknown.append(f"{where}: `{' '.join([name] + words[1:len(argv)])}` has no {flag}")
    return unknown


def test_every_command_line_uses_only_flags_the_built_binaries_have(docs):
    """Read from the binaries' --help, not from a list: `run --remote` passes once it is built."""
    lines = command_lines(docs)
    assert {w[1] for _, w in lines if w[0] == "h2soak"} == {"run", "sample", "merge"}, lines
    assert any(w[0] == "h2soak-target" for _, w in lines), lines
    unknown = unknown_flags(docs, built_binaries())
    assert not unknown, "\n".join(unknown)


def test_a_flag_the_binary_lacks_is_caught(docs):
    broken = copy.deepcopy(docs)
    merge = containers(find(broken, "Job", "h2soak-merge"))[0]
    merge["args"][0] = merge["args"][0].replace("--report", "--reprot")
    target = containers(find(broken, "Pod", "h2soak-target"))[0]
    target["command"] = target["command"] + ["--no-such-flag"]
    unknown = unknown_flags(broken, built_binaries())
    assert "Job h2soak-merge, container merge: `h2soak merge` has no --reprot" in unknown, unknown
    assert "Pod h2soak-target, container target: `h2soak-target` has no --no-such-flag" in unknown, unknown
