// Deadlines, connection caps and request rate limits.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "tests/integration/harness.h"
#include "wire/frame.h"

namespace hubtable::testing {
namespace {

namespace v1 = hubtable::v1;

int open_fds(pid_t pid) {
  int n = 0;
  for ([[maybe_unused]] const auto& e :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    ++n;
  }
  return n;
}

long rss_kib(pid_t pid) {
  const std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
  auto at = status.find("VmRSS:");
  return at == std::string::npos ? -1 : std::stol(status.substr(at + 6));
}

TEST(Limits, DribblingSenderIsClosedAtTheFrameDeadline) {
  RunningServer server;  // frame_timeout_ms = 1500, idle far longer
  server.start();
  auto conn = server.connect("rep.mh");
  // Declare a 100-byte frame, then send one byte every 250 ms: each byte
  // arrives well within the idle timeout, but the frame never completes.
  const auto first_byte = std::chrono::steady_clock::now();
  ASSERT_TRUE(conn->write_raw(std::string("\x00\x00\x00\x64", 4)).ok());
  bool closed = false;
  for (int i = 0; i < 40 && !closed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));  // the dribble rate itself
    closed = !conn->write_raw("x").ok();
  }
  const auto elapsed = std::chrono::steady_clock::now() - first_byte;
  EXPECT_TRUE(closed) << "a dribbling sender was never cut off";
  EXPECT_GE(elapsed, std::chrono::milliseconds(1500));
  EXPECT_LT(elapsed, std::chrono::milliseconds(6000));
  EXPECT_NE(server.log().find("frame deadline passed"), std::string::npos) << server.log();
  EXPECT_TRUE(server.serves("rep.mh"));
}

TEST(Limits, TwoThousandIdleConnectionsAreCappedAndOthersAreServed) {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_cur < 2200 && lim.rlim_max >= 2200) {
    lim.rlim_cur = std::min<rlim_t>(lim.rlim_max, 4096);
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  ASSERT_GE(lim.rlim_cur, 2200u) << "need 2200 descriptors for this test";

  RunningServer server;  // 150 connections in all, 100 per address
  server.start();
  const int fds_before = open_fds(server.pid());
  const long rss_before = rss_kib(server.pid());

  std::vector<int> sockets;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server.port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < 2000; ++i) {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(s, 0);
    if (::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(s);
      continue;
    }
    sockets.push_back(s);
  }
  EXPECT_GT(sockets.size(), 1000u);
  // Wait until the server has accepted and sorted every pending connection:
  // the refused ones read as closed.
  auto refused = [&] {
    int closed = 0;
    for (int s : sockets) {
      char b;
      if (::recv(s, &b, 1, MSG_DONTWAIT | MSG_PEEK) == 0) ++closed;
    }
    return closed;
  };
  EXPECT_TRUE(wait_until([&] { return refused() >= static_cast<int>(sockets.size()) - 100; },
                         std::chrono::seconds(30)))
      << "refused " << refused();
  const int fds_during = open_fds(server.pid());
  const long rss_during = rss_kib(server.pid());
  EXPECT_LE(fds_during - fds_before, 100 + 5) << "descriptors grew past the per-address cap";
  // Another client (another address) is still served while the flood is held open.
  EXPECT_TRUE(server.serves("rep.mh", "127.0.0.2")) << server.log();
  EXPECT_NE(server.log().find("connection limit reached"), std::string::npos);
  std::printf("server fds %d -> %d, RSS %ld -> %ld KiB with %zu idle connections\n", fds_before,
              fds_during, rss_before, rss_during, sockets.size());
  for (int s : sockets) ::close(s);
  EXPECT_TRUE(wait_until([&] { return open_fds(server.pid()) <= fds_before + 2; },
                         std::chrono::seconds(10)));
  EXPECT_TRUE(server.serves("rep.police"));
}

