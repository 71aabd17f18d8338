#include "store/database.h"

#include "store/migrate.h"

namespace hubtable::store {

absl::StatusOr<std::unique_ptr<Database>> Database::open(const std::string& path,
                                                         const crypto::SecretBytes& db_key,
                                                         int readers, OpenMode mode) {
  std::unique_ptr<Database> db(new Database());
  db->path_ = path;
  auto writer = open_connection(path, db_key, ConnectionRole::kWriter, mode);
  if (!writer.ok()) return writer.status();
  db->writer_ = std::move(*writer);
  if (auto s = migrate(*db->writer_); !s.ok()) return s;
  for (int i = 0; i < std::max(readers, 1); ++i) {
    auto reader = open_connection(path, db_key, ConnectionRole::kReader, OpenMode::kExisting);
    if (!reader.ok()) return reader.status();
    db->free_readers_.push_back(reader->get());
    db->readers_.push_back(std::move(*reader));
  }
  return db;
}

Database::Lease::Lease(Database& database) : db(database), conn(nullptr) {
  std::unique_lock<std::mutex> lock(db.readers_mutex_);
  db.reader_free_.wait(lock, [&] { return !db.free_readers_.empty(); });
  conn = db.free_readers_.back();
  db.free_readers_.pop_back();
}

Database::Lease::~Lease() {
  {
    std::lock_guard<std::mutex> lock(db.readers_mutex_);
    db.free_readers_.push_back(conn);
  }
  db.reader_free_.notify_one();
}

}  // namespace hubtable::store
