#include "switch/config/reload.hpp"

#include "switch/config/loader.hpp"

namespace ims::sw::config {

Result<std::shared_ptr<const directory::Directory>> load_directory(const std::string& config_path) {
  auto loaded = load_file(config_path);
  if (!loaded) return loaded.error();
  return std::move(loaded.value().directory);
}

DirectoryReloader::DirectoryReloader(std::string config_path,
                                     std::shared_ptr<const directory::Directory> initial)
    : config_path_(std::move(config_path)),
      current_(initial ? std::move(initial) : directory::Directory::empty()) {}

Result<std::shared_ptr<const directory::Directory>> DirectoryReloader::reload() {
  auto loaded = load_directory(config_path_);
  if (loaded) current_ = loaded.value();
  return loaded;
}

}  // namespace ims::sw::config
