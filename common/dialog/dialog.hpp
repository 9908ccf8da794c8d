#pragma once
// Dialog: one side's state of an RFC 3261 §12 dialog (a UA's INVITE dialog, or one leg of the
// switch's B2BUA). Sans-I/O: built from the INVITE and the response that created the dialog, it
// builds in-dialog requests (§12.2.1.1) and the ACK of a 2xx (§13.2.2.4), and checks the requests
// the peer sends within it (§12.2.2: CSeq order, target refresh). The caller adds the top Via (the
// stack needs its final branch) and sends the request where remote_target() or the route set says.
//
// Owner: whoever holds the session (a B2BUA leg, a client ImSession). Not thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/sip/message.hpp"
#include "common/sip/method.hpp"
#include "common/util/result.hpp"

namespace ims::dialog {

// Why a dialog could not be built from the messages given.
enum class DialogErrc {
  MissingTag = 1,  // From tag (UAS) or To tag (UAC) absent
  BadContact,      // no Contact, or one that is not a SIP URI
  BadHeader,       // From, To, Call-ID, CSeq or Record-Route unusable
};
const std::error_category& dialog_category();
std::error_code make_error_code(DialogErrc e);

// §12: Call-ID, local tag and remote tag identify a dialog.
struct DialogId {
  std::string call_id;
  std::string local_tag;
  std::string remote_tag;

  friend bool operator==(const DialogId&, const DialogId&) = default;
};

struct DialogIdHash {
  std::size_t operator()(const DialogId& id) const noexcept;
};

// The id of the dialog a received request belongs to, seen from the receiver: local tag = the
// request's To tag, remote tag = its From tag. A request without a To tag belongs to none.
std::optional<DialogId> id_of_received_request(const sip::Message& request);
// The id of the dialog a received response belongs to, seen from the UAC that sent the request:
// local tag = From tag, remote tag = To tag.
std::optional<DialogId> id_of_received_response(const sip::Message& response);

// Why a request received within a dialog is refused; the status says what to answer.
struct Refusal {
  int status = 500;    // §12.2.2: 500 for a CSeq lower than the last one
  std::string reason;  // reason phrase
};

class Dialog {
 public:
  // §12.1.2: the UAC's dialog from the INVITE it sent and a 2xx (or a 101-199 with a To tag)
  // received for it. Fails when the response carries no To tag or no usable Contact.
  static Result<Dialog> from_uac(const sip::Message& invite, const sip::Message& response);
  // §12.1.1: the UAS's dialog from the INVITE it received and the To tag and Contact it puts in its
  // 2xx. Fails when the INVITE has no From tag or no usable Contact.
  static Result<Dialog> from_uas(const sip::Message& invite, std::string_view local_tag,
                                 std::string_view local_contact);

  const DialogId& id() const { return id_; }
  std::string_view local_uri() const { return local_uri_; }          // From of our requests
  std::string_view remote_uri() const { return remote_uri_; }        // To of our requests
  std::string_view remote_target() const { return remote_target_; }  // the peer's Contact URI
  const std::vector<std::string>& route_set() const { return route_set_; }
  std::uint32_t local_seq() const { return local_seq_; }
  std::optional<std::uint32_t> remote_seq() const { return remote_seq_; }
  bool secure() const { return secure_; }

  // §12.2.1.1: a new request within the dialog (not ACK, not CANCEL): Request-URI and Route from
  // the route set and remote target (loose or strict routing), From with the local tag, To with the
  // remote tag, Call-ID, CSeq one above the last local one, Max-Forwards 70 and Contact. No Via:
  // the caller adds it.
  sip::Message make_request(sip::Method method);
  // §13.2.2.4: the ACK for a 2xx to the INVITE (or re-INVITE) with CSeq number invite_cseq. Same
  // Request-URI and Route as make_request; no Via.
  sip::Message make_ack(std::uint32_t invite_cseq) const;

  // §12.2.2: a request the peer sent within this dialog. A CSeq lower than or equal to the last one
  // is refused (500; an ACK or CANCEL is not checked); otherwise the remote sequence advances and
  // a target refresh (re-INVITE, UPDATE, SUBSCRIBE) with a Contact replaces the remote target.
  // Returns the refusal, or nullopt when the request is in order.
  std::optional<Refusal> on_request(const sip::Message& request);
  // §12.2.1.2: a 2xx to a target refresh we sent replaces the remote target with its Contact.
  void on_refresh_response(const sip::Message& response);

 private:
  Dialog() = default;

  DialogId id_;
  std::string local_uri_;               // name-addr as in our From, without tag
  std::string remote_uri_;              // name-addr as in our To, without tag
  std::string local_contact_;           // our Contact header value
  std::string remote_target_;           // URI
  std::vector<std::string> route_set_;  // Route header values, in the order we send them
  std::uint32_t local_seq_ = 0;
  std::optional<std::uint32_t> remote_seq_;
  bool secure_ = false;
};

}  // namespace ims::dialog

template <>
struct std::is_error_code_enum<ims::dialog::DialogErrc> : std::true_type {};
