# Generates a C++ source holding server/domain/data/first_names.txt as one
# string. Invoked at build time: cmake -DIN=... -DOUT=... -P embed_names.cmake
file(READ ${IN} names)
file(WRITE ${OUT}.tmp "// Generated from data/first_names.txt by embed_names.cmake. Do not edit.
#include \"domain/first_names.h\"

namespace hubtable::domain {

std::string_view first_names_text() {
  static constexpr std::string_view kText = R\"hubtable_names(${names})hubtable_names\";
  return kText;
}

}  // namespace hubtable::domain
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
