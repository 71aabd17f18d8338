#pragma once
// A fixed pool of threads for blocking work (database, password hashing,
// scanning), so I/O threads never block; and lanes, so that one principal
// cannot take more than one of those threads however much it sends.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"

namespace hubtable::api {

/// Thread-safe. Jobs run in FIFO order on any worker. The queue is bounded:
/// try_submit refuses work instead of growing without limit.
///
/// A job submitted with a lane key is serialised with the other jobs of its
/// lane: at most one of them is queued or running at a time; the rest wait
/// in the lane (at most `max_lane_backlog`) and join the back of the queue,
/// one at a time, as their predecessor finishes. So a principal that
/// pipelines many expensive requests holds one worker, and everyone else's
/// requests take turns with theirs.
class WorkerPool {
 public:
  WorkerPool(int threads, std::size_t max_queued, std::size_t max_lane_backlog = 64);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `job`, in `lane` when it is not empty; false when the queue (or
  /// the lane) is full or the pool is stopping.
  bool try_submit(std::function<void()> job, const std::string& lane = {});

  /// Queues `job` even when the queue is full; false only when stopping. For
  /// bookkeeping that must not be lost to a busy moment (writing audit
  /// events held in memory): the caller keeps at most one such job queued.
  bool submit_reserved(std::function<void()> job);

  /// Jobs waiting for a worker, lanes' backlogs included.
  std::size_t queued() const;

  /// Runs every queued job (lanes included), then joins the threads. Idempotent.
  void stop();

 private:
  struct Lane {
    std::deque<std::function<void()>> waiting;  // behind the one queued or running
  };
  void run();
  /// With the mutex held: the lane's job, wrapped to hand over to its successor.
  std::function<void()> in_lane(std::function<void()> job, const std::string& lane);
  void finish_lane_job(const std::string& lane);

  const std::size_t max_queued_;
  const std::size_t max_lane_backlog_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_ ABSL_GUARDED_BY(mutex_);
  // Lanes with a job queued or running.
  std::unordered_map<std::string, Lane> lanes_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace hubtable::api
