#pragma once
// Interaction: the agent's active interaction (a call, an email, a chat, a workitem) as far as a
// consultation IM needs it (PRODUCT §5): its kind, its id and its case data. A consultation
// started from it carries the case data to the target as application/json, which the target
// reads but does not change. Plain value, no I/O.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/util/result.hpp"

namespace ims::client {

enum class InteractionKind { Voice, Email, Chat, Workitem };

std::string_view to_string(InteractionKind k);
std::optional<InteractionKind> interaction_kind_from(std::string_view name);

class Interaction {
 public:
  Interaction(InteractionKind kind, std::string id);

  InteractionKind kind() const { return kind_; }
  const std::string& id() const { return id_; }

  // Case data: key/value pairs, or any JSON object. "contact_id" names the contact the
  // interaction is about (the switch ties the session to it; the target reads the contact).
  // The key "interaction" is reserved for the interaction itself (to_json).
  void set(std::string_view key, std::string value);
  void set(std::string_view key, nlohmann::json value);
  std::optional<std::string> get(std::string_view key) const;  // string values only
  const nlohmann::json& case_data() const { return case_data_; }

  // What a consultation IM carries: the case data's members at the top level, where the switch
  // reads them (routing rules' case_data and skill, the session's contact_id), and the
  // interaction beside them: {"interaction":{"kind":"voice","id":"..."},"contact_id":"c-42"}.
  std::string to_json() const;
  // Reads what to_json() wrote (the target's read-only view); also the earlier form with the
  // case data under "case". Fails (ClientErrc::BadBody) for text that is not such a JSON
  // object.
  static Result<Interaction> from_json(std::string_view text);

 private:
  InteractionKind kind_;
  std::string id_;
  nlohmann::json case_data_ = nlohmann::json::object();
};

}  // namespace ims::client
