#include "lib/connection.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <optional>
#include <thread>

#include "lib/tls.h"
#include "wire/envelope_codec.h"
#include "wire/frame.h"
#include "wire/protocol.h"
#include "wire/text.h"

namespace hubtable::client {

namespace v1 = hubtable::v1;

Connection::Connection(std::unique_ptr<ssl::context> tls, Options options)
    : options_(std::move(options)), tls_(std::move(tls)), stream_(io_, *tls_) {}

Connection::~Connection() {
  error_code ignored;
  stream_.lowest_layer().close(ignored);
}

template <class Initiate>
error_code Connection::run(Initiate&& initiate) {
  error_code result = asio::error::would_block;
  initiate(result);
  io_.restart();
  io_.run_for(options_.timeout);
  if (!io_.stopped()) {
    // Deadline passed: abort the operation and let its handler run.
    error_code ignored;
    stream_.lowest_layer().close(ignored);
    io_.run();
    return asio::error::timed_out;
  }
  return result;
}

absl::Status Connection::transport_error(const error_code& ec, const std::string& what) const {
  if (ec == asio::error::timed_out) {
    return absl::DeadlineExceededError(what + " " + endpoint_text_ + ": no answer in time");
  }
  if (ec.category() == asio::error::get_ssl_category()) {
    const std::string reason = ec.message();
    std::string hint;
    if (reason.find("certificate verify failed") != std::string::npos) {
      hint =
          " (the server's certificate is not from this profile's CA, or the name does not "
          "match)";
    } else if (reason.find("alert") != std::string::npos) {
      hint = " (the server refused this device's certificate or protocol)";
    }
    return absl::FailedPreconditionError("TLS with " + endpoint_text_ + " failed: " + reason +
                                         hint);
  }
  if (ec == asio::error::eof || ec == ssl::error::stream_truncated) {
    return absl::UnavailableError("the server closed the connection during " + what);
  }
  return absl::UnavailableError(what + " " + endpoint_text_ + " failed: " + ec.message());
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::open(const Profile& profile,
                                                             Options options) {
  auto tls = make_client_tls_context(profile);
  if (!tls.ok()) return tls.status();
  std::unique_ptr<Connection> c(new Connection(std::move(*tls), std::move(options)));
  if (auto s = c->connect(profile); !s.ok()) return s;
  return c;
}

absl::Status Connection::connect(const Profile& profile) {
  endpoint_text_ = profile.server_host + ":" + profile.server_port;
  tcp::resolver resolver(io_);
  tcp::resolver::results_type endpoints;
  error_code ec = run([&](error_code& out) {
    resolver.async_resolve(profile.server_host, profile.server_port,
                           [&](const error_code& e, tcp::resolver::results_type r) {
                             out = e;
                             endpoints = std::move(r);
                           });
  });
  if (ec) return absl::UnavailableError("cannot resolve " + endpoint_text_ + ": " + ec.message());
  if (!options_.local_address.empty()) {
    auto local = asio::ip::make_address(options_.local_address, ec);
    if (ec) return absl::InvalidArgumentError("bad local address " + options_.local_address);
    auto& socket = stream_.lowest_layer();
    socket.open(local.is_v4() ? tcp::v4() : tcp::v6(), ec);
    if (!ec) socket.bind(tcp::endpoint(local, 0), ec);
    if (ec)
      return absl::UnavailableError("cannot bind " + options_.local_address + ": " + ec.message());
    ec = run([&](error_code& out) {
      socket.async_connect(*endpoints.begin(), [&](const error_code& e) { out = e; });
    });
  } else {
    ec = run([&](error_code& out) {
      asio::async_connect(stream_.lowest_layer(), endpoints,
                          [&](const error_code& e, const tcp::endpoint&) { out = e; });
    });
  }
  if (ec) {
    return absl::UnavailableError("cannot connect to " + endpoint_text_ + ": " + ec.message() +
                                  " (is hubtabled running there?)");
  }
  stream_.lowest_layer().set_option(tcp::no_delay(true), ec);
  // SNI (the SSL_set_tlsext_host_name macro expands to an old-style cast).
  SSL_ctrl(stream_.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           const_cast<char*>(profile.server_name.c_str()));
  ec = run([&](error_code& out) {
    stream_.async_handshake(ssl::stream_base::client, [&](const error_code& e) { out = e; });
  });
  if (ec) return transport_error(ec, "TLS handshake with");
  return absl::OkStatus();
}

absl::Status Connection::write_raw(std::string_view bytes) {
  error_code ec = run([&](error_code& out) {
    asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()),
                      [&](const error_code& e, std::size_t) { out = e; });
  });
  if (ec) return transport_error(ec, "sending to");
  return absl::OkStatus();
}

