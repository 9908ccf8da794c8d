#include "tools/imtool/api_commands.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "common/util/strings.hpp"
#include "tools/imtool/api_text.hpp"
#include "tools/imtool/contacts_file.hpp"

namespace ims::tool {

namespace {

namespace asio = boost::asio;
using nlohmann::json;

// The frame of one command: an io_context, the API client, Ctrl-C, and one result printed.
// Every call is bounded by the client's time-out.
class ApiRun {
 public:
  ApiRun(client::ApiOptions options, bool as_json)
      : options_(std::move(options)), json_(as_json), signals_(io_, SIGINT, SIGTERM) {}

  // Runs `start` with the client once the loop runs; it ends with finish() or fail().
  template <class Start>
  Exit run(Start start) {
    auto api = client::ApiClient::create(io_.get_executor(), options_);
    if (!api) {
      fail(Exit::Usage, api.error().message);
      return exit_;
    }
    api_ = std::move(*api);
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) fail(Exit::Failure, "interrupted");
    });
    start(*api_);
    io_.run();
    return exit_;
  }

  // Prints the result (JSON: `result` with "exit"; text: `text`) and stops.
  void finish(Exit code, json result, const std::string& text) {
    if (done_) return;
    done_ = true;
    exit_ = code;
    if (!result.is_object()) result = json{{"result", std::move(result)}};
    result["exit"] = static_cast<int>(code);
    if (json_) {
      std::cout << result.dump() << std::endl;
    } else if (!text.empty()) {
      (code == Exit::Ok ? std::cout : std::cerr) << text << std::endl;
    }
    signals_.cancel();
    if (api_) api_->close();
    io_.stop();
  }

  void fail(Exit code, const std::string& why, int status = 0) {
    json j{{"error", why}};
    if (status != 0) j["status"] = status;
    finish(code, std::move(j), "imtool: " + why);
  }
  void fail(const Error& e) { fail(exit_for_api_error(e), e.message, e.status); }

  bool as_json() const { return json_; }
  const client::ApiOptions& options() const { return options_; }

 private:
  asio::io_context io_;
  client::ApiOptions options_;
  bool json_;
  asio::signal_set signals_;
  std::unique_ptr<client::ApiClient> api_;
  Exit exit_ = Exit::Failure;
  bool done_ = false;
};

// Reads a whole file, refusing one over the import bound before reading it.
Result<std::string> read_file(const std::string& path) {
  auto bad = [&](std::string why) {
    return Error{std::make_error_code(std::errc::invalid_argument), path + ": " + why};
  };
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return bad("cannot open it");
  const auto size = in.tellg();
  if (size < 0) return bad("cannot read it");
  if (static_cast<std::size_t>(size) > kMaxImportFileBytes)
    return bad(fmt::format("larger than {} bytes: split it", kMaxImportFileBytes));
  in.seekg(0);
  std::string text(static_cast<std::size_t>(size), '\0');
  if (!in.read(text.data(), size)) return bad("cannot read it");
  return text;
}

bool looks_like_json(const std::string& path, std::string_view text) {
  auto ends_with = [&](std::string_view ext) {
    return path.size() >= ext.size() && util::iequals(std::string_view(path).substr(path.size() - ext.size()), ext);
  };
  if (ends_with(".json")) return true;
  if (ends_with(".csv")) return false;
  // Neither: by its first character.
  const std::string_view t = util::trim(text.substr(0, 64));
  return !t.empty() && (t.front() == '[' || t.front() == '{');
}

// POSTs the batches one after another; stops at the first failure.
class Importer {
 public:
  Importer(ApiRun& run, client::ApiClient& api, std::string file, std::vector<json> batches,
           std::size_t total)
      : run_(run), api_(api), file_(std::move(file)), batches_(std::move(batches)), total_(total) {}

  void next() {
    if (sent_ == batches_.size()) {
      return run_.finish(
          Exit::Ok,
          json{{"file", file_}, {"contacts", total_}, {"imported", imported_},
               {"requests", batches_.size()}},
          fmt::format("imported {} contact{} from {} ({} request{})", imported_,
                      imported_ == 1 ? "" : "s", file_, batches_.size(),
                      batches_.size() == 1 ? "" : "s"));
    }
    const std::size_t count = batches_[sent_].size();
    api_.import_contacts(std::move(batches_[sent_]), [this, count](Result<json> r) {
      if (!r) {
        const std::string why = fmt::format(
            "{}: import stopped at contacts {}-{}: {}; {} of {} imported before it", file_,
            first_ + 1, first_ + count, r.error().message, imported_, total_);
        json j{{"error", why}, {"file", file_}, {"contacts", total_}, {"imported", imported_}};
        if (r.error().status) j["status"] = r.error().status;
        return run_.finish(exit_for_api_error(r.error()), std::move(j), "imtool: " + why);
      }
      const auto it = r->find("upserted");
      imported_ += it != r->end() && it->is_number_unsigned() ? it->get<std::size_t>() : count;
      first_ += count;
      ++sent_;
      next();
    });
  }

 private:
  ApiRun& run_;
  client::ApiClient& api_;
  std::string file_;
  std::vector<json> batches_;
  std::size_t total_;
  std::size_t sent_ = 0;
  std::size_t first_ = 0;  // index of the first contact of the batch out
  std::size_t imported_ = 0;
};

