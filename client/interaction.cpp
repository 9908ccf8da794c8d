#include "client/interaction.hpp"

#include "client/errors.hpp"

namespace ims::client {

std::string_view to_string(InteractionKind k) {
  switch (k) {
    case InteractionKind::Voice: return "voice";
    case InteractionKind::Email: return "email";
    case InteractionKind::Chat: return "chat";
    case InteractionKind::Workitem: return "workitem";
  }
  return "?";
}

std::optional<InteractionKind> interaction_kind_from(std::string_view name) {
  for (auto k : {InteractionKind::Voice, InteractionKind::Email, InteractionKind::Chat,
                 InteractionKind::Workitem}) {
    if (to_string(k) == name) return k;
  }
  return std::nullopt;
}

Interaction::Interaction(InteractionKind kind, std::string id) : kind_(kind), id_(std::move(id)) {}

void Interaction::set(std::string_view key, std::string value) {
  case_data_[std::string(key)] = std::move(value);
}

void Interaction::set(std::string_view key, nlohmann::json value) {
  case_data_[std::string(key)] = std::move(value);
}

std::optional<std::string> Interaction::get(std::string_view key) const {
  auto it = case_data_.find(std::string(key));
  if (it == case_data_.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::string Interaction::to_json() const {
  nlohmann::json j = case_data_;
  j["interaction"] = {{"kind", std::string(to_string(kind_))}, {"id", id_}};
  return j.dump();
}

Result<Interaction> Interaction::from_json(std::string_view text) {
  // nlohmann throws on bad input; the exception stops here (STYLE rule 8).
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return Error{ClientErrc::BadBody, "case data is not a JSON object"};
  const auto it = j.find("interaction");
  if (it == j.end() || !it->is_object())
    return Error{ClientErrc::BadBody, "case data names no interaction"};
  const auto kind = it->find("kind");
  const auto id = it->find("id");
  if (kind == it->end() || !kind->is_string() || id == it->end() || !id->is_string()) {
    return Error{ClientErrc::BadBody, "case data: interaction needs a kind and an id"};
  }
  auto k = interaction_kind_from(kind->get<std::string>());
  if (!k) return Error{ClientErrc::BadBody, "case data: unknown interaction kind"};
  Interaction out(*k, id->get<std::string>());
  for (auto m = j.begin(); m != j.end(); ++m) {
    if (m.key() != "interaction") out.case_data_[m.key()] = *m;
  }
  // The earlier form: the case data under "case".
  if (auto c = j.find("case"); c != j.end() && c->is_object()) {
    out.case_data_.erase("case");
    for (auto m = c->begin(); m != c->end(); ++m) out.case_data_[m.key()] = *m;
  }
  return out;
}

}  // namespace ims::client
