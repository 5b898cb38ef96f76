// The SSE event-end scanner (workloads/sse_events.h), run on every DATA chunk
// of every event stream: 100,000 idle streams cost nothing here, but a busy
// event feed with long data lines is scanned byte for byte. Arg: the data
// line's length (the reference server's events are ~40 bytes).
#include <benchmark/benchmark.h>

#include <string>

#include "harness/workloads/sse_events.h"

namespace {

std::string feed(std::size_t line, std::size_t bytes) {
  std::string event = "id: 1\nevent: tick\ndata: " + std::string(line, 'x') + "\n\n";
  std::string out;
  while (out.size() < bytes) out += event;
  return out;
}

void BM_SseEventEnds(benchmark::State& state) {
  const std::string body = feed(static_cast<std::size_t>(state.range(0)), 16 * 1024);  // one 16 KiB read
  const auto* data = reinterpret_cast<const std::uint8_t*>(body.data());
  std::uint64_t events = 0;
  for (auto _ : state) {
    bool newline = false;
    events += h2soak::workloads::count_sse_event_ends(data, body.size(), newline);
  }
  benchmark::DoNotOptimize(events);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_SseEventEnds)->Arg(40)->Arg(1024);

// The byte-at-a-time loop the scanner replaced, for comparison in one run.
void BM_SseEventEndsByteLoop(benchmark::State& state) {
  const std::string body = feed(static_cast<std::size_t>(state.range(0)), 16 * 1024);
  std::uint64_t events = 0;
  for (auto _ : state) {
    bool newline = false;
    for (char c : body) {
      if (c == '\r') continue;
      if (c == '\n') {
        events += newline ? 1 : 0;
        newline = !newline;
      } else {
        newline = false;
      }
    }
    benchmark::DoNotOptimize(newline);
  }
  benchmark::DoNotOptimize(events);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_SseEventEndsByteLoop)->Arg(40)->Arg(1024);

}  // namespace
