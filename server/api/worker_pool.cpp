#include "api/worker_pool.h"

namespace hubtable::api {

WorkerPool::WorkerPool(int threads, std::size_t max_queued, std::size_t max_lane_backlog)
    : max_queued_(max_queued), max_lane_backlog_(max_lane_backlog) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() { stop(); }

std::function<void()> WorkerPool::in_lane(std::function<void()> job, const std::string& lane) {
  return [this, job = std::move(job), lane] {
    job();
    finish_lane_job(lane);
  };
}

void WorkerPool::finish_lane_job(const std::string& lane) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = lanes_.find(lane);
    if (it == lanes_.end()) return;
    if (it->second.waiting.empty()) {
      lanes_.erase(it);
      // A stopping pool's idle workers wait for the last lane to empty.
      if (stopping_ && lanes_.empty()) wake_.notify_all();
      return;
    }
    // The successor goes to the back of the queue: others' work comes first.
    // It may take the queue one past its bound; each lane adds at most one.
    auto next = std::move(it->second.waiting.front());
    it->second.waiting.pop_front();
    jobs_.push_back(in_lane(std::move(next), lane));
  }
  wake_.notify_one();
}

bool WorkerPool::try_submit(std::function<void()> job, const std::string& lane) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return false;
    if (lane.empty()) {
      if (jobs_.size() >= max_queued_) return false;
      jobs_.push_back(std::move(job));
    } else if (auto it = lanes_.find(lane); it != lanes_.end()) {
      if (it->second.waiting.size() >= max_lane_backlog_) return false;
      it->second.waiting.push_back(std::move(job));
      return true;  // starts when the lane's current job finishes
    } else {
      if (jobs_.size() >= max_queued_) return false;
      lanes_.emplace(lane, Lane{});
      jobs_.push_back(in_lane(std::move(job), lane));
    }
  }
  wake_.notify_one();
  return true;
}

std::size_t WorkerPool::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::size_t n = jobs_.size();
  for (const auto& [name, lane] : lanes_) n += lane.waiting.size();
  return n;
}

bool WorkerPool::submit_reserved(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return false;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void WorkerPool::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void WorkerPool::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // While stopping, a worker stays until no lane can hand over another job.
      wake_.wait(lock, [&] { return !jobs_.empty() || (stopping_ && lanes_.empty()); });
      if (jobs_.empty()) return;  // stopping and drained
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace hubtable::api
