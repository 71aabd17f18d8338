#pragma once
// What the network layer needs of the request service, and all it sees of
// it: somewhere to queue a request and somewhere to count the frames it
// refused before any request was made of them. api::Service implements it.

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "api/request_context.h"
#include "hubtable/v1/envelope.pb.h"

namespace hubtable::api {

/// Where a connection's live events go (after a WatchRequest). Implemented
/// by a connection; called from worker threads; must not block.
class EventSink {
 public:
  virtual ~EventSink() = default;
  /// Whether the event went to a live connection.
  virtual bool deliver(const hubtable::v1::Event& event) = 0;

 protected:
  EventSink() = default;
  EventSink(const EventSink&) = default;
  EventSink& operator=(const EventSink&) = default;
};

class RequestSink {
 public:
  using Done = std::function<void(hubtable::v1::Envelope)>;

  virtual ~RequestSink() = default;

  /// Queues `request`; `done` is called exactly once with the response
  /// envelope. Returns false when the request was refused instead (`done`
  /// has then been called, on this thread, with RESOURCE_EXHAUSTED).
  virtual bool submit(RequestContext ctx, hubtable::v1::Request request, Done done) = 0;

  /// Records the frames a connection sent that were refused before
  /// dispatch, one count per rule. Never blocks.
  virtual void record_rejected_frames(const RequestContext& ctx,
                                      const std::map<std::string, std::uint64_t>& counts) = 0;

 protected:
  RequestSink() = default;
  RequestSink(const RequestSink&) = default;
  RequestSink& operator=(const RequestSink&) = default;
};

}  // namespace hubtable::api
