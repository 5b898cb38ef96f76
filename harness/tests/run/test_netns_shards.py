"""Scale-out for real on one machine: network namespaces made here, the
reference server and the sampler agent in one, four shard generators in four
others, one bridge in a hub namespace between them; the shards start
together (--start-at), the results merge, and the merge must agree with the
server's own count, with the histogram of all shards' samples and with one
unsharded generator carrying the same total load.

Every namespace (and with it every veth and the bridge) is made by this test
and deleted at the end, even on failure; traffic never leaves them (10.77.0.0/24
exists only on the test's bridge). Needs root (`ip netns`), which the CI has.

Environment (CTest sets them): H2SOAK_BIN, H2SOAK_TARGET (the binaries).
"""
import json
import os
import signal
import subprocess
import time

import pytest

BIN = os.environ["H2SOAK_BIN"]
TARGET = os.environ["H2SOAK_TARGET"]
SHARDS = 4
SUBNET = "10.77.0"
SERVER_IP = f"{SUBNET}.1"
RATE = 400  # requests/s over all shards; each shard runs 100/s

SCENARIO = f"""\
name: netns_shards
target:
  url: "${{H2SOAK_TARGET_URL}}"
  ready: {{timeout: 5s}}
phases: {{warmup: 1s, steady: 4s, cooldown: 1s}}
workloads:
  - {{kind: bench, clients: 4, max_streams: 4, rate: {RATE}/s, paths: [/page/1, /page/2, /page/3]}}
thresholds: ["errors == 0"]
"""


def sh(*args, check=True):
    return subprocess.run(list(args), capture_output=True, text=True, check=check, timeout=30)