// Follows next_cursor (transcripts --all), gathering the hits.
class TranscriptPages {
 public:
  TranscriptPages(ApiRun& run, client::ApiClient& api, const TranscriptsArgs& args)
      : run_(run), api_(api), args_(args) {}

  void next(std::string cursor) {
    client::TranscriptQuery q{args_.words, args_.party, args_.since_ms, args_.until_ms,
                              args_.limit, std::move(cursor)};
    api_.search_transcripts(q, [this](Result<json> r) {
      if (!r) return run_.fail(r.error());
      ++pages_;
      if (r->contains("hits") && (*r)["hits"].is_array()) {
        for (auto& h : (*r)["hits"]) hits_.push_back(std::move(h));
      }
      const std::string more = r->value("next_cursor", "");
      if (!more.empty() && args_.all && pages_ < kMaxTranscriptPages) return next(more);
      report(more);
    });
  }

 private:
  void report(const std::string& more) {
    json result{{"count", hits_.size()}, {"hits", hits_}};
    if (!more.empty()) result["next_cursor"] = more;
    std::string text;
    for (const auto& h : hits_) text += (text.empty() ? "" : "\n") + transcript_hit_line(h);
    if (hits_.empty()) {
      return run_.finish(Exit::NotFound, std::move(result),
                         "no transcript has \"" + args_.words + "\"");
    }
    if (!more.empty()) {
      text += args_.all ? fmt::format("\n(stopped after {} pages; more hits remain)", pages_)
                        : "\n(more hits: --all fetches them)";
    }
    run_.finish(Exit::Ok, std::move(result), text);
  }

  ApiRun& run_;
  client::ApiClient& api_;
  TranscriptsArgs args_;
  std::size_t pages_ = 0;
  json hits_ = json::array();
};

}  // namespace

Exit run_search(client::ApiOptions options, const SearchArgs& args) {
  ApiRun run(std::move(options), args.json);
  return run.run([&](client::ApiClient& api) {
    api.search_directory(args.text, args.limit, [&](Result<json> r) {
      if (!r) return run.fail(r.error());
      const std::string lines = directory_lines(*r, false);
      if (lines.empty())
        return run.finish(Exit::NotFound, std::move(*r), "nothing matches \"" + args.text + "\"");
      run.finish(Exit::Ok, std::move(*r), lines);
    });
  });
}

Exit run_state(client::ApiOptions options, const StateArgs& args) {
  const std::string login = args.agent.empty() ? options.login : args.agent;
  ApiRun run(std::move(options), args.json);
  if (login.empty()) {
    run.fail(Exit::Usage, "whose state? give --agent <login> with the admin token");
    return Exit::Usage;
  }
  client::AgentState state{args.ready ? client::Presence::Ready : client::Presence::NotReady,
                           args.ready ? std::string() : args.reason};
  return run.run([&](client::ApiClient& api) {
    api.set_state(login, state, [&](Result<json> r) {
      if (!r) return run.fail(r.error());
      run.finish(Exit::Ok, *r, r->value("login", login) + ": " + state_words(*r));
    });
  });
}

Exit run_queues(client::ApiOptions options, const QueuesArgs& args) {
  ApiRun run(std::move(options), args.json);
  return run.run([&](client::ApiClient& api) {
    if (!args.number.empty()) {
      return api.queue(args.number, [&](Result<json> r) {
        if (!r) return run.fail(r.error());
        run.finish(Exit::Ok, *r, queue_details(*r));
      });
    }
    api.queues([&](Result<json> r) {
      if (!r) return run.fail(r.error());
      std::string text;
      if (r->contains("queues") && (*r)["queues"].is_array()) {
        for (const auto& q : (*r)["queues"]) text += (text.empty() ? "" : "\n") + queue_line(q);
      }
      run.finish(Exit::Ok, *r, text.empty() ? "no queues configured" : text);
    });
  });
}

Exit run_transcripts(client::ApiOptions options, const TranscriptsArgs& args) {
  ApiRun run(std::move(options), args.json);
  std::unique_ptr<TranscriptPages> pages;
  return run.run([&](client::ApiClient& api) {
    pages = std::make_unique<TranscriptPages>(run, api, args);
    pages->next({});
  });
}

Exit run_contacts_import(client::ApiOptions options, const ImportArgs& args) {
  ApiRun run(std::move(options), args.json);
  // The whole file is checked before anything is sent: a bad row imports nothing.
  auto text = read_file(args.file);
  if (!text) {
    run.fail(Exit::BadInput, text.error().message);
    return Exit::BadInput;
  }
  auto contacts =
      looks_like_json(args.file, *text) ? contacts_from_json(*text) : contacts_from_csv(*text);
  if (!contacts) {
    run.fail(Exit::BadInput, args.file + ": " + contacts.error().message + "; nothing imported");
    return Exit::BadInput;
  }
  if (contacts->empty()) {
    run.fail(Exit::BadInput, args.file + ": no contacts in it");
    return Exit::BadInput;
  }
  const std::size_t total = contacts->size();
  std::unique_ptr<Importer> importer;
  return run.run([&](client::ApiClient& api) {
    importer = std::make_unique<Importer>(run, api, args.file, import_batches(*contacts), total);
    importer->next();
  });
}

}  // namespace ims::tool
