// SwitchTu: who may open an IM session (PRODUCT §4): the same policy as a pager MESSAGE (RFC 3261
// §16.3, §22.3): an authenticated local agent with the im task, speaking for itself, to a local
// agent with the im task. Then the B2BUA takes over.
#include "switch/app/switch_tu.hpp"

namespace ims::sw::app {

void SwitchTu::on_invite(const txn::Key& server, sip::Message request,
                         const transport::Origin& origin) {
  auto admitted = admit(server, request, "IM");
  if (!admitted) return;
  const directory::Agent& target = *admitted->target;
  im_->start(server, std::move(request), origin, admitted->sender, target.login,
             target.im_capacity);
}

}  // namespace ims::sw::app