TEST(Limits, AFrameWaitingOnBusyWorkersIsNotCutOffByTheFrameDeadline) {
  // Two requests in flight at most, one worker: reading pauses while the
  // worker hashes passwords (argon2id, slow on purpose: longer than the
  // 200 ms frame deadline here). That deadline is the client's: it must not
  // run against the server's own wait.
  std::string limits = kTestLimits;
  limits.replace(limits.find("frame_timeout_ms = 1500"), 23, "frame_timeout_ms = 200");
  RunningServer server(limits + "max_in_flight = 2\nworker_threads = 1\n");
  server.start();
  auto conn = server.connect("rep.police");
  conn->set_timeout(std::chrono::seconds(120));
  // Logins that fail, each frame 20 KiB (an unknown field pads
  // it), so frames span the server's reads.
  std::string frames;
  for (int i = 1; i <= 6; ++i) {
    v1::Envelope env;
    env.set_version(1);
    env.set_request_id(static_cast<std::uint64_t>(i));
    // Unknown accounts: a password hash each, and no account to throttle.
    env.mutable_request()->mutable_login()->set_username("nobody." + std::to_string(i));
    env.mutable_request()->mutable_login()->set_password("not-the-password-" + std::to_string(i));
    std::string bytes = env.SerializeAsString();
    bytes += '\xfa';  // field 999, length-delimited: an unknown field, kept and ignored
    bytes += '\x3e';
    bytes += "\x80\xa0\x01";  // 20480 bytes
    bytes += std::string(20480, 'x');
    frames += wire::encode_frame(bytes);
  }
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(conn->write_raw(frames).ok());
  for (int i = 1; i <= 6; ++i) {
    auto r = conn->wait(static_cast<std::uint64_t>(i));
    ASSERT_TRUE(r.ok()) << "request " << i << ": " << r.status() << "\n" << server.log();
    EXPECT_EQ(r->status().code(), v1::UNAUTHENTICATED) << r->status().message();
  }
  const auto took = std::chrono::steady_clock::now() - start;
  std::printf("six slow logins took %.1f s\n", std::chrono::duration<double>(took).count());
  EXPECT_EQ(server.log().find("frame deadline passed"), std::string::npos) << server.log();
}

TEST(Limits, RequestFloodGetsResourceExhaustedAndEveryRequestAnAnswer) {
  RunningServer server(std::string(kTestLimits) + "requests_per_second = 5\nrequest_burst = 10\n");
  server.start();
  auto conn = server.connect("rep.police");
  ASSERT_EQ(server.login(*conn, "rep.police").status().code(), v1::OK);
  std::vector<std::uint64_t> ids;
  v1::Request who;
  who.mutable_whoami();
  ids.reserve(40);
  for (int i = 0; i < 40; ++i) ids.push_back(*conn->send(who));
  int ok = 0;
  int limited = 0;
  for (auto id : ids) {
    auto r = conn->wait(id);
    ASSERT_TRUE(r.ok()) << r.status();
    if (r->status().code() == v1::OK) ++ok;
    if (r->status().rule() == "limits.request_rate") {
      EXPECT_EQ(r->status().code(), v1::RESOURCE_EXHAUSTED);
      ++limited;
    }
  }
  EXPECT_EQ(ok + limited, 40);
  EXPECT_GT(limited, 0);
  EXPECT_GE(ok, 9);
}

// A refusal for the request rate did nothing and says when to come back;
// call() waits it out and sends the request again, within its timeout.
TEST(Limits, ARateRefusalSaysWhenToComeBackAndACallWaitsItOut) {
  RunningServer server(std::string(kTestLimits) + "requests_per_second = 2\nrequest_burst = 3\n");
  server.start();
  auto conn = server.connect("rep.police");
  ASSERT_EQ(server.login(*conn, "rep.police").status().code(), v1::OK);
  v1::Request who;
  who.mutable_whoami();

  // Sent back to back, more than the bucket holds: the refusals name a wait
  // of at most half a second (two requests a second).
  std::vector<std::uint64_t> ids;
  ids.reserve(6);
  for (int i = 0; i < 6; ++i) ids.push_back(*conn->send(who));
  int limited = 0;
  for (auto id : ids) {
    auto r = conn->wait(id);
    ASSERT_TRUE(r.ok()) << r.status();
    if (r->status().rule() != "limits.request_rate") continue;
    ++limited;
    EXPECT_EQ(r->status().code(), v1::RESOURCE_EXHAUSTED);
    EXPECT_GE(r->status().retry_after_ms(), 1u);
    EXPECT_LE(r->status().retry_after_ms(), 500u);
    EXPECT_EQ(client::retry_after(*r), std::chrono::milliseconds(r->status().retry_after_ms()));
  }
  EXPECT_GE(limited, 3);

  // One call after another, faster than the rate: every one answered OK.
  for (int i = 0; i < 4; ++i) {
    auto r = conn->call(who);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status().code(), v1::OK) << r->status().message();
  }
  // A wait longer than the call may take: the refusal comes back as it is.
  conn->set_timeout(std::chrono::milliseconds(100));
  (void)conn->send(who);  // takes the token the last call left, if any
  auto r = conn->call(who);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status().rule(), "limits.request_rate");
  EXPECT_GT(r->status().retry_after_ms(), 100u);
}

}  // namespace
}  // namespace hubtable::testing