absl::StatusOr<v1::Envelope> Connection::read_envelope() {
  // The server's FrameDecoder, over whatever the socket gives. It keeps a
  // frame cut off by a timeout for the next call.
  while (true) {
    if (pending_.empty()) {
      std::size_t got = 0;
      pending_.resize(kReadChunkBytes);
      error_code ec = run([&](error_code& out) {
        stream_.async_read_some(asio::buffer(pending_.data(), pending_.size()),
                                [&](const error_code& e, std::size_t n) {
                                  out = e;
                                  got = n;
                                });
      });
      pending_.resize(got);
      if (ec) return transport_error(ec, "reading from");
    }
    const auto result = decoder_.feed(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(pending_.data()), pending_.size()));
    pending_.erase(0, result.consumed);
    if (result.status == wire::FrameDecoder::Status::kTooLarge) {
      return absl::DataLossError("the server sent a frame over the size limit");
    }
    if (result.status == wire::FrameDecoder::Status::kFrame) {
      return wire::parse_server_envelope(decoder_.take_frame());
    }
  }
}

namespace {

// The path of the first string field that is not UTF-8 (protobuf would send
// it anyway, and the server could not parse the frame), with the byte.
std::optional<std::string> invalid_utf8_field(const google::protobuf::Message& m,
                                              const std::string& prefix) {
  const auto* descriptor = m.GetDescriptor();
  const auto* reflection = m.GetReflection();
  using Field = google::protobuf::FieldDescriptor;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const Field* f = descriptor->field(i);
    const std::string name = prefix + f->name();
    const int n = f->is_repeated() ? reflection->FieldSize(m, f) : 1;
    for (int k = 0; k < n; ++k) {
      if (f->type() == Field::TYPE_STRING) {
        const std::string& value =
            f->is_repeated() ? reflection->GetRepeatedString(m, f, k) : reflection->GetString(m, f);
        if (auto at = wire::first_invalid_utf8(value)) {
          return name + " is not UTF-8 text (byte " + std::to_string(*at + 1) +
                 "): save it as UTF-8";
        }
      } else if (f->cpp_type() == Field::CPPTYPE_MESSAGE &&
                 (f->is_repeated() || reflection->HasField(m, f))) {
        const auto& sub = f->is_repeated() ? reflection->GetRepeatedMessage(m, f, k)
                                           : reflection->GetMessage(m, f);
        if (auto bad = invalid_utf8_field(sub, name + ".")) return bad;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::uint64_t> Connection::send(v1::Request request) {
  if (auto bad = invalid_utf8_field(request, "")) {
    // The command names the request; the field is what the person typed.
    return absl::InvalidArgumentError(bad->substr(bad->find('.') + 1));
  }
  v1::Envelope env;
  env.set_version(wire::kProtocolVersion);
  const std::uint64_t id = next_id_++;
  env.set_request_id(id);
  if (!token_.empty()) request.set_session_token(token_);
  *env.mutable_request() = std::move(request);
  const std::string payload = env.SerializeAsString();
  if (payload.size() > options_.max_frame_bytes) {
    return absl::InvalidArgumentError(
        "the request is " + std::to_string(payload.size()) + " bytes, over the limit of " +
        std::to_string(options_.max_frame_bytes) + " bytes a request may take: shorten it");
  }
  if (auto s = write_raw(wire::encode_frame(payload)); !s.ok()) return s;
  return id;
}

absl::StatusOr<v1::Response> Connection::wait(std::uint64_t request_id) {
  for (;;) {
    auto early = early_.find(request_id);
    if (early != early_.end()) {
      v1::Response r = std::move(early->second);
      early_.erase(early);
      return r;
    }
    auto env = read_envelope();
    if (!env.ok()) return env.status();
    if (env->body_case() == v1::Envelope::kEvent) {
      events_.push_back(env->event());
      continue;
    }
    if (env->body_case() != v1::Envelope::kResponse) continue;
    if (env->request_id() == request_id) return env->response();
    if (env->request_id() == 0) return env->response();  // connection-level error
    early_[env->request_id()] = env->response();
  }
}

absl::StatusOr<v1::Event> Connection::next_event() {
  for (;;) {
    if (!events_.empty()) {
      v1::Event e = std::move(events_.front());
      events_.pop_front();
      return e;
    }
    auto env = read_envelope();
    if (!env.ok()) return env.status();
    if (env->body_case() == v1::Envelope::kEvent) return env->event();
    if (env->body_case() == v1::Envelope::kResponse) early_[env->request_id()] = env->response();
  }
}

absl::StatusOr<v1::Response> Connection::call(const v1::Request& request) {
  const auto give_up = std::chrono::steady_clock::now() + options_.timeout;
  for (;;) {
    auto id = send(request);
    if (!id.ok()) return id.status();
    auto r = wait(*id);
    if (!r.ok() || !waited_out(*r, give_up)) return r;
  }
}

std::optional<std::chrono::milliseconds> retry_after(const v1::Response& response) {
  if (response.status().code() == v1::OK || response.status().retry_after_ms() == 0) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(response.status().retry_after_ms());
}

bool waited_out(const v1::Response& response, std::chrono::steady_clock::time_point give_up) {
  const auto wait = retry_after(response);
  if (!wait || std::chrono::steady_clock::now() + *wait > give_up) return false;
  std::this_thread::sleep_for(*wait);
  return true;
}

}  // namespace hubtable::client
