#include "switch/app/authn.hpp"

#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/sip/header_values.hpp"
#include "common/util/strings.hpp"
#include "switch/app/policy.hpp"
#include "switch/app/responder.hpp"
#include "switch/directory/fields.hpp"

namespace ims::sw::app {

namespace {

bool contains(const std::vector<auth::Algorithm>& list, auth::Algorithm a) {
  return std::find(list.begin(), list.end(), a) != list.end();
}

// The agent a request speaks for, before it is authenticated: the address of record a REGISTER
// names in To (RFC 3261 §10.3), the sender a proxied request names in From.
const directory::Agent* named_agent(const sip::Message& request,
                                    const directory::Directory& directory, AuthRole role) {
  const auto addr = role == AuthRole::Registrar ? request.to() : request.from();
  if (!addr) return nullptr;
  const auto user = user_of(addr->uri);
  return user && !user->empty() ? directory.agent(*user) : nullptr;
}

}  // namespace

std::vector<auth::Algorithm> offered_algorithms(const std::vector<auth::Algorithm>& configured,
                                                const directory::Agent* agent,
                                                std::string_view user_agent,
                                                const std::vector<std::string>& md5_only) {
  std::vector<auth::Algorithm> out;
  if (agent && !agent->credentials.offered.empty()) {
    for (auth::Algorithm a : agent->credentials.offered)
      if (contains(configured, a)) out.push_back(a);
  } else {
    out = configured;
  }
  if (agent && !agent->credentials.password) {  // HA1 values only: offer what can be checked
    const auto& c = agent->credentials;
    std::erase_if(out, [&](auth::Algorithm a) {
      return a == auth::Algorithm::Md5 ? !c.ha1_md5 : !c.ha1_sha256;
    });
  }
  if (!user_agent.empty() && !md5_only.empty() && contains(out, auth::Algorithm::Md5)) {
    const std::string ua = util::to_lower(util::trim(user_agent));
    for (const auto& pattern : md5_only) {
      if (directory::glob_match(pattern, ua)) return {auth::Algorithm::Md5};
    }
  }
  if (out.empty()) return configured;
  return out;
}

std::vector<auth::Algorithm> Authenticator::offered_to(const sip::Message& request,
                                                       const directory::Directory& directory,
                                                       AuthRole role) const {
  return offered_algorithms(verifier_->config().offered, named_agent(request, directory, role),
                            request.get(sip::HeaderId::UserAgent), md5_only_);
}

const auth::StoredSecret* Authenticator::secret_of(const directory::Agent& agent) {
  const auto& c = agent.credentials;
  scratch_.password = c.password;
  scratch_.ha1_md5 = c.ha1_md5;
  scratch_.ha1_sha256 = c.ha1_sha256;
  return &scratch_;
}

std::variant<std::string, sip::Message> Authenticator::authenticate(
    const sip::Message& request, const directory::Directory& directory, AuthRole role,
    std::string_view to_tag, std::int64_t now_ms) {
  const bool proxy = role == AuthRole::Proxy;
  const std::vector<std::string_view> credentials =
      request.values(proxy ? sip::HeaderId::ProxyAuthorization : sip::HeaderId::Authorization);
  const auth::AuthRequest ask{request.method_text(), request.request_uri(), credentials,
                              directory.realm()};
  auto lookup = [&](std::string_view login) -> const auth::StoredSecret* {
    const directory::Agent* agent = directory.agent(login);
    return agent ? secret_of(*agent) : nullptr;
  };
  const auth::Verdict verdict = verifier_->verify(ask, lookup, now_ms);

  if (const auto* ok = std::get_if<auth::Authenticated>(&verdict)) {
    ++counters_.authenticated;
    return ok->login;
  }
  if (const auto* bad = std::get_if<auth::BadRequest>(&verdict)) {
    ++counters_.bad;
    spdlog::info("{} from call-id {}: {} (400)", request.method_text(), request.call_id(),
                 bad->reason);
    return reply(request, 400, to_tag, bad->reason);
  }
  const auto& challenge = std::get<auth::Challenge>(verdict);
  if (challenge.cause == auth::ChallengeCause::NoCredentials ||
      challenge.cause == auth::ChallengeCause::NonceStale) {
    ++counters_.challenged;
  } else {
    ++counters_.rejected;
    // An operator sees failed logins; the peer sees only a fresh challenge (§22.1).
    spdlog::info("{} call-id {}: authentication failed ({}), challenged again",
                 request.method_text(), request.call_id(), auth::to_string(challenge.cause));
  }
  sip::Message rsp = reply(request, proxy ? 407 : 401, to_tag);
  const auto header = proxy ? sip::HeaderId::ProxyAuthenticate : sip::HeaderId::WwwAuthenticate;
  const auto offered = offered_to(request, directory, role);
  if (offered.size() == 1 && offered.front() == auth::Algorithm::Md5 &&
      verifier_->config().offered.size() > 1)
    ++counters_.md5_only;
  for (const auto& value :
       verifier_->challenges(directory.realm(), now_ms, challenge.stale, offered))
    rsp.add(header, value);
  return rsp;
}

}  // namespace ims::sw::app
