#include "lib/log_pages.h"

#include <algorithm>

namespace hubtable::client {

namespace v1 = hubtable::v1;

absl::StatusOr<LogPages::Asked> LogPages::ask(std::uint64_t after, std::uint64_t through) {
  v1::Request req;
  auto* page = req.mutable_audit_log();
  page->set_table(table_);
  page->set_after_sequence(after);
  page->set_limit(static_cast<std::uint32_t>(through - after));
  auto id = conn_.send(std::move(req));
  if (!id.ok()) return id.status();
  return Asked{after, through, *id};
}

absl::StatusOr<v1::Response> LogPages::next() {
  if (ended_) return absl::FailedPreconditionError("the log's last page was already read");
  const auto give_up = std::chrono::steady_clock::now() + conn_.timeout();
  for (;;) {
    while (asked_.size() < kAhead) {
      auto asked = ask(ahead_, ahead_ + page_);
      if (!asked.ok()) return asked.status();
      asked_.push_back(*asked);
      ahead_ += page_;
    }
    const Asked a = asked_.front();
    asked_.pop_front();
    auto r = conn_.wait(a.id);
    if (!r.ok()) return r;
    if (waited_out(*r, give_up)) {
      auto again = ask(a.after, a.through);
      if (!again.ok()) return again.status();
      asked_.push_front(*again);
      continue;
    }
    if (r->status().code() != v1::OK) return r;
    const auto& log = r->audit_log();
    if (log.last_page()) {
      // Pages still asked for ahead are left unread: the walk ends where the
      // server said the log did.
      ended_ = true;
      return r;
    }
    if (log.entries().empty()) {
      return absl::DataLossError(
          "the server sent an empty page of the audit log that is not the "
          "last");
    }
    // A page the server cut short (it fills an answer's bytes before its
    // events): the rest of what it was asked for comes next. Pages asked
    // for from then on are a little smaller than what fitted, so that most
    // fit whole. A whole page well short of the bytes that filled one lets
    // them grow again: a stretch of events sent by their hash alone fits
    // five times as many.
    const std::uint64_t end = log.entries(log.entries_size() - 1).sequence();
    if (end > a.after && end < a.through) {
      auto rest = ask(end, a.through);
      if (!rest.ok()) return rest.status();
      asked_.push_front(*rest);
      const auto fitted = static_cast<std::uint32_t>(log.entries_size());
      page_ = std::clamp<std::uint32_t>(fitted - fitted / 16, 1, page_);
      full_bytes_ = std::max(full_bytes_, r->ByteSizeLong());
    } else if (full_bytes_ > 0 && page_ < most_) {
      const std::size_t bytes = std::max<std::size_t>(r->ByteSizeLong(), 1);
      if (bytes * 8 < full_bytes_ * 7) {
        const auto fits =
            static_cast<std::uint64_t>(log.entries_size()) * (full_bytes_ * 15 / 16) / bytes;
        page_ = static_cast<std::uint32_t>(
            std::clamp<std::uint64_t>(fits, std::uint64_t{page_} + 1, most_));
      }
    }
    return r;
  }
}

}  // namespace hubtable::client
