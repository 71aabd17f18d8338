// Fuzz target: any Request, from an authenticated principal, through the
// request service in-process, over a real deployment (real SQLCipher files,
// under /dev/shm when there is one): what a connection hands the service
// once a frame has parsed. The first byte picks who sends it (a rep, another
// agency's rep, the chair, the privacy officer, a guest) and whether the
// fuzzer's own session token stays; the rest is the Request's bytes.
//
// A finding is a crash, a sanitizer report, or an answer with INTERNAL: the
// service must say what was wrong with a request, not fail on it. The world
// is made again every 20,000 inputs (the database grows with the audit log)
// and whenever its sessions cannot be restored.

#include <cstdlib>
#include <memory>
#include <string>

#include "api/service.h"
#include "crypto/pki.h"
#include "provision/provisioner.h"
#include "tests/fuzz/quiet_protobuf.h"
#include "tests/support/deployment.h"

namespace {

namespace v1 = hubtable::v1;
using hubtable::testing::TestDeployment;

constexpr const char* kPassword = "a-long-enough-new-password";
constexpr const char* kUsers[] = {"rep.police", "rep.mh", "chair.one", "po.one", "guest.one"};
constexpr int kInputsPerWorld = 20'000;

class World {
 public:
  World()
      : d_(open()),
        clock_(hubtable::domain::SystemClock().now_us()),
        service_(*d_.db, clock_, hubtable::crypto::system_random(), d_.totp_sealer, d_.vault,
                 d_.checkpointer, d_.config.limits) {
    for (const char* user : kUsers) {
      thumbprints_[user] = *hubtable::crypto::certificate_thumbprint_pem(
          hubtable::testing::read_file(dep_.profile(user) / "client.crt"));
      if (!login(user, dep_.one_time_password(user), kPassword)) std::abort();
    }
    // Something to act on: a situation on the table's agenda.
    v1::Request open;
    open.mutable_open_meeting()->set_unscheduled(true);
    (void)call("chair.one", open);
  }

  // Logs `user` in (again); false when the account no longer lets it.
  bool login(const std::string& user, const std::string& password,
             const std::string& new_password = "") {
    clock_.advance_us(31'000'000);  // a fresh authenticator step
    v1::Request r;
    auto* l = r.mutable_login();
    l->set_username(user);
    l->set_password(password);
    l->set_new_password(new_password);
    if (std::filesystem::exists(dep_.profile(user) / "totp-uri")) {
      l->set_totp_code(dep_.totp(user, clock_.now_us() / 1'000'000));
    }
    auto answer = handle(user, r);
    if (answer.status().code() != v1::OK) return false;
    tokens_[user] = answer.login().session_token();
    return true;
  }

  v1::Response call(const std::string& user, v1::Request r) {
    r.set_session_token(tokens_[user]);
    return handle(user, r);
  }

  v1::Response handle(const std::string& user, const v1::Request& r) {
    clock_.advance_us(1'000'000);
    hubtable::api::RequestContext ctx{"192.0.2.10", thumbprints_[user], ++request_id_, {}};
    return service_.handle(ctx, r);
  }

  int inputs = 0;

 private:
  hubtable::provision::Deployment open() {
    auto d = hubtable::provision::open_deployment(dep_.config_path());
    if (!d.ok()) std::abort();
    return std::move(*d);
  }

  TestDeployment dep_;
  hubtable::provision::Deployment d_;
  hubtable::domain::ManualClock clock_;
  hubtable::api::Service service_;
  std::map<std::string, std::string> tokens_, thumbprints_;
  std::uint64_t request_id_ = 0;
};

std::unique_ptr<World>& world() {
  static std::unique_ptr<World> w;
  return w;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  if (std::filesystem::is_directory("/dev/shm")) {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): before any thread starts.
    ::setenv("TMPDIR", "/dev/shm", 1);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hubtable::fuzz::quiet_protobuf();
  if (size == 0) return 0;
  auto& w = world();
  if (!w || w->inputs >= kInputsPerWorld) {
    w.reset();
    w = std::make_unique<World>();
  }
  ++w->inputs;
  const std::string user = kUsers[data[0] % std::size(kUsers)];
  const bool own_token = (data[0] & 0x80) != 0;
  v1::Request request;
  if (!request.ParseFromArray(data + 1, static_cast<int>(size - 1))) return 0;
  v1::Response answer = own_token ? w->handle(user, request) : w->call(user, request);
  if (answer.status().code() == v1::INTERNAL) __builtin_trap();
  if (!own_token && answer.status().code() == v1::UNAUTHENTICATED && !w->login(user, kPassword)) {
    w.reset();  // a session ended, an account locked: the next input gets a new world
  }
  return 0;
}
