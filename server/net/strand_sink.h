#pragma once
// Where a connection's pushed events go: posted onto its strand, the
// connection held weakly (a closed one takes nothing).

#include <functional>
#include <memory>
#include <utility>

#include "api/request_sink.h"
#include "wire/asio.h"

namespace hubtable::net {

class StrandSink final : public api::EventSink {
 public:
  /// `handler` runs on `executor` while `owner` lives.
  template <typename Owner>
  StrandSink(const std::shared_ptr<Owner>& owner, asio::any_io_executor executor,
             void (Owner::*handler)(const hubtable::v1::Event&))
      : alive_(owner) {
    std::weak_ptr<Owner> weak = owner;
    post_ = [weak, executor, handler](const hubtable::v1::Event& e) {
      asio::post(executor, [weak, handler, e] {
        if (auto self = weak.lock()) ((*self).*handler)(e);
      });
    };
  }

  bool deliver(const hubtable::v1::Event& event) override {
    if (alive_.expired()) return false;
    post_(event);
    return true;
  }

 private:
  std::weak_ptr<void> alive_;
  std::function<void(const hubtable::v1::Event&)> post_;
};

}  // namespace hubtable::net
