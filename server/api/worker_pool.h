#pragma once
// A fixed pool of threads for blocking work (database, password hashing), so
// I/O threads never block.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hubtable::api {

/// Thread-safe. Jobs run in FIFO order on any worker. The queue is bounded:
/// try_submit refuses work instead of growing without limit.
class WorkerPool {
 public:
  WorkerPool(int threads, std::size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `job`; false when the queue is full or the pool is stopping.
  bool try_submit(std::function<void()> job);

  /// Runs every queued job, then joins the threads. Idempotent.
  void stop();

 private:
  void run();

  const std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hubtable::api
