#pragma once
// Reloading the directory (SIGHUP, admin API): the agents, queues, routing points and
// sip.domains of the config file replace the ones in force, without a restart and without
// touching registrations, stored messages or sessions (those live in the registrar, the store
// and the session layer, keyed by login). A file with any error changes nothing.
//
// Only the directory is replaced; other sections (listeners, timers, store ...) are validated
// but take effect at the next start.

#include <memory>
#include <string>

#include "common/util/result.hpp"
#include "switch/directory/directory.hpp"

namespace ims::sw::config {

// Loads the whole config file (every section must be valid) and returns its directory.
Result<std::shared_ptr<const directory::Directory>> load_directory(const std::string& config_path);

// The directory in force. Lives on the SIP strand with its users; not thread-safe. Readers take
// current() by value for the length of one request, so a reload never pulls an entry from
// under them.
class DirectoryReloader {
 public:
  DirectoryReloader(std::string config_path, std::shared_ptr<const directory::Directory> initial);

  const std::shared_ptr<const directory::Directory>& current() const { return current_; }
  const std::string& config_path() const { return config_path_; }

  // Re-reads the file. On success the new directory is current and returned; on failure the
  // error (every problem, one per line) is returned and current() is unchanged.
  Result<std::shared_ptr<const directory::Directory>> reload();

 private:
  std::string config_path_;
  std::shared_ptr<const directory::Directory> current_;
};

}  // namespace ims::sw::config
