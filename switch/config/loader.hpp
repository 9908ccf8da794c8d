#pragma once
// Loading and validating imswitch's YAML configuration. Every problem is reported, one per line,
// as "<file>:<line>: <key>: <reason>". Unknown keys are errors: a misspelt key must not silently
// leave a default in force.

#include <string>
#include <string_view>

#include "common/util/result.hpp"
#include "switch/config/config.hpp"

namespace ims::sw::config {

// Reads and validates a file. On failure the Error's message holds all the problems, one per
// line.
Result<Config> load_file(const std::string& path);

// The same for text already in memory; `name` stands for the file in messages.
Result<Config> load_text(std::string_view text, const std::string& name);

}  // namespace ims::sw::config
