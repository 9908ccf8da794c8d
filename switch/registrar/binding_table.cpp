#include "switch/registrar/binding_table.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include "common/sip/header_values.hpp"
#include "common/sip/uri.hpp"
#include "common/util/strings.hpp"

namespace ims::sw::registrar {
namespace {

// §10.3 step 6: a registrar may answer 423 only for intervals below an hour.
constexpr std::uint32_t kNo423From = 3600;

// §19.1.4 equality; a URI that does not parse (only possible for loaded records) compares as
// bytes.
bool same_uri(std::string_view a, std::string_view b) {
  if (a == b) return true;
  const auto ua = sip::parse_uri(a);
  const auto ub = sip::parse_uri(b);
  return ua && ub && sip::uri_equal(*ua, *ub);
}

std::optional<std::uint32_t> reg_id_of(const store::Binding& b) {
  const auto v = sip::Params(b.contact_params).get("reg-id");
  if (!v) return std::nullopt;
  const auto n = util::parse_uint(*v, 0x7fffffff);
  if (!n) return std::nullopt;
  return static_cast<std::uint32_t>(*n);
}

// RFC 5626 §6: with +sip.instance the device is the key (with reg-id, one binding per flow).
bool same_device(const store::Binding& b, const ContactSpec& c) {
  return !c.instance.empty() && b.instance == c.instance && reg_id_of(b) == c.reg_id;
}

Outcome failure(int status, std::string reason) {
  Outcome o;
  o.status = status;
  o.reason = std::move(reason);
  return o;
}

// A refresh that changes what the binding routes to or how it ranks is an update; one that
// only moves its expiry (and names a new REGISTER by Call-ID and CSeq) is a plain refresh.
bool only_refreshed(const store::Binding& before, const store::Binding& after) {
  return before.aor == after.aor && before.contact == after.contact &&
         before.contact_params == after.contact_params &&
         before.display_name == after.display_name && before.instance == after.instance &&
         before.q_millis == after.q_millis && before.session_capable == after.session_capable &&
         before.registered_at_ms == after.registered_at_ms &&
         before.transport == after.transport && before.source_address == after.source_address &&
         before.source_port == after.source_port && before.flow_id == after.flow_id;
}

// A binding being worked on during apply(): touched once this request added or refreshed it,
// so its stored Call-ID/CSeq are this request's and no longer subject to the §10.3 step 7 check.
struct Slot {
  store::Binding binding;
  bool touched = false;
};

// §10.3 step 7: with the same Call-ID the request's CSeq must be higher than the binding's.
bool out_of_order(const Slot& s, const RegisterRequest& r) {
  return !s.touched && s.binding.call_id == r.call_id && r.cseq <= s.binding.cseq;
}

// The expiry a contact asks for (§10.2.1.1), or nullopt when it is too brief (423).
std::optional<std::uint32_t> expiry_for(const ContactSpec& c, const RegisterRequest& r,
                                        const Settings& s) {
  std::uint32_t e = 0;
  if (c.expires || r.expires_header) {
    e = c.expires ? *c.expires : *r.expires_header;
    if (e != 0 && e < s.min_expires_s && e < kNo423From) return std::nullopt;
  } else {
    e = std::max(s.default_expires_s, s.min_expires_s);  // our own default is never too brief
  }
  return std::min(e, s.max_expires_s);
}

// Whether requests to contact c may take the REGISTER's flow (RFC 5626 §5.2 reuse). They may,
// unless the Contact names the very address the REGISTER came from but another port than its
// Via: then a process on the sender's host registered a listener of its own, which a new
// connection reaches and the sender's connection does not. When in doubt (a host name, another
// spelling of an address) the flow is kept, which suits a client behind NAT.
bool flow_reaches(const ContactSpec& c, const FlowInfo& flow) {
  if (flow.flow_id == 0 || flow.sent_by_host.empty()) return true;
  // RFC 7118 §5: a WebSocket client has no listener of its own; its connection is the way.
  if (flow.transport == "ws" || flow.transport == "wss") return true;
  const auto uri = sip::parse_uri(c.uri);
  if (!uri) return true;
  const std::string_view host = util::without_brackets(uri->host);
  if (!util::iequals(host, flow.source_address)) return true;  // NAT or elsewhere: the flow
  if (!util::iequals(host, util::without_brackets(flow.sent_by_host))) return true;  // in doubt
  constexpr std::uint16_t kDefault = 5060;
  const std::uint16_t contact_port = uri->port.value_or(kDefault);
  const std::uint16_t via_port = flow.sent_by_port != 0 ? flow.sent_by_port : kDefault;
  return contact_port == via_port;
}

store::Binding make_binding(const ContactSpec& c, std::string_view aor, const RegisterRequest& r,
                            const FlowInfo& flow, std::int64_t now_ms, std::uint32_t expires_s) {
  store::Binding b;
  b.aor = std::string(aor);
  b.contact = c.uri;
  b.contact_params = c.params;
  b.display_name = c.display_name;
  b.instance = c.instance;
  b.q_millis = c.q_millis;
  b.session_capable = c.session_capable;
  b.call_id = r.call_id;
  b.cseq = r.cseq;
  b.expires_at_ms = now_ms + std::int64_t{expires_s} * 1000;
  b.registered_at_ms = now_ms;
  b.transport = flow.transport;
  b.source_address = flow.source_address;
  b.source_port = flow.source_port;
  b.flow_id = flow_reaches(c, flow) ? flow.flow_id : 0;
  return b;
}

// Applies one contact to the working set. false: the request must be aborted (CSeq order).
bool apply_contact(std::vector<Slot>& work, const ContactSpec& c, const RegisterRequest& r,
                   std::string_view aor, const FlowInfo& flow, std::int64_t now_ms,
                   std::uint32_t expires_s) {
  std::size_t match = work.size();
  for (std::size_t i = 0; i < work.size() && match == work.size(); ++i)
    if (same_device(work[i].binding, c)) match = i;
  for (std::size_t i = 0; i < work.size() && match == work.size(); ++i)
    if (same_uri(work[i].binding.contact, c.uri)) match = i;
  // The matched binding and any other at the same URI are replaced or removed: each must pass
  // the ordering check.
  for (std::size_t i = 0; i < work.size(); ++i) {
    if ((i == match || same_uri(work[i].binding.contact, c.uri)) && out_of_order(work[i], r))
      return false;
  }
  std::optional<Slot> kept;
  if (expires_s != 0) {
    kept = Slot{make_binding(c, aor, r, flow, now_ms, expires_s), true};
    if (match < work.size()) kept->binding.registered_at_ms = work[match].binding.registered_at_ms;
  }
  std::vector<Slot> next;
  next.reserve(work.size() + 1);
  for (std::size_t i = 0; i < work.size(); ++i) {
    if (i == match) {
      if (kept) next.push_back(std::move(*kept));  // in place: the order of devices is kept
      kept.reset();
    } else if (!same_uri(work[i].binding.contact, c.uri)) {
      next.push_back(std::move(work[i]));
    }
  }
  if (kept) next.push_back(std::move(*kept));
  work = std::move(next);
  return true;
}

}  // namespace

BindingTable::Packed BindingTable::Packed::of(const store::Binding& b) {
  Packed p;
  const std::string_view fields[kFields] = {b.contact,  b.contact_params, b.display_name,
                                            b.instance, b.call_id,        b.transport,
                                            b.source_address};
  std::size_t size = 0;
  for (const auto f : fields) size += f.size();
  // Far below 4 GB: each field comes from a SIP message or the store's copy of one.
  p.size = static_cast<std::uint32_t>(size);
  if (size > 0) p.text = std::make_unique_for_overwrite<char[]>(size);
  std::size_t at = 0;
  for (std::size_t i = 0; i < kFields; ++i) {
    if (!fields[i].empty()) std::memcpy(p.text.get() + at, fields[i].data(), fields[i].size());
    at += fields[i].size();
    if (i + 1 < kFields) p.ends[i] = static_cast<std::uint32_t>(at);
  }
  p.expires_at_ms = b.expires_at_ms;
  p.registered_at_ms = b.registered_at_ms;
  p.flow_id = b.flow_id;
  p.cseq = b.cseq;
  p.q_millis = b.q_millis;
  p.source_port = b.source_port;
  p.session_capable = b.session_capable;
  return p;
}

std::string_view BindingTable::Packed::field(std::size_t i) const {
  const std::size_t from = i == 0 ? 0 : ends[i - 1];
  const std::size_t to = i + 1 < kFields ? ends[i] : size;
  return std::string_view(text.get(), size).substr(from, to - from);
}

store::Binding BindingTable::Packed::unpack(std::string_view aor) const {
  store::Binding b;
  b.aor = std::string(aor);
  b.contact = std::string(field(0));
  b.contact_params = std::string(field(1));
  b.display_name = std::string(field(2));
  b.instance = std::string(field(3));
  b.call_id = std::string(field(4));
  b.transport = std::string(field(5));
  b.source_address = std::string(field(6));
  b.expires_at_ms = expires_at_ms;
  b.registered_at_ms = registered_at_ms;
  b.flow_id = flow_id;
  b.cseq = cseq;
  b.q_millis = q_millis;
  b.source_port = source_port;
  b.session_capable = session_capable;
  return b;
}

std::vector<store::Binding> BindingTable::unpacked(std::string_view aor,
                                                   const std::vector<Packed>& v) const {
  std::vector<store::Binding> out;
  out.reserve(v.size());
  for (const auto& p : v) out.push_back(p.unpack(aor));
  return out;
}

Outcome Outcome::rejected(const Error& error) {
  return failure(status_for(error.code), error.message);
}

void sort_bindings(std::vector<store::Binding>& bindings) {
  std::sort(bindings.begin(), bindings.end(), [](const store::Binding& a, const store::Binding& b) {
    if (a.q_millis != b.q_millis) return a.q_millis > b.q_millis;
    if (a.registered_at_ms != b.registered_at_ms) return a.registered_at_ms > b.registered_at_ms;
    return a.contact < b.contact;
  });
}

Outcome BindingTable::apply(const RegisterRequest& request, std::string_view aor,
                            const FlowInfo& flow, std::int64_t now_ms, const Settings& settings) {
  // Requests built without parse_register() get the same bound.
  if (request.contacts.size() > kMaxContactsPerRequest)
    return Outcome::rejected(Error{RegisterErrc::TooManyContacts, "Too Many Contacts"});

  const auto it = table_.find(std::string(aor));
  const std::vector<store::Binding> old =
      it == table_.end() ? std::vector<store::Binding>() : unpacked(aor, it->second);

  std::vector<Slot> work;  // step 1: the live bindings
  for (const auto& b : old)
    if (b.expires_at_ms > now_ms) work.push_back(Slot{b, false});
  const std::size_t live_before = work.size();

  std::vector<std::uint32_t> expiry;  // step 2, for every contact before any change
  expiry.reserve(request.contacts.size());
  for (const auto& c : request.contacts) {
    const auto e = expiry_for(c, request, settings);
    if (!e) {
      Outcome o = failure(423, "");
      o.min_expires = settings.min_expires_s;
      return o;
    }
    expiry.push_back(*e);
  }

  constexpr std::string_view kOutOfOrder = "Out-of-Order CSeq";
  if (request.wildcard) {  // §10.3 step 6: remove all, each binding under the CSeq rule
    for (const auto& s : work)
      if (out_of_order(s, request)) return failure(500, std::string(kOutOfOrder));
    work.clear();
  }
  for (std::size_t i = 0; i < request.contacts.size(); ++i) {
    if (!apply_contact(work, request.contacts[i], request, aor, flow, now_ms, expiry[i]))
      return failure(500, std::string(kOutOfOrder));
  }
  if (work.size() > settings.max_contacts_per_agent && work.size() > live_before)
    return failure(403, "Too Many Contacts");

  // Commit, and describe the change as store operations.
  Outcome out;
  std::vector<store::Binding> now_bound;
  now_bound.reserve(work.size());
  for (auto& s : work) {
    if (s.touched && s.binding.flow_id != 0) aors_by_flow_[s.binding.flow_id].emplace(aor);
    if (s.touched) {
      const auto before = std::find_if(old.begin(), old.end(), [&](const store::Binding& b) {
        return b.contact == s.binding.contact && b.expires_at_ms > now_ms;
      });
      if (before != old.end() && only_refreshed(*before, s.binding))
        out.refreshed.push_back(s.binding);
      else
        out.upserted.push_back(s.binding);
    }
    now_bound.push_back(std::move(s.binding));
  }
  for (const auto& b : old) {
    const bool kept = std::any_of(now_bound.begin(), now_bound.end(),
                                  [&](const store::Binding& n) { return n.contact == b.contact; });
    if (!kept) out.removed.emplace_back(b.aor, b.contact);
  }
  bindings_ -= old.size();
  bindings_ += now_bound.size();
  std::vector<Packed> packed;
  packed.reserve(now_bound.size());
  for (const auto& b : now_bound) packed.push_back(Packed::of(b));
  out.bindings = std::move(now_bound);
  sort_bindings(out.bindings);
  if (packed.empty()) {
    if (it != table_.end()) table_.erase(it);
  } else if (it != table_.end()) {
    it->second = std::move(packed);
  } else {
    table_.emplace(std::string(aor), std::move(packed));
  }
  return out;
}

std::vector<store::Binding> BindingTable::lookup(std::string_view aor, std::int64_t now_ms) const {
  std::vector<store::Binding> out;
  const auto it = table_.find(std::string(aor));
  if (it == table_.end()) return out;
  for (const auto& b : it->second)
    if (b.expires_at_ms > now_ms) out.push_back(b.unpack(aor));
  sort_bindings(out);
  return out;
}

std::vector<store::Binding> BindingTable::expire(std::int64_t now_ms) {
  std::vector<store::Binding> gone;
  for (auto it = table_.begin(); it != table_.end();) {
    auto& v = it->second;
    const auto first_gone = std::stable_partition(
        v.begin(), v.end(), [now_ms](const Packed& b) { return b.expires_at_ms > now_ms; });
    for (auto g = first_gone; g != v.end(); ++g) gone.push_back(g->unpack(it->first));
    v.erase(first_gone, v.end());
    it = v.empty() ? table_.erase(it) : std::next(it);
  }
  bindings_ -= gone.size();
  return gone;
}

void BindingTable::load(std::vector<store::Binding> bindings) {
  for (auto& b : bindings) {
    b.flow_id = 0;
    auto& v = table_[b.aor];
    const auto same = std::find_if(v.begin(), v.end(),
                                   [&](const Packed& x) { return x.contact() == b.contact; });
    if (same != v.end()) {
      *same = Packed::of(b);
    } else {
      v.push_back(Packed::of(b));
      ++bindings_;
    }
  }
}

std::vector<store::Binding> BindingTable::forget_flow(std::uint64_t flow_id) {
  std::vector<store::Binding> changed;
  auto listed = aors_by_flow_.extract(flow_id);
  if (flow_id == 0 || listed.empty()) return changed;
  for (const auto& aor : listed.mapped()) {
    const auto it = table_.find(aor);
    if (it == table_.end()) continue;
    for (auto& b : it->second) {
      if (b.flow_id != flow_id) continue;
      b.flow_id = 0;
      changed.push_back(b.unpack(aor));
    }
  }
  return changed;
}

}  // namespace ims::sw::registrar
