#pragma once
// SessionPeer: a SIP user agent over UDP for black-box tests of IM sessions through the switch
// (PRODUCT §4): it registers a device (with or without +imswitch.session), opens sessions as an
// initiator (INVITE with digest, ACK, CANCEL), takes them as a target (180/200/4xx/6xx), and
// sends and answers in-dialog requests. Each step is explicit so a test can play any order and
// any answer (a dead leg's 481, a 488 to a re-INVITE ...).
//
// Independent of the switch's code: messages are text, read with parse_sip(), digests come from
// agent_client's OpenSSL helpers. Owned by one test, single-threaded; every wait has a deadline.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/harness.hpp"
#include "tests/integration/sip_client.hpp"

namespace ims::test {

// One side's view of a dialog (RFC 3261 §12) as the test peer keeps it.
struct PeerDialog {
  std::string call_id;
  std::string local_uri;   // our From in requests we send
  std::string local_tag;
  std::string remote_uri;  // our To in requests we send
  std::string remote_tag;
  std::string remote_target;  // Request-URI of requests we send
  std::uint32_t cseq = 1;     // of the last request we sent
  std::string invite_branch;  // UAC: the INVITE's branch (CANCEL and non-2xx ACK reuse it)
};

class SessionPeer {
 public:
  static std::unique_ptr<SessionPeer> open(const SwitchProcess& sw, std::string login,
                                           std::string* error);
  const std::string& login() const { return login_; }
  std::string aor() const;      // sip:<login>@127.0.0.1
  std::string contact() const;  // sip:<login>@127.0.0.1:<port>

  // REGISTER this device (digest on 401); session_capable adds ;+imswitch.session. Returns the
  // final status, -1 on timeout.
  int register_device(bool session_capable);

  // ---- as initiator -------------------------------------------------------------------------
  // INVITE sip:<target>@127.0.0.1 with the body; a 407 is ACKed and answered with credentials.
  // Returns the dialog (remote tag and target filled in by final()).
  PeerDialog invite(std::string_view target, std::string_view content_type, std::string_view body);
  // The final response to the INVITE (1xx skipped, the first 180 remembered); nullopt on timeout.
  // A 2xx fills in the remote tag and target.
  std::optional<SipMessage> final(PeerDialog& d, Millis timeout = 10s);
  bool rang() const { return rang_; }
  // The next provisional response with `status` to the INVITE (e.g. 182 Queued), skipping
  // other provisionals; a final response is left for final(). nullopt on timeout or final.
  std::optional<SipMessage> provisional(const PeerDialog& d, int status, Millis timeout = 5s);
  // ACK a 2xx (new transaction, §13.2.2.4) or a failure (the INVITE's branch, §17.1.1.3).
  void ack(const PeerDialog& d, const SipMessage& final_response);
  void cancel(const PeerDialog& d);
  std::optional<SipMessage> cancel_response(const PeerDialog& d, Millis timeout = 5s);

  // ---- as target ----------------------------------------------------------------------------
  // The next request of `method` from the switch (others wait in the inbox); nullopt on timeout.
  std::optional<SipMessage> next_request(std::string_view method, Millis timeout = 10s);
  // Answers a request. For an INVITE without To tag, a tag is added (and kept for the dialog).
  void reply(const SipMessage& request, int status, std::vector<std::string> headers = {},
             std::string_view content_type = {}, std::string_view body = {});
  // Accepts an INVITE with 200 (Contact: this device): the UAS dialog.
  PeerDialog accept(const SipMessage& invite);

  // ---- within a dialog ----------------------------------------------------------------------
  // Sends a request in the dialog (CSeq + 1, or the CSeq given); returns its CSeq.
  std::uint32_t send_in_dialog(PeerDialog& d, std::string_view method,
                               std::string_view content_type = {}, std::string_view body = {},
                               std::optional<std::uint32_t> cseq = std::nullopt);
  // The final response to request CSeq `cseq` of the dialog; nullopt on timeout.
  std::optional<SipMessage> response(const PeerDialog& d, std::uint32_t cseq,
                                     Millis timeout = 5s);

  // Sends raw text to the switch.
  void send(const std::string& text);

 private:
  SessionPeer() = default;
  // Reads one datagram (or none before deadline) and files it.
  bool pump(Millis timeout);
  std::optional<SipMessage> take_response(std::string_view call_id, std::uint32_t cseq,
                                          std::string_view method, bool final_only);
  std::string build_request(const PeerDialog& d, std::string_view method, std::uint32_t cseq,
                            const std::string& branch, std::string_view content_type,
                            std::string_view body, const std::vector<std::string>& extra,
                            std::string_view contact_suffix = {});
  std::string response_text(const SipMessage& request, int status, const std::string& to_tag,
                            const std::vector<std::string>& headers,
                            std::string_view content_type, std::string_view body) const;

  std::unique_ptr<UdpClient> udp_;
  Listener switch_;
  std::string login_;
  std::string password_;
  std::deque<SipMessage> requests_;
  std::deque<SipMessage> responses_;
  std::map<std::string, std::string> answered_;  // request key -> our response (retransmissions)
  std::map<std::string, std::string> tags_;      // Call-ID -> our To tag as UAS
  bool rang_ = false;
};

}  // namespace ims::test
