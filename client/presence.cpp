// The agent's state for the IM channel (PRODUCT §2): AgentCore publishes it with PUBLISH (RFC 3903
// §4) for the presence package (RFC 3856) in a PIDF body (RFC 3863), keeps the SIP-ETag for
// modifications and refreshes, and publishes the whole state again when the switch no longer knows
// it (412). Also the PIDF writer.
#include <algorithm>

#include <fmt/format.h>

#include "client/agent_core.hpp"
#include "client/errors.hpp"
#include "client/presence.hpp"
#include "client/sip_text.hpp"
#include "common/sip/pidf.hpp"
#include "common/util/strings.hpp"

namespace ims::client {

std::string_view to_string(Presence presence) {
  switch (presence) {
    case Presence::Ready: return "Ready";
    case Presence::NotReady: return "Not Ready";
  }
  return "Ready";
}

std::string describe(const AgentState& state) {
  std::string out(to_string(state.presence));
  if (!state.reason.empty()) out += ": " + state.reason;
  return out;
}

std::string pidf_document(std::string_view entity, const AgentState& state) {
  return sip::pidf_document(entity, state.presence == Presence::Ready, state.reason);
}

namespace detail {

namespace {

constexpr std::string_view kSipEtag = "SIP-ETag";         // RFC 3903 §11.3.1
constexpr std::string_view kSipIfMatch = "SIP-If-Match";  // RFC 3903 §11.3.2
constexpr int kMaxPublishRetries = 2;                     // after 412 or 423
// A refresh that failed (no answer, 5xx) is tried again this much later while the publication still
// lasts.
constexpr std::chrono::seconds kRefreshRetry{30};

std::optional<std::chrono::seconds> seconds_in(std::optional<std::string_view> value) {
  if (!value) return std::nullopt;
  auto n = util::parse_uint(util::trim(*value), 0xffffffff);
  if (!n) return std::nullopt;
  return std::chrono::seconds(*n);
}

}  // namespace

void AgentCore::set_agent_state(AgentState state, Agent::StateCallback done) {
  if (closed_) {
    if (done) post([done](AgentCore&) { done(Error{ClientErrc::Closed, "the agent is closed"}); });
    return;
  }
  publish_jobs_.push_back(PublishJob{std::move(state), std::move(done), 0});
  publish_next();
}

void AgentCore::publish_next() {
  if (publishing_ || closed_ || publish_jobs_.empty()) return;
  PublishJob job = std::move(publish_jobs_.front());
  publish_jobs_.pop_front();
  publishing_ = true;
  send_publish(std::move(job));
}

void AgentCore::send_publish(PublishJob job) {
  Outgoing out;
  // §4.2 initial (body, no SIP-If-Match), §4.3 refresh (SIP-If-Match, no body), §4.4 modify (both).
  // The Request-URI is the agent's own address: the switch holds its state.
  out.build = [this, body = job.state ? pidf_document(aor(), *job.state) : std::string(),
               etag = etag_, expires = publish_expires_] {
    const std::string uri = aor();
    sip::Message m = sip::Message::request(sip::Method::Publish, uri);
    m.add(sip::HeaderId::MaxForwards, "70");
    m.add(sip::HeaderId::From, from_value(pub_tag_));
    m.add(sip::HeaderId::To, "<" + uri + ">");
    m.add(sip::HeaderId::CallId, pub_call_id_);
    m.add(sip::HeaderId::CSeq, fmt::format("{} PUBLISH", ++pub_cseq_));
    m.add(sip::HeaderId::Event, "presence");
    m.add(sip::HeaderId::Expires, std::to_string(expires.count()));
    if (!etag.empty()) m.add(kSipIfMatch, etag);
    if (!body.empty()) m.set_body(body, kPidfContentType);
    return m;
  };
  out.on_final = [this, job](Result<sip::Message> final, const sip::Message&) {
    on_publish_final(std::move(final), job);
  };
  auto id = send(std::move(out));
  if (!id) on_publish_final(id.error(), std::move(job));
}

void AgentCore::on_publish_final(Result<sip::Message> final, PublishJob job) {
  if (closed_) return;
  const int status = final ? final->status() : 0;
  auto complete = [&](Result<AgentState> r) {
    if (job.done) post([done = job.done, r = std::move(r)](AgentCore&) { done(r); });
    publishing_ = false;
    publish_next();
  };

  if (status / 100 == 2) {
    etag_ = std::string(util::trim(final->find(kSipEtag).value_or("")));
    const auto granted = seconds_in(final->find(sip::HeaderId::Expires)).value_or(publish_expires_);
    const bool changed = job.state && published_ != job.state;
    if (job.state) published_ = *job.state;
    if (etag_.empty() || granted.count() == 0) {
      publication_lost();  // nothing lives on the switch to refresh
    } else {
      publication_ends_ = std::chrono::steady_clock::now() + granted;
      // Half the granted time: a lost PUBLISH still has room for its retransmissions.
      schedule_publish_refresh(
          std::max<std::chrono::seconds>(std::chrono::seconds(1), granted / 2));
      if (changed) post([s = published_](AgentCore& self) { self.events_->on_agent_state(s); });
    }
    if (published_) return complete(*published_);
    return complete(Error{ClientErrc::Refused, "the switch kept no state"});
  }
  if (status == 412 && job.retries < kMaxPublishRetries) {
    // RFC 3903 §5: the entity-tag is unknown (the publication expired or was lost); the whole state
    // goes out again as an initial publication.
    etag_.clear();
    if (!job.state) job.state = published_;
    if (job.state) {
      ++job.retries;
      return send_publish(std::move(job));
    }
  }
  if (status == 423 && job.retries < kMaxPublishRetries) {
    // §6 step 5: the shortest interval the switch takes is in Min-Expires.
    const auto min = seconds_in(final->find(sip::HeaderId::MinExpires));
    if (min && *min > publish_expires_) {
      publish_expires_ = *min;
      ++job.retries;
      return send_publish(std::move(job));
    }
  }
  Error error =
      final ? Error{ClientErrc::Refused, fmt::format("state not set ({})", status_line(*final)),
                    final->status()}
            : final.error();
  if (!job.state) {
    // A refresh failed: try again while the publication lasts, else it is gone.
    if (status != 412 && std::chrono::steady_clock::now() + kRefreshRetry < publication_ends_) {
      schedule_publish_refresh(kRefreshRetry);
    } else {
      publication_lost();
    }
  }
  complete(std::move(error));
}

void AgentCore::publication_lost() {
  etag_.clear();
  ++publish_generation_;
  publish_timer_.cancel();
  if (!published_) return;
  published_.reset();
  post([](AgentCore& self) { self.events_->on_agent_state(std::nullopt); });
}

void AgentCore::schedule_publish_refresh(std::chrono::seconds after) {
  const std::uint64_t generation = ++publish_generation_;
  publish_timer_.expires_after(after);
  publish_timer_.async_wait([weak = weak_from_this(), generation](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->closed_ || generation != self->publish_generation_) return;
    // A PUBLISH already out or waiting renews the publication anyway.
    if (self->etag_.empty() || self->publishing_ || !self->publish_jobs_.empty()) return;
    self->publish_jobs_.push_back(PublishJob{std::nullopt, {}, 0});
    self->publish_next();
  });
}

}  // namespace detail
}  // namespace ims::client
