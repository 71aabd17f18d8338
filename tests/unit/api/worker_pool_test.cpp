// The worker pool's lanes: one principal's jobs take one worker at a time,
// so everyone else's work still runs while they flood it.

#include "api/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace hubtable::api {
namespace {

constexpr auto kDeadline = std::chrono::seconds(30);

// A gate jobs wait at until the test opens it, and a log of what ran.
class Gate {
 public:
  void pass() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return open_; });
  }
  void open() {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  void record(int what) {
    std::lock_guard<std::mutex> lock(mutex_);
    ran_.push_back(what);
    changed_.notify_all();
  }
  /// Waits until `n` jobs have run; false at the deadline.
  bool wait_for(std::size_t n) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, kDeadline, [&] { return ran_.size() >= n; });
  }
  std::vector<int> ran() {
    std::lock_guard<std::mutex> lock(mutex_);
    return ran_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
  std::vector<int> ran_;
};

TEST(WorkerPool, OneLaneHoldsOneWorkerWhileOthersRun) {
  WorkerPool pool(4, 100);
  Gate gate;
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(pool.try_submit(
        [&, i] {
          const int now = ++running;
          int seen = most.load();
          while (now > seen && !most.compare_exchange_weak(seen, now)) {
          }
          gate.pass();
          --running;
          gate.record(i);
        },
        "flooder"));
  }
  // The flooder's first job blocks at the gate; another principal's job
  // (and a job in no lane) still finds a free worker.
  ASSERT_TRUE(pool.try_submit([&] { gate.record(100); }, "someone-else"));
  ASSERT_TRUE(pool.try_submit([&] { gate.record(200); }));
  ASSERT_TRUE(gate.wait_for(2)) << "work of others waited behind one lane";
  EXPECT_EQ(running.load(), 1);
  gate.open();
  ASSERT_TRUE(gate.wait_for(10));
  EXPECT_EQ(most.load(), 1);
  const auto ran = gate.ran();
  std::vector<int> flooder(ran.begin() + 2, ran.end());
  EXPECT_EQ(flooder, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7})) << "a lane keeps its order";
}

TEST(WorkerPool, ALaneRefusesBeyondItsBacklog) {
  WorkerPool pool(2, 100, /*max_lane_backlog=*/2);
  Gate gate;
  ASSERT_TRUE(pool.try_submit([&] { gate.pass(); }, "a"));
  EXPECT_TRUE(pool.try_submit([] {}, "a"));
  EXPECT_TRUE(pool.try_submit([] {}, "a"));
  EXPECT_FALSE(pool.try_submit([] {}, "a"));
  EXPECT_TRUE(pool.try_submit([] {}, "b")) << "other lanes are not affected";
  gate.open();
}

TEST(WorkerPool, TheQueueBoundCountsOneJobPerLane) {
  WorkerPool pool(1, 2);
  Gate gate;
  ASSERT_TRUE(pool.try_submit([&] {
    gate.record(0);
    gate.pass();
  }));
  ASSERT_TRUE(gate.wait_for(1)) << "the only worker took the blocking job off the queue";
  std::atomic<int> done{0};
  ASSERT_TRUE(pool.try_submit([&] { ++done; }, "a"));
  ASSERT_TRUE(pool.try_submit([&] { ++done; }, "a")) << "waits in its lane, not the queue";
  ASSERT_TRUE(pool.try_submit([&] { ++done; }, "b"));
  gate.open();
  pool.stop();
  EXPECT_EQ(done.load(), 3);
}

TEST(WorkerPool, StopRunsEveryLanesWaitingJobs) {
  std::atomic<int> done{0};
  {
    WorkerPool pool(2, 100);
    for (int lane = 0; lane < 3; ++lane) {
      for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(pool.try_submit([&] { ++done; }, "lane-" + std::to_string(lane)));
      }
    }
    pool.stop();
    EXPECT_FALSE(pool.try_submit([] {}, "lane-0"));
  }
  EXPECT_EQ(done.load(), 15);
}

}  // namespace
}  // namespace hubtable::api
