#pragma once
// Free text as the de-identification scanner reads it: Unicode NFKC, with
// format characters (zero-width spaces, joiners, soft hyphens, bidirectional
// marks) removed, every dash lumped to '-' and every space to ' '. A phone
// number pasted from a word processor with non-breaking spaces and
// en-dashes, full-width digits or a full-width '@' reads as its ASCII form.
// Each normalised byte remembers which original characters it came from, so
// a finding is reported at the offsets the writer sees. Pure; linear in the
// input, and the memory beyond the normalised copy is one entry per
// character that normalisation changed (ASCII maps to itself).

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hubtable::domain {

class ScanText {
 public:
  /// Normalises `original` (UTF-8; a byte that is not part of a valid
  /// sequence is kept as it is).
  explicit ScanText(std::string_view original);

  /// The normalised text.
  const std::string& text() const { return text_; }

  /// The original byte range [begin, end) that the normalised bytes
  /// [begin, end) came from, whole characters included. `end` > `begin`.
  std::pair<std::size_t, std::size_t> original_span(std::size_t begin, std::size_t end) const;

 private:
  // A run of original bytes normalised together (a starter and the marks
  // that follow it) whose normal form is not the same bytes. Between two
  // such runs, normalised and original bytes correspond one to one.
  struct Changed {
    std::size_t text_begin, text_end;          // in text_
    std::size_t original_begin, original_end;  // in the original
  };
  /// The original bytes normalised byte `at` came from: itself, or the
  /// whole changed run that holds it.
  struct Origin {
    std::size_t begin, end;
  };
  Origin origin_of(std::size_t at) const;

  std::string text_;
  std::vector<Changed> changed_;  // by position
};

}  // namespace hubtable::domain
