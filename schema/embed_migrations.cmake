# Generates a C++ source holding every schema/NNNN_name.sql file as a string.
# Invoked at build time: cmake -DOUT=... -DSOURCES="a;b" -P embed_migrations.cmake
set(body "")
foreach(src IN LISTS SOURCES)
  get_filename_component(name ${src} NAME_WE)
  string(REGEX MATCH "^([0-9]+)_" _ ${name})
  set(version ${CMAKE_MATCH_1})
  string(REGEX REPLACE "^0+" "" version "${version}")
  file(READ ${src} sql)
  string(APPEND body "    {${version}, \"${name}\", R\"hubtable_sql(${sql})hubtable_sql\"},\n")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from schema/*.sql by embed_migrations.cmake. Do not edit.
#include \"schema/migrations.h\"

namespace hubtable::schema {

std::span<const Migration> migrations() {
  static const Migration kMigrations[] = {
${body}  };
  return kMigrations;
}

}  // namespace hubtable::schema
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
