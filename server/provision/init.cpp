// `hubtabled init`: keys, PKI, config, database and the first administrator.

#include "audit/audit_writer.h"
#include "config/key_file.h"
#include "config/private_files.h"
#include "crypto/checkpoint.h"
#include "crypto/hkdf.h"
#include "crypto/pki.h"
#include "provision/provisioner.h"
#include "store/directory.h"
#include "store/transaction.h"

namespace hubtable::provision {

namespace fs = std::filesystem;

namespace {
constexpr int kCaDays = 3650;
constexpr int kServerCertificateDays = 825;

bool is_ip_literal(const std::string& host) {
  return host.find_first_not_of("0123456789.") == std::string::npos ||
         host.find(':') != std::string::npos;
}
}  // namespace

// The steps of `hubtabled init`, in order, each checked before the next:
// long because splitting it would pass the half-made deployment (keys,
// certificates, paths) between a dozen helpers, and the order is the point.
absl::Status init_deployment(const InitOptions& o, const domain::Clock& clock,
                             crypto::RandomSource& random) {
  const fs::path config_path = o.dir / "hubtabled.toml";
  std::error_code ec;
  if (fs::exists(config_path, ec) || fs::exists(o.dir / "keys", ec)) {
    return absl::AlreadyExistsError(o.dir.string() + " already holds a deployment");
  }
  for (const char* sub : {"", "keys", "pki", "data", "profiles"}) {
    if (auto s = config::make_private_dir(o.dir / sub); !s.ok()) return s;
  }

  // Keys: the master key (raw 32 bytes) and the audit signing key (Ed25519).
  crypto::SecretBytes master(32);
  random.fill({master.data(), master.size()});
  if (auto s = config::write_secret_file(o.dir / "keys/master.key", master.view()); !s.ok()) {
    return s;
  }
  auto signing = crypto::generate_ed25519_key_pem();
  if (!signing.ok()) return signing.status();
  if (auto s =
          config::write_secret_file(o.dir / "keys/audit-signing.key", crypto::as_bytes(*signing));
      !s.ok()) {
    return s;
  }
  // Its public half, to hand to privacy officers (it is also in every profile).
  auto signer = crypto::CheckpointSigner::from_private_pem(*signing);
  if (!signer.ok()) return signer.status();
  if (auto s = config::write_private_file(o.dir / "keys/audit-signing.pub", signer->public_pem());
      !s.ok()) {
    return s;
  }

  // PKI: the deployment CA and the server certificate.
  crypto::Bytes id_bytes(8);
  random.fill(id_bytes);
  const std::string deployment_id = crypto::to_hex(id_bytes);
  auto ca_key = crypto::generate_p256_key_pem();
  if (!ca_key.ok()) return ca_key.status();
  crypto::CertificateSpec ca_spec;
  ca_spec.common_name = "hubtable deployment CA " + deployment_id;
  ca_spec.validity_days = kCaDays;
  auto ca_cert = crypto::create_ca_certificate(*ca_key, ca_spec);
  if (!ca_cert.ok()) return ca_cert.status();
  auto server_key = crypto::generate_p256_key_pem();
  if (!server_key.ok()) return server_key.status();
  crypto::CertificateSpec server_spec;
  server_spec.common_name = o.server_name;
  server_spec.usage = crypto::CertificateUsage::kServer;
  server_spec.validity_days = kServerCertificateDays;
  server_spec.dns_names = {o.server_name};
  if (o.server_name != "localhost") server_spec.dns_names.push_back("localhost");
  server_spec.ip_addresses = {"127.0.0.1", "::1"};
  if (is_ip_literal(o.listen_host) && o.listen_host != "0.0.0.0" && o.listen_host != "::" &&
      o.listen_host != "127.0.0.1" && o.listen_host != "::1") {
    server_spec.ip_addresses.push_back(o.listen_host);
  }
  auto server_cert = crypto::issue_certificate(*ca_cert, *ca_key, *server_key, server_spec);
  if (!server_cert.ok()) return server_cert.status();
  for (auto s : {
           config::write_secret_file(o.dir / "pki/ca.key", crypto::as_bytes(*ca_key)),
           config::write_private_file(o.dir / "pki/ca.crt", *ca_cert),
           config::write_secret_file(o.dir / "pki/server.key", crypto::as_bytes(*server_key)),
           config::write_private_file(o.dir / "pki/server.crt", *server_cert),
       }) {
    if (!s.ok()) return s;
  }

  // The database, stamped with the deployment id.
  auto db_key = crypto::derive_subkey(master, crypto::kDatabaseKeyLabel);
  if (!db_key.ok()) return db_key.status();
  auto keystore_key = crypto::derive_subkey(master, crypto::kKeyStoreLabel);
  if (!keystore_key.ok()) return keystore_key.status();
  {
    const store::KeyStoreFile keystore{(o.dir / "data/vault-keys.db").string(), &*keystore_key};
    auto db = store::Database::open((o.dir / "data/hubtable.db").string(), *db_key, 1,
                                    store::OpenMode::kCreate, &keystore);
    if (!db.ok()) return db.status();
    auto s = (*db)->write([&](store::Connection& c) -> absl::Status {
      store::Transaction tx(c, store::Transaction::Kind::kWrite);
      if (!tx.status().ok()) return tx.status();
      if (auto st = store::set_meta(c, "deployment_id", deployment_id); !st.ok()) return st;
      hubtable::v1::AuditEvent e;
      e.set_time_us(clock.now_us());
      e.set_action("admin.deployment_created");
      e.set_outcome(hubtable::v1::AUDIT_OK);
      e.set_rule("admin.init");
      e.set_status_code("OK");
      e.set_target(deployment_id);
      e.mutable_actor()->set_username("(hubtabled)");
      e.mutable_actor()->set_remote_address("local");
      auto seq = audit::append(c, std::move(e));
      if (!seq.ok()) return seq.status();
      return tx.commit();
    });
    if (!s.ok()) return s;
  }
  if (auto s = config::write_private_file(
          config_path,
          config::render_server_config(deployment_id, o.listen_host, o.listen_port, o.server_name));
      !s.ok()) {
    return s;
  }

  // The first administrator, with a profile under profiles/admin.
  auto deployment = open_deployment(config_path);
  if (!deployment.ok()) return deployment.status();
  ApplyFile admin;
  store::UserRow u;
  u.username = "admin";
  u.display_name = "Deployment administrator";
  u.totp_required = true;
  u.roles = {{"ADMIN", ""}};
  admin.users.push_back(u);
  auto report = apply(*deployment, admin, o.dir / "profiles", clock, random);
  if (!report.ok()) return report.status();
  return checkpoint_on_exit(*deployment, clock);
}

}  // namespace hubtable::provision