class Topology:
    """A hub namespace holding a bridge, and one namespace per node with a
    veth into the hub; node k gets 10.77.0.k."""

    def __init__(self, tag):
        self.tag = tag
        self.hub = f"h2s{tag}hub"
        self.nodes = {}
        self.made = []

    def up(self, names):
        sh("ip", "netns", "add", self.hub)
        self.made.append(self.hub)
        sh("ip", "-n", self.hub, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.hub, "link", "set", "br0", "up")
        for k, name in enumerate(names, start=1):
            ns = f"h2s{self.tag}{name}"
            sh("ip", "netns", "add", ns)
            self.made.append(ns)
            inner, outer = f"v{self.tag}{k}", f"b{self.tag}{k}"
            # Made inside the node's namespace, the peer moved into the hub:
            # nothing is ever created in the machine's own namespace.
            sh("ip", "-n", ns, "link", "add", inner, "type", "veth", "peer", "name", outer, "netns", self.hub)
            sh("ip", "-n", self.hub, "link", "set", outer, "master", "br0", "up")
            sh("ip", "-n", ns, "addr", "add", f"{SUBNET}.{k}/24", "dev", inner)
            sh("ip", "-n", ns, "link", "set", inner, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            self.nodes[name] = ns

    def exec_args(self, name, argv):
        return ["ip", "netns", "exec", self.nodes[name], *argv]

    def down(self):
        for ns in reversed(self.made):
            sh("ip", "netns", "del", ns, check=False)


@pytest.fixture
def topology():
    t = Topology(str(os.getpid() % 10000))
    try:
        t.up(["srv"] + [f"g{k}" for k in range(1, SHARDS + 1)])
        yield t
    finally:
        t.down()


def server_pages(t, port):
    out = subprocess.run(t.exec_args("srv", ["curl", "-s", "--max-time", "5", f"http://{SERVER_IP}:{port}/metrics"]),
                         capture_output=True, text=True, timeout=10).stdout
    return sum(float(line.rsplit(" ", 1)[1]) for line in out.splitlines()
               if line.startswith('h2soak_target_requests_total{route="page"'))


def load_result(path):
    with open(path) as f:
        return json.load(f)


def requests_done(result):
    return sum(p["counters"]["requests"]["done"] for w in result["workloads"] for p in w["phases"])


def histogram_counts(result, name="request_total"):
    """{bucket index: count} of one histogram over every workload and phase."""
    total = {}
    for w in result["workloads"]:
        for p in w["phases"]:
            h = (p.get("histograms") or {}).get(name)
            for b in (h or {}).get("buckets", []):
                total[b[0]] = total.get(b[0], 0) + b[1]
    return total


def test_four_shards_in_namespaces_merge_exactly(topology, tmp_path):
    t = topology
    scenario = tmp_path / "netns_shards.yaml"
    scenario.write_text(SCENARIO)
    server = subprocess.Popen(t.exec_args("srv", [TARGET, "--bind", SERVER_IP, "--port", "0", "--no-tls",
                                                   "--threads", "2"]),
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    started = []
    try:
        port = int(server.stdout.readline().strip())
        url = f"http://{SERVER_IP}:{port}"
        env = dict(os.environ, H2SOAK_TARGET_URL=url)
        before = server_pages(t, port)

        # The sampler beside the server, and the four shards (generators on
        # other hosts: --remote, no process of theirs to sample), all
        # starting at T.
        start_at = time.time() + 3
        sampler = subprocess.Popen(t.exec_args("srv", [BIN, "sample", "--pid", str(server.pid), str(scenario),
                                                       "--metrics-url", f"{url}/metrics",
                                                       "--gauge", "h2soak_target_connections_active",
                                                       "--start-at", f"{start_at:.3f}",
                                                       "--out", str(tmp_path / "samples.json")]),
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        started.append(sampler)
        shards = []
        for k in range(1, SHARDS + 1):
            p = subprocess.Popen(t.exec_args(f"g{k}", [BIN, "run", str(scenario), "--shard", f"{k}/{SHARDS}",
                                                       "--target-url", url, "--remote",
                                                       "--threads", "1", "-q", "--start-at", f"{start_at:.3f}",
                                                       "--out", str(tmp_path / f"shard{k}")]),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
            started.append(p)
            shards.append(p)
        for k, p in enumerate(shards, start=1):
            out, _ = p.communicate(timeout=60)
            assert p.returncode == 0, f"shard {k}/{SHARDS}: exit {p.returncode}\n{out}"
        out, _ = sampler.communicate(timeout=60)
        assert sampler.returncode == 0, f"sampler: exit {sampler.returncode}\n{out}"
        after = server_pages(t, port)

        files = [str(tmp_path / f"shard{k}" / "netns_shards.json") for k in range(1, SHARDS + 1)]
        merged_file = str(tmp_path / "merged.json")
        m = subprocess.run([BIN, "merge", *reversed(files), "--samples", str(tmp_path / "samples.json"),
                            "--out", merged_file], capture_output=True, text=True, timeout=60, env=env)
        assert m.returncode == 0, m.stdout + m.stderr

        shard_results = [load_result(f) for f in files]
        merged = load_result(merged_file)
        # Exact: the merge is the sum of the shards and the server's own count.
        shard_done = [requests_done(r) for r in shard_results]
        assert requests_done(merged) == sum(shard_done)
        assert requests_done(merged) == after - before, (shard_done, after - before)
        # Each shard carried a quarter (the plan split is exact: 100/s each).
        assert max(shard_done) - min(shard_done) <= 0.05 * max(shard_done), shard_done
        # The merged histogram is the histogram of every shard's samples.
        summed = {}
        for r in shard_results:
            for b, c in histogram_counts(r).items():
                summed[b] = summed.get(b, 0) + c
        assert histogram_counts(merged) == summed
        # Started together: every shard within 0.25 s of T.
        for r in shard_results:
            assert r["target"]["mode"] == "remote" and r["target"]["samples"]["count"] == 0
            assert abs(r["metadata"]["start_unix"] - start_at) < 0.25, r["metadata"]["start_unix"] - start_at
        # The target's figures are the sampler's.
        assert "samples.json" in merged["metadata"]["extra"]["merged_sources"]
        assert merged["target"]["samples"]["count"] > 20
        assert merged["analysis"]["rps"]["value"] == pytest.approx(RATE, rel=0.05)

        # One unsharded generator with the whole load, from g1: the same
        # figures within the noise of a short run.
        single = subprocess.run(t.exec_args("g1", [BIN, "run", str(scenario), "--target-url", url,
                                                   "--pid", str(server.pid), "--threads", "1", "-q",
                                                   "--out", str(tmp_path / "single")]),
                                capture_output=True, text=True, timeout=60, env=env)
        assert single.returncode == 0, single.stdout + single.stderr
        one = load_result(str(tmp_path / "single" / "netns_shards.json"))
        a, b = merged["analysis"], one["analysis"]
        assert a["rps"]["value"] == pytest.approx(b["rps"]["value"], rel=0.05)
        for q in ("latency.p50", "latency.p99"):
            # Sub-millisecond latencies on a shared 2-core machine: agree
            # within a factor of 3 (the figures go to the test's output).
            ratio = a[q]["value"] / max(b[q]["value"], 1)
            assert 1 / 3 < ratio < 3, (q, a[q]["value"], b[q]["value"])
        # Neither leaks: RSS slopes both below 64 KiB/s.
        assert abs(a["rss.slope"]["value"]) < 64 * 1024 and abs(b["rss.slope"]["value"]) < 64 * 1024
        print(f"netns shards: shards {shard_done}, merged {requests_done(merged)}, server {after - before}; "
              f"rps {a['rps']['value']:.1f} vs single {b['rps']['value']:.1f}; "
              f"p50 {a['latency.p50']['value']:.0f} vs {b['latency.p50']['value']:.0f} us; "
              f"p99 {a['latency.p99']['value']:.0f} vs {b['latency.p99']['value']:.0f} us; "
              f"rss.slope {a['rss.slope']['value']:.0f} vs {b['rss.slope']['value']:.0f} B/s")
    finally:
        for p in started:
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait(timeout=10)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
