#pragma once
// Fault injection for the crash tests (tests/integration/rekey_test.cpp,
// tests/crash/): a process started with HUBTABLE_CRASH_AT=<point> dies at
// that point, by SIGKILL, as kill -9 or a power cut would end it. Costs one
// comparison when unset (the variable is read once).

namespace hubtable::config {

void crash_point(const char* point);

}  // namespace hubtable::config
