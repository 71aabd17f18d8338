#pragma once
// The whole audit log, page by page, as `hubtable audit verify` walks it:
// the next pages are asked for ahead, so that the server reads one while the
// client checks another, and the pages are handed back strictly in sequence
// order, without gap or overlap, whatever the server cut short.

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>

#include "absl/status/statusor.h"
#include "hubtable/v1/envelope.pb.h"
#include "lib/connection.h"

namespace hubtable::client {

class LogPages {
 public:
  /// Events asked for at a time: the most the server gives in one answer.
  static constexpr std::uint32_t kPage = 5000;
  /// Pages asked for and not yet handed back.
  static constexpr std::size_t kAhead = 2;

  /// The log as `table`'s privacy officer is sent it, on `conn` (logged in).
  LogPages(Connection& conn, std::string table, std::uint32_t page = kPage)
      : conn_(conn), table_(std::move(table)), most_(page), page_(page) {}

  /// The next page, whose entries follow the last page's. A transport
  /// failure is an error; a refusal is handed back as it is (a status that
  /// is not OK), except one that names a wait (the request rate), which is
  /// waited out and asked again while the connection's timeout allows.
  /// After the page that says it is the last: FAILED_PRECONDITION.
  absl::StatusOr<hubtable::v1::Response> next();

 private:
  // A page asked for: the events after `after`, through `through`.
  struct Asked {
    std::uint64_t after = 0;
    std::uint64_t through = 0;
    std::uint64_t id = 0;
  };
  absl::StatusOr<Asked> ask(std::uint64_t after, std::uint64_t through);

  Connection& conn_;
  std::string table_;
  std::uint32_t most_;          // events asked for at a time, at most
  std::uint32_t page_;          // events asked for at a time, now
  std::size_t full_bytes_ = 0;  // the largest answer the server cut short
  std::deque<Asked> asked_;     // in the order they are handed back
  std::uint64_t ahead_ = 0;     // where the next page asked for ahead begins
  bool ended_ = false;
};

}  // namespace hubtable::client
