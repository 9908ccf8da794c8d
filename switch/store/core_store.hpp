#pragma once
// CoreStore: one SIP core's view of a store that several cores share. Every operation goes to
// the shared store unchanged; its completion, which the shared store posts to its own
// executor, is passed on to this core's executor, so that each core's handlers run on the
// core that made the call (Store's contract, per core). Operations made by one core complete
// on it in the order they were made.
//
// Owner: the application, one per core beside the shared store, which must outlive it.
// close() is the shared store's business and does nothing here.

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>

#include "switch/store/store.hpp"

namespace ims::sw::store {

class CoreStore final : public Store {
 public:
  CoreStore(Store& shared, boost::asio::any_io_executor core)
      : shared_(&shared), core_(std::move(core)) {}

  Result<std::vector<Binding>> load_bindings() override { return shared_->load_bindings(); }
  void put_binding(Binding binding, Done done) override {
    shared_->put_binding(std::move(binding), here(std::move(done)));
  }
  void remove_binding(std::string aor, std::string contact, Done done) override {
    shared_->remove_binding(std::move(aor), std::move(contact), here(std::move(done)));
  }
  void remove_bindings(std::string aor, Done done) override {
    shared_->remove_bindings(std::move(aor), here(std::move(done)));
  }
  void store_message(StoredMessage message, std::size_t max_per_recipient,
                     std::function<void(Result<std::int64_t>)> done) override {
    shared_->store_message(std::move(message), max_per_recipient, here(std::move(done)));
  }
  void pending_messages(std::string recipient, std::size_t limit,
                        std::function<void(Result<std::vector<StoredMessage>>)> done) override {
    shared_->pending_messages(std::move(recipient), limit, here(std::move(done)));
  }
  void delete_message(std::int64_t id, Done done) override {
    shared_->delete_message(id, here(std::move(done)));
  }
  void readdress_message(std::int64_t id, std::string recipient, Done done) override {
    shared_->readdress_message(id, std::move(recipient), here(std::move(done)));
  }
  void expire(std::int64_t now_ms, std::function<void(Result<ExpiredCounts>)> done) override {
    shared_->expire(now_ms, here(std::move(done)));
  }
  void record_session_start(SessionRecord session, Done done) override {
    shared_->record_session_start(std::move(session), here(std::move(done)));
  }
  void record_session_end(std::string session_id, std::int64_t ended_at_ms, std::string ended_by,
                          std::string end_reason, Done done) override {
    shared_->record_session_end(std::move(session_id), ended_at_ms, std::move(ended_by),
                                std::move(end_reason), here(std::move(done)));
  }
  void record_session_answer(std::string session_id, std::string agent, Done done) override {
    shared_->record_session_answer(std::move(session_id), std::move(agent),
                                   here(std::move(done)));
  }
  void record_offer(OfferRecord offer, Done done) override {
    shared_->record_offer(std::move(offer), here(std::move(done)));
  }
  void append_message(TranscriptEntry entry, Done done) override {
    shared_->append_message(std::move(entry), here(std::move(done)));
  }
  void end_live_sessions(std::int64_t now_ms, std::string reason,
                         std::function<void(Result<std::size_t>)> done) override {
    shared_->end_live_sessions(now_ms, std::move(reason), here(std::move(done)));
  }
  void load_transcript(std::string session_id,
                       std::function<void(Result<Transcript>)> done) override {
    shared_->load_transcript(std::move(session_id), here(std::move(done)));
  }
  Result<std::vector<Publication>> load_publications() override {
    return shared_->load_publications();
  }
  void put_publication(Publication publication, std::string replaces, Done done) override {
    shared_->put_publication(std::move(publication), std::move(replaces), here(std::move(done)));
  }
  void remove_publication(std::string login, std::string etag, Done done) override {
    shared_->remove_publication(std::move(login), std::move(etag), here(std::move(done)));
  }
  void search_transcripts(TranscriptQuery query,
                          std::function<void(Result<TranscriptPage>)> done) override {
    shared_->search_transcripts(std::move(query), here(std::move(done)));
  }
  void list_sessions(SessionQuery query,
                     std::function<void(Result<SessionPage>)> done) override {
    shared_->list_sessions(std::move(query), here(std::move(done)));
  }
  void upsert_contacts(std::vector<Contact> contacts, Done done) override {
    shared_->upsert_contacts(std::move(contacts), here(std::move(done)));
  }
  void add_contact_history(std::vector<ContactHistoryEntry> entries, Done done) override {
    shared_->add_contact_history(std::move(entries), here(std::move(done)));
  }
  void get_contact(std::string id, std::function<void(Result<Contact>)> done) override {
    shared_->get_contact(std::move(id), here(std::move(done)));
  }
  void search_contacts(std::string text, std::size_t limit,
                       std::function<void(Result<std::vector<Contact>>)> done) override {
    shared_->search_contacts(std::move(text), limit, here(std::move(done)));
  }
  void contact_history(ContactHistoryQuery query,
                       std::function<void(Result<std::vector<ContactHistoryItem>>)> done) override {
    shared_->contact_history(std::move(query), here(std::move(done)));
  }
  void close() override {}

 private:
  // The handler, re-posted to this core when the shared store completes it.
  template <class R>
  std::function<void(R)> here(std::function<void(R)> done) {
    return [core = core_, done = std::move(done)](R result) mutable {
      boost::asio::post(core, [done = std::move(done), result = std::move(result)]() mutable {
        done(std::move(result));
      });
    };
  }

  Store* shared_;
  boost::asio::any_io_executor core_;
};

}  // namespace ims::sw::store
