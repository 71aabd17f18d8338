#pragma once
// Free text as the de-identification scanner reads it: Unicode NFKC, with
// format characters (zero-width spaces, joiners, soft hyphens, bidirectional
// marks) removed, every dash lumped to '-' and every space to ' '. A phone
// number pasted from a word processor with non-breaking spaces and
// en-dashes, full-width digits or a full-width '@' reads as its ASCII form.
// Each normalised byte remembers which original characters it came from, so
// a finding is reported at the offsets the writer sees. Pure; linear in the
// input.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hubtable::domain {

class ScanText {
 public:
  /// Normalises `original` (UTF-8; a byte that is not part of a valid
  /// sequence is kept as it is, in a segment of its own).
  explicit ScanText(std::string_view original);

  /// The normalised text.
  const std::string& text() const { return text_; }

  /// The original byte range [begin, end) that the normalised bytes
  /// [begin, end) came from, whole characters included. `end` > `begin`.
  std::pair<std::size_t, std::size_t> original_span(std::size_t begin, std::size_t end) const;

 private:
  // A run of original bytes normalised together: a starter and the
  // combining marks that follow it.
  struct Segment {
    std::size_t begin;
    std::size_t end;
  };
  std::string text_;
  std::vector<Segment> segments_;
  std::vector<std::uint32_t> segment_of_;  // for each byte of text_
};

}  // namespace hubtable::domain
