#include "provision/browser_setup.h"

#include <fmt/format.h>
#include <qrencode.h>

#include <iterator>
#include <memory>

#include "wire/text.h"

namespace hubtable::provision {

namespace {

struct QrFree {
  void operator()(QRcode* q) const { QRcode_free(q); }
};

// A quiet zone of four modules around the code, as scanners expect.
constexpr int kQuiet = 4;

}  // namespace

absl::StatusOr<std::string> qr_svg(const std::string& text) {
  std::unique_ptr<QRcode, QrFree> code(
      QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (!code) return absl::InternalError("cannot draw the QR code");
  const int width = code->width;
  const int size = width + 2 * kQuiet;
  std::string path;
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      // Bit 0 of each module is its colour (1: dark).
      if ((code->data[y * width + x] & 1) != 0) {
        // fmt, not "M" + std::to_string(...): GCC 12 at -O3 warns falsely
        // (-Wrestrict) on that operator+ and fails the release build.
        fmt::format_to(std::back_inserter(path), "M{} {}h1v1h-1z", x + kQuiet, y + kQuiet);
      }
    }
  }
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {0}\" width=\"264\" "
      "height=\"264\" role=\"img\" aria-label=\"Authenticator enrolment QR code\" "
      "shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
      "<path fill=\"#000\" d=\"{1}\"/></svg>",
      size, path);
}

absl::StatusOr<std::string> browser_setup_html(const ProfileContents& p) {
  const std::string address = "https://" + p.server_address + "/";
  std::string authenticator;
  if (!p.totp_uri.empty()) {
    auto svg = qr_svg(p.totp_uri);
    if (!svg.ok()) return svg.status();
    authenticator =
        "<h2>3. Your authenticator</h2>\n<p>Scan this code with your authenticator app "
        "(FreeOTP, Google Authenticator, Microsoft Authenticator, 1Password...). It asks "
        "for a six-digit code at each login. Keep this page private, as you would a "
        "password.</p>\n" +
        *svg + "\n";
  }
  return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<title>hubtable in your browser: " +
         wire::html_escape(p.username) +
         "</title>\n<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem "
         "auto;padding:0 1rem;line-height:1.5}code{background:#eee;padding:0 .2rem}"
         "</style>\n</head>\n<body>\n<h1>hubtable in your browser</h1>\n<p>For <strong>" +
         wire::html_escape(p.username) +
         "</strong>. Your device certificate is <code>client.p12</code>, beside this page; "
         "its import passphrase is in <code>client.p12-passphrase</code>. Both are yours "
         "alone: the server refuses a browser without this certificate.</p>\n"
         "<h2>1. Import the certificate</h2>\n<ul>\n"
         "<li><strong>Chrome or Edge</strong> (Windows, macOS): Settings, Privacy and "
         "security, Security, Manage certificates; Import (Windows: Personal store) and "
         "choose <code>client.p12</code>, then type the passphrase. On Linux, Chrome: "
         "Settings, Privacy and security, Security, Manage certificates, Your "
         "certificates, Import.</li>\n"
         "<li><strong>Firefox</strong>: Settings, Privacy &amp; Security, Certificates, "
         "View Certificates, Your Certificates, Import; choose <code>client.p12</code> and "
         "type the passphrase. Then, under Authorities, import <code>ca.crt</code> and "
         "trust it to identify websites.</li>\n"
         "<li>Chrome and Edge trust the deployment's authority once <code>ca.crt</code> is "
         "imported as a trusted root (Authorities tab), or once your administrator has "
         "installed it.</li>\n</ul>\n"
         "<h2>2. Open hubtable</h2>\n<p>Open <a href=\"" +
         wire::html_escape(address) + "\">" + wire::html_escape(address) +
         "</a>. When the browser asks which certificate to present, choose the one for " +
         wire::html_escape(p.username) +
         ". Log in with your user name and the one-time password in "
         "<code>one-time-password</code>; you choose your own password at the first "
         "login.</p>\n" +
         authenticator + "</body>\n</html>\n";
}

}  // namespace hubtable::provision
