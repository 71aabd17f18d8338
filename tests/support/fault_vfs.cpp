#include "tests/support/fault_vfs.h"

#include <fcntl.h>
#include <sqlcipher/sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hubtable::testing {

namespace {

sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs{};

// What a file held before the writes since its last sync.
struct Undo {
  sqlite3_int64 offset;
  std::string bytes;
};
struct Unsynced {
  sqlite3_int64 synced_size = 0;
  std::vector<Undo> undo;  // oldest first
};

struct Faults {
  std::mutex mutex;
  bool disk_full = false;
  // The armed fault: op, the count at which it fires, its code, persistence.
  std::optional<FaultVfs::Op> op;
  int nth = 0;
  int error = SQLITE_IOERR;
  bool persist = false;
  int power_cut_at = 0;  // 0: none
  bool power_off = false;
  int fired = 0;
  std::array<int, 3> counts{};
  std::map<std::string, Unsynced> unsynced;  // by path
  // Files deleted without syncing their directory: a power loss may bring
  // them back (a rollback journal whose deletion committed a transaction).
  std::map<std::string, std::string> deleted;  // path -> what it held
};

Faults& faults() {
  static Faults f;
  return f;
}

struct File {
  sqlite3_file base;
  const char* path;    // null for SQLite's nameless temp files
  sqlite3_file* real;  // follows this struct in the same allocation
};

File* file(sqlite3_file* f) { return reinterpret_cast<File*>(f); }  // NOLINT
sqlite3_file* real(sqlite3_file* f) { return file(f)->real; }

// Counts `op`; true when the armed fault (or the power being off) fails it.
// `code` is what the caller returns then. Called with the mutex held.
bool fails(Faults& s, FaultVfs::Op op, int& code) {
  const int n = ++s.counts[static_cast<int>(op)];
  if (s.power_off) {
    code = op == FaultVfs::Op::kOpen ? SQLITE_CANTOPEN : SQLITE_IOERR;
    return true;
  }
  if (op == FaultVfs::Op::kSync && s.power_cut_at != 0 && n == s.power_cut_at) {
    s.power_off = true;
    ++s.fired;
    code = SQLITE_IOERR_FSYNC;
    return true;
  }
  if (s.op == op && (n == s.nth || (s.persist && n > s.nth))) {
    ++s.fired;
    code = s.error;
    return true;
  }
  return false;
}

// Remembers what [offset, offset + n) held, for a power loss to put back.
void remember(Faults& s, sqlite3_file* f, sqlite3_int64 offset, sqlite3_int64 n) {
  const char* path = file(f)->path;
  if (path == nullptr || n <= 0) return;
  auto [it, fresh] = s.unsynced.try_emplace(path);
  if (fresh) real(f)->pMethods->xFileSize(real(f), &it->second.synced_size);
  std::string old(static_cast<std::size_t>(n), '\0');
  // Past the end of the file reads as zeros (SQLITE_IOERR_SHORT_READ).
  real(f)->pMethods->xRead(real(f), old.data(), static_cast<int>(n), offset);
  it->second.undo.push_back({offset, std::move(old)});
}

int x_close(sqlite3_file* f) { return real(f)->pMethods->xClose(real(f)); }
int x_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return real(f)->pMethods->xRead(real(f), buf, n, off);
}
int x_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  Faults& s = faults();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.disk_full) return SQLITE_FULL;
  if (int code = 0; fails(s, FaultVfs::Op::kWrite, code)) return code;
  remember(s, f, off, n);
  return real(f)->pMethods->xWrite(real(f), buf, n, off);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  Faults& s = faults();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.power_off) return SQLITE_IOERR_TRUNCATE;
  sqlite3_int64 now = 0;
  if (real(f)->pMethods->xFileSize(real(f), &now) == SQLITE_OK && now > size) {
    remember(s, f, size, now - size);
  }
  return real(f)->pMethods->xTruncate(real(f), size);
}
int x_sync(sqlite3_file* f, int flags) {
  Faults& s = faults();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (int code = 0; fails(s, FaultVfs::Op::kSync, code)) return code;
  const int rc = real(f)->pMethods->xSync(real(f), flags);
  if (rc == SQLITE_OK && file(f)->path != nullptr) s.unsynced.erase(file(f)->path);
  return rc;
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return real(f)->pMethods->xFileSize(real(f), size);
}
int x_lock(sqlite3_file* f, int level) { return real(f)->pMethods->xLock(real(f), level); }
int x_unlock(sqlite3_file* f, int level) { return real(f)->pMethods->xUnlock(real(f), level); }
int x_check_reserved_lock(sqlite3_file* f, int* out) {
  return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int x_sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int x_device_characteristics(sqlite3_file* f) {
  return real(f)->pMethods->xDeviceCharacteristics(real(f));
}
int x_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), region, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int x_shm_unmap(sqlite3_file* f, int del) { return real(f)->pMethods->xShmUnmap(real(f), del); }
int x_fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return real(f)->pMethods->xFetch(real(f), off, n, out);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return real(f)->pMethods->xUnfetch(real(f), off, p);
}

const sqlite3_io_methods kMethods = {
    3,
    x_close,
    x_read,
    x_write,
    x_truncate,
    x_sync,
    x_file_size,
    x_lock,
    x_unlock,
    x_check_reserved_lock,
    x_file_control,
    x_sector_size,
    x_device_characteristics,
    x_shm_map,
    x_shm_lock,
    x_shm_barrier,
    x_shm_unmap,
    x_fetch,
    x_unfetch,
};

