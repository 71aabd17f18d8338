// The audit log at 10^4, 10^5 and 10^6 events: appending must not slow down
// as the log grows; verification is measured as `hubtabled verify-audit`
// runs it (reading on a second thread) and on one core.
//
//   build/release/tests/bench/audit_bench
//
// Each size's database is built once per run (in $TMPDIR), with a signed
// checkpoint every 256 events as the server takes them.

#include <benchmark/benchmark.h>

#include <filesystem>
#include <map>
#include <memory>
#include <system_error>

#include "audit/audit_writer.h"
#include "audit/checkpointer.h"
#include "audit/log_store.h"
#include "audit/verify.h"
#include "crypto/log_verifier.h"
#include "crypto/pki.h"
#include "store/database.h"
#include "store/transaction.h"
#include "tests/support/audit_log_seed.h"

namespace hubtable::audit {
namespace {

namespace fs = std::filesystem;

// One log of a given size, kept for the whole run.
struct Log {
  fs::path dir;
  crypto::SecretBytes key{32};
  std::optional<crypto::CheckpointSigner> signer;
  Checkpointer checkpointer;
  std::unique_ptr<store::Database> db;
  std::int64_t next = 0;

  Log() = default;
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;
  // The log's files go when the benchmark ends (10^6 events take 0.5 GB).
  ~Log() {
    db.reset();
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }

  // Appends `n` events in transactions of `batch`, checkpointing as the
  // server does.
  void append(std::int64_t n, std::int64_t batch) {
    if (!testing::append_sample_events(*db, checkpointer, next + 1, n, batch).ok()) std::abort();
    next += n;
  }
};

Log& log_of(std::int64_t size) {
  static std::map<std::int64_t, std::unique_ptr<Log>> logs;
  auto& slot = logs[size];
  if (slot) return *slot;
  slot = std::make_unique<Log>();
  Log& l = *slot;
  l.dir = fs::temp_directory_path() / ("hubtable-bench-" + std::to_string(size));
  fs::remove_all(l.dir);
  fs::create_directories(l.dir);
  l.key.data()[0] = 1;
  l.signer = *crypto::CheckpointSigner::from_private_pem(*crypto::generate_ed25519_key_pem());
  l.checkpointer = Checkpointer(*l.signer, "hubtable/bench");
  l.db =
      *store::Database::open((l.dir / "hubtable.db").string(), l.key, 1, store::OpenMode::kCreate);
  l.append(size, 256);
  return l;
}

// The sizes every benchmark here runs at.
void log_sizes(benchmark::internal::Benchmark* b) { b->Arg(10'000)->Arg(100'000)->Arg(1'000'000); }

// Appending to a log of N events: 64 events per transaction, as a busy
// server's requests would commit them, with the checkpoints that fall due.
void BM_Append(benchmark::State& state) {
  Log& l = log_of(state.range(0));
  for (auto _ : state) l.append(64, 64);  // NOLINT(clang-analyzer-deadcode.DeadStores)
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(BM_Append)->Apply(log_sizes)->Unit(benchmark::kMillisecond);

// Every stored event read, checked and hashed, the tree recomputed and every
// checkpoint's signature and root checked.
void verify_log(benchmark::State& state, const WalkOptions& options) {
  Log& l = log_of(state.range(0));
  std::uint64_t events = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    auto v = l.db->read([&](store::Connection& c) {
      return verify_stored_log(c, l.signer->verifier(), std::nullopt, options);
    });
    if (!v.ok() || !v->ok()) std::abort();
    events += v->size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
}

// `hubtabled verify-audit`: the next events read on a second thread while
// this one hashes and checks (its wall-clock rate; CPU time here is this
// thread's alone).
void BM_VerifyStoredLog(benchmark::State& state) { verify_log(state, kReadAhead); }
BENCHMARK(BM_VerifyStoredLog)->Apply(log_sizes)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same walk on one thread, as a serving hubtabled checks its own log.
void BM_VerifyStoredLogOneThread(benchmark::State& state) { verify_log(state, WalkOptions{}); }
BENCHMARK(BM_VerifyStoredLogOneThread)->Apply(log_sizes)->Unit(benchmark::kMillisecond);

// What verification cannot go below: the events and the stored tree's nodes
// read in order from the encrypted database (SQLCipher decrypting and checking
// every page), nothing parsed or hashed.
void BM_ReadStoredLog(benchmark::State& state) {
  Log& l = log_of(state.range(0));
  std::uint64_t events = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    auto bytes = l.db->read([&](store::Connection& c) -> absl::StatusOr<std::uint64_t> {
      std::uint64_t total = 0;
      auto read = [&](const char* sql, int blob, std::uint64_t* rows) -> absl::Status {
        auto q = c.prepare(sql);
        if (!q.ok()) return q.status();
        return q->for_each_row([&](const store::Statement& r) {
          total += r.blob_view(blob).size();
          if (rows != nullptr) ++*rows;
        });
      };
      if (auto s = read(audit::kStoredEventsSql, 1, &events); !s.ok()) {
        return s;
      }
      if (auto s = read(audit::kStoredNodesSql, 2, nullptr); !s.ok()) {
        return s;
      }
      return total;
    });
    if (!bytes.ok()) std::abort();
    benchmark::DoNotOptimize(*bytes);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
}
BENCHMARK(BM_ReadStoredLog)->Apply(log_sizes)->Unit(benchmark::kMillisecond);

// The client's share of `hubtable audit verify`: events already received,
// hashed and folded into the tree (no database, no network).
void BM_RecomputeTree(benchmark::State& state) {
  const std::string bytes = serialize_event(testing::sample_audit_event(1));
  const auto n = static_cast<std::uint64_t>(state.range(0));
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    crypto::merkle::CompactRange tree;
    for (std::uint64_t i = 0; i < n; ++i)
      tree.append(crypto::merkle::leaf_hash(crypto::as_bytes(bytes)));
    benchmark::DoNotOptimize(tree.root());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RecomputeTree)->Apply(log_sizes)->Unit(benchmark::kMillisecond);

// What every page of `hubtable audit verify` reads besides its events: the
// checkpoints in its range (here a page of 2,048 events in the middle of
// the log) and the key rotations (none here).
void BM_LogPageCheckpoints(benchmark::State& state) {
  Log& l = log_of(state.range(0));
  l.db->read([&](store::Connection& c) {
    const auto middle = static_cast<std::uint64_t>(state.range(0) / 2);
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
      auto in_page = checkpoints_between(c, middle, middle + 2048);
      auto rotations = key_rotations(c);
      if (!in_page.ok() || !rotations.ok()) std::abort();
      benchmark::DoNotOptimize(in_page->size() + rotations->size());
    }
    return 0;
  });
}
BENCHMARK(BM_LogPageCheckpoints)->Apply(log_sizes)->Unit(benchmark::kMicrosecond);

// An inclusion proof for an event in the middle of the log, from the
// stored tree.
void BM_InclusionProof(benchmark::State& state) {
  Log& l = log_of(state.range(0));
  l.db->read([&](store::Connection& c) {
    StoredNodes nodes(c);
    const std::uint64_t size = *tree_size(c);
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
      auto proof = crypto::merkle::inclusion_proof(size / 2, size, nodes.lookup());
      if (!proof.ok()) std::abort();
      benchmark::DoNotOptimize(proof->size());
    }
    return 0;
  });
}
BENCHMARK(BM_InclusionProof)->Apply(log_sizes);

}  // namespace
}  // namespace hubtable::audit

BENCHMARK_MAIN();
