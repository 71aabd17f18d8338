#pragma once
// One page of an answer that grows with the data (situations, the audit
// log, notes, agenda lines): bounded in rows, as the caller asked, and in
// bytes, so that whatever the rows hold the answer fits one frame. The
// server never builds an answer it cannot send.

#include <algorithm>
#include <cstddef>

#include "config/limits.h"

namespace hubtable::api {

/// Not thread-safe; one per answer.
class Page {
 public:
  /// Room for the rows of one answer: half a frame, at most 512 KiB, so the
  /// rest of the answer and the envelope always fit.
  static std::size_t byte_budget(const config::Limits& limits) {
    return std::min<std::size_t>(std::size_t{512} * 1024, limits.max_frame_bytes / 2);
  }

  Page(std::size_t max_rows, std::size_t max_bytes) : max_rows_(max_rows), max_bytes_(max_bytes) {}

  /// Counts a row of `bytes` (its serialized size) and says whether it
  /// belongs on this page. The first row always does; once a row does not,
  /// the page is full and the row goes on the next.
  bool take(std::size_t bytes) {
    if (full_ || (rows_ > 0 && (rows_ >= max_rows_ || bytes_ + bytes > max_bytes_))) {
      full_ = true;
      return false;
    }
    ++rows_;
    bytes_ += bytes + 8;  // the field's tag and length
    return true;
  }
  /// Whether a row was turned away: more follow.
  bool full() const { return full_; }
  std::size_t rows() const { return rows_; }

 private:
  std::size_t max_rows_;
  std::size_t max_bytes_;
  std::size_t rows_ = 0;
  std::size_t bytes_ = 0;
  bool full_ = false;
};

}  // namespace hubtable::api
