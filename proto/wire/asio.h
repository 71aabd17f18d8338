#pragma once
// The one place Asio is included, for server and client alike. GCC 12 with
// Boost 1.74: awaitable.hpp uses std::exchange without including <utility>,
// so <utility> must come first.

#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

namespace hubtable {
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;
}  // namespace hubtable
