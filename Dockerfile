# h2soak in a container: the image of the sharded runs of ci/k8s/
# (docs/scale-out.md, "Kubernetes"). Three stages:
#
#   build   Debian 12 with the build packages of `ci/deps.sh --build-only`;
#           builds the lean h2soak and h2soak-target as build_h2soak
#           (ci/build_env.sh) does: no tests, benchmarks or Python module.
#   lean    the two binaries and the Debian packages of their shared
#           libraries: the shards (`h2soak run`), the sampler
#           (`h2soak sample`), the reference server, and `h2soak merge`
#           without --report.
#   report  (the default) lean plus /usr/bin/python3, python3-matplotlib and
#           reports/plot_run.py, for `h2soak merge --report DIR` (the merge
#           Job of ci/k8s/ writes the HTML report).
#
#   docker build --build-arg H2SOAK_GIT_REVISION=$(git rev-parse --short HEAD) -t REGISTRY/h2soak:TAG .
#   docker build --target lean -t REGISTRY/h2soak:TAG-lean .
#
# No container runtime runs in CI: ci/tests/test_dockerfile.py checks this
# file statically, and that the lean stage's packages are those of the
# shared libraries the built binaries load (ldd, dpkg -S).

FROM debian:12 AS build
WORKDIR /src
COPY ci/deps.sh ci/deps.sh
RUN ci/deps.sh --build-only
COPY . .
# Results record h2soak's revision; the context has no .git to read it from.
ARG H2SOAK_GIT_REVISION=
RUN bash -c 'root=/src && . ci/build_env.sh && build_h2soak /src/build-lean' \
 && mkdir /out \
 && strip --strip-debug -o /out/h2soak /src/build-lean/harness/cli/h2soak \
 && strip --strip-debug -o /out/h2soak-target /src/build-lean/target_server/h2soak-target

FROM debian:12 AS lean
# The packages that own the binaries' shared libraries (their own
# dependencies come with them). procps: pgrep, with which the sampler
# sidecar finds the target's pid; ca-certificates: to verify a target's TLS
# certificate.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libc6 libcurl4 libev4 libfmt9 libgcc-s1 libhttp-parser2.9 libnghttp2-14 libssl3 \
      libstdc++6 libyaml-cpp0.7 \
      procps ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/h2soak /out/h2soak-target /usr/local/bin/
# `h2soak run` and `h2soak sample --spawn h2soak-target` start this one.
ENV H2SOAK_TARGET_BIN=/usr/local/bin/h2soak-target
ENTRYPOINT ["h2soak"]
CMD ["--help"]

FROM lean AS report
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-matplotlib \
 && rm -rf /var/lib/apt/lists/*
COPY reports/plot_run.py reports/report_html.py reports/capacity_report.py /usr/local/share/h2soak/reports/
ENV H2SOAK_REPORTS_DIR=/usr/local/share/h2soak/reports
