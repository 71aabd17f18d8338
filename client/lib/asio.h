#pragma once
// The client's Asio include. <utility> first: see DESIGN.md, Debian 12 facts.

#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

namespace hubtable::client {
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;
}  // namespace hubtable::client