int x_open(sqlite3_vfs* /*vfs*/, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  File* own = file(f);
  own->base.pMethods = nullptr;                          // a failed open is not closed through us
  own->path = name;                                      // SQLite keeps it valid until xClose
  own->real = reinterpret_cast<sqlite3_file*>(own + 1);  // NOLINT
  {
    Faults& s = faults();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (int code = 0; fails(s, FaultVfs::Op::kOpen, code)) return code;
  }
  if (name != nullptr) {
    // A file made again where one was deleted: the deletion no longer matters.
    std::lock_guard<std::mutex> lock(faults().mutex);
    faults().deleted.erase(name);
  }
  const int rc = g_real->xOpen(g_real, name, own->real, flags, out_flags);
  if (rc == SQLITE_OK && own->real->pMethods != nullptr) own->base.pMethods = &kMethods;
  return rc;
}

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// What `path` holds now, as it would be after a power loss: its unsynced
// writes undone.
std::string durable_content(Faults& s, const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  std::string bytes(static_cast<std::size_t>(std::max<std::streamoff>(in.tellg(), 0)), '\0');
  in.seekg(0);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (auto it = s.unsynced.find(path); it != s.unsynced.end()) {
    for (auto u = it->second.undo.rbegin(); u != it->second.undo.rend(); ++u) {
      const auto end = static_cast<std::size_t>(u->offset) + u->bytes.size();
      if (bytes.size() < end) bytes.resize(end);
      bytes.replace(static_cast<std::size_t>(u->offset), u->bytes.size(), u->bytes);
    }
    bytes.resize(static_cast<std::size_t>(it->second.synced_size));
  }
  return bytes;
}

int x_delete(sqlite3_vfs*, const char* name, int sync) {
  Faults& s = faults();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.power_off) return SQLITE_IOERR_DELETE;
  const std::string path(name);
  if (sync != 0) {
    // The directory is synced: every deletion in it so far is durable.
    const std::string dir = directory_of(path);
    std::erase_if(s.deleted, [&](const auto& d) { return directory_of(d.first) == dir; });
  } else if (!s.deleted.count(path)) {
    s.deleted[path] = durable_content(s, path);
  }
  s.unsynced.erase(path);
  return g_real->xDelete(g_real, name, sync);
}
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real->xAccess(g_real, name, flags, out);
}
int x_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_real->xFullPathname(g_real, name, n, out);
}

void install_once() {
  if (g_real != nullptr) return;
  g_real = sqlite3_vfs_find(nullptr);
  g_vfs = *g_real;  // dlopen, randomness, sleep, time and the rest as they are
  g_vfs.zName = "hubtable-fault";
  g_vfs.szOsFile = static_cast<int>(sizeof(File)) + g_real->szOsFile;
  g_vfs.pNext = nullptr;
  g_vfs.xOpen = x_open;
  g_vfs.xDelete = x_delete;
  g_vfs.xAccess = x_access;
  g_vfs.xFullPathname = x_full_pathname;
}

// Puts `path` back as it was at its last sync.
void revert(const std::string& path, const Unsynced& u) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);  // NOLINT(*vararg*)
  if (fd < 0) return;                                       // gone: its deletion stands
  for (auto it = u.undo.rbegin(); it != u.undo.rend(); ++it) {
    (void)::pwrite(fd, it->bytes.data(), it->bytes.size(), it->offset);
  }
  (void)::ftruncate(fd, u.synced_size);
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

FaultVfs::Scope::Scope() {
  install_once();
  {
    Faults& s = faults();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.unsynced.clear();
    s.deleted.clear();
  }
  sqlite3_vfs_register(&g_vfs, /*makeDflt=*/1);
}

FaultVfs::Scope::~Scope() { sqlite3_vfs_register(g_real, /*makeDflt=*/1); }

void FaultVfs::set_disk_full(bool full) {
  std::lock_guard<std::mutex> lock(faults().mutex);
  faults().disk_full = full;
}

void FaultVfs::fail(Op op, int nth, int sqlite_error, bool persist) {
  Faults& s = faults();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.op = op;
  s.nth = nth;
  s.error = sqlite_error;
  s.persist = persist;
  s.power_cut_at = 0;
  s.fired = 0;
  s.counts = {};
}

void FaultVfs::cut_power_at_sync(int nth) {
  Faults& s = faults();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.op.reset();
  s.power_cut_at = nth;
  s.fired = 0;
  s.counts = {};
}

bool FaultVfs::power_is_off() {
  std::lock_guard<std::mutex> lock(faults().mutex);
  return faults().power_off;
}

void FaultVfs::restore_power() {
  Faults& s = faults();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.power_off) {
    for (const auto& [path, u] : s.unsynced) revert(path, u);
    for (const auto& [path, bytes] : s.deleted) {
      std::ofstream(path, std::ios::binary) << bytes;
    }
  }
  s.unsynced.clear();
  s.deleted.clear();
  s.power_off = false;
  s.power_cut_at = 0;
}

void FaultVfs::clear() {
  Faults& s = faults();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.op.reset();
  s.power_cut_at = 0;
  s.counts = {};
}

FaultVfs::Counts FaultVfs::counts() {
  Faults& s = faults();
  std::lock_guard<std::mutex> lock(s.mutex);
  return {s.counts[0], s.counts[1], s.counts[2]};
}

int FaultVfs::fired() {
  std::lock_guard<std::mutex> lock(faults().mutex);
  return faults().fired;
}

}  // namespace hubtable::testing
