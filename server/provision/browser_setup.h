#pragma once
// What a person needs to use hubtable in a browser: a one-page guide beside
// their profile that says how to import client.p12 in Chrome, Edge and
// Firefox and which address to open, with the authenticator enrolment as a
// QR code drawn locally (libqrencode; nothing is fetched).

#include <string>

#include "absl/status/statusor.h"
#include "provision/profile_writer.h"

namespace hubtable::provision {

/// `text` as a QR code (error correction M), an inline SVG of black modules.
absl::StatusOr<std::string> qr_svg(const std::string& text);

/// The page, for the profile `p` (its address, username and authenticator).
absl::StatusOr<std::string> browser_setup_html(const ProfileContents& p);

}  // namespace hubtable::provision
