#include "cli/prompt.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

namespace hubtable::cli {

absl::StatusOr<crypto::SecretString> read_secret_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read " + file);
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return crypto::SecretString(std::move(line));
}

absl::StatusOr<crypto::SecretString> prompt_secret(const std::string& prompt) {
  const bool tty = ::isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    std::fprintf(stderr, "%s: ", prompt.c_str());
    std::fflush(stderr);
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fputc('\n', stderr);
  }
  if (!got) return absl::InvalidArgumentError("no input for: " + prompt);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return crypto::SecretString(std::move(line));
}

absl::StatusOr<crypto::SecretString> obtain_secret(const std::string& file,
                                                   const std::string& prompt) {
  if (!file.empty()) return read_secret_file(file);
  return prompt_secret(prompt);
}

}  // namespace hubtable::cli
