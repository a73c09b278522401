// mycelium-worker: claims Mycelium's due e-mail, Slack and webhook deliveries,
// sends them, and reports each outcome (docs/integrations.md, "The worker").
// The protocol is the database's: claim_deliveries / finish_delivery and
// claim_webhook_deliveries / finish_webhook_delivery, each claim leased, each
// report fenced by its attempt number; the back-off is computed by the database.
#include <curl/curl.h>
#include <sys/socket.h>
#include <libpq-fe.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "address.hpp"
#include "config.hpp"
#include "message.hpp"

namespace mycelium_worker {
namespace {

volatile std::sig_atomic_t stop_requested = 0;

extern "C" void on_stop_signal(int) { stop_requested = 1; }

using Clock = std::chrono::steady_clock;

std::string utc_now(const char *format, bool milliseconds) {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, format, &tm);
    std::string s = buffer;
    if (milliseconds) {
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
            1000;
        char frac[8];
        std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms));
        s += frac;
    }
    return s;
}

// One line, written at once, so that lines of a busy log never interleave.
void log_line(const std::string &text) {
    const std::string line =
        utc_now("%Y-%m-%dT%H:%M:%S", true) + " mycelium-worker: " + text + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

// Sleeps up to seconds, waking early when a stop is requested.
void nap(double seconds) {
    const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(seconds));
    while (!stop_requested && Clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

// ---------------------------------------------------------------------------
// The database.

struct ResultDeleter {
    void operator()(PGresult *r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

class Database {
  public:
    explicit Database(std::string conninfo) : conninfo_(std::move(conninfo)) {}
    ~Database() {
        if (conn_) PQfinish(conn_);
    }
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // Connects (again); returns the error text, empty on success.
    std::string connect() {
        if (conn_) PQfinish(conn_);
        const char *keys[] = {"dbname", "fallback_application_name", nullptr};
        const char *values[] = {conninfo_.c_str(), "mycelium-worker", nullptr};
        conn_ = PQconnectdbParams(keys, values, 1);
        if (PQstatus(conn_) != CONNECTION_OK) return one_line(PQerrorMessage(conn_));
        return "";
    }
    bool healthy() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

    // Runs one statement in its own transaction (autocommit), text parameters
    // (nullptr is NULL). Never throws: check ok() and sqlstate().
    Result exec(const char *sql, const std::vector<const char *> &params) {
        return Result(PQexecParams(conn_, sql, static_cast<int>(params.size()), nullptr,
                                   params.data(), nullptr, nullptr, 0));
    }
    static bool ok(const Result &r) {
        return r && (PQresultStatus(r.get()) == PGRES_TUPLES_OK ||
                     PQresultStatus(r.get()) == PGRES_COMMAND_OK);
    }
    static std::string sqlstate(const Result &r) {
        const char *s = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
        return s ? s : "";
    }
    // The server's message and SQLSTATE, without the query text and context
    // that a PL/pgSQL error carries (one log line, not a page).
    std::string error(const Result &r) const {
        const char *primary = r ? PQresultErrorField(r.get(), PG_DIAG_MESSAGE_PRIMARY) : nullptr;
        if (!primary) return one_line(PQerrorMessage(conn_));
        const char *hint = PQresultErrorField(r.get(), PG_DIAG_MESSAGE_HINT);
        std::string e = one_line(primary) + " (SQLSTATE " + sqlstate(r) + ")";
        if (hint) e += " HINT: " + one_line(hint);
        return e;
    }
    static std::string one_line(const char *text) {
        std::string s = text ? text : "";
        for (char &c : s) {
            if (c == '\n' || c == '\r') c = ' ';
        }
        while (!s.empty() && s.back() == ' ') s.pop_back();
        return s;
    }

  private:
    std::string conninfo_;
    PGconn *conn_ = nullptr;
};

// A row's field by column name: NULL and a missing column are both "".
struct Row {
    const PGresult *result;
    int row;
    std::string operator[](const char *column) const {
        const int c = PQfnumber(result, column);
        if (c < 0 || PQgetisnull(result, row, c)) return "";
        return PQgetvalue(result, row, c);
    }
    bool has(const char *column) const { return PQfnumber(result, column) >= 0; }
};

// ---------------------------------------------------------------------------
// Sending: one libcurl handle per protocol, kept so that connections are reused.

struct CurlDeleter {
    void operator()(CURL *c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
    void operator()(curl_slist *l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct Sent {
    Outcome outcome;
    long code = 0;  // HTTP status or last SMTP reply code, 0 when none came
};

size_t keep_start(char *data, size_t size, size_t count, void *target) {
    auto *body = static_cast<std::string *>(target);
    const size_t n = size * count;
    if (body->size() < 4096) body->append(data, std::min(n, 4096 - body->size()));
    return n;
}

struct Upload {
    const std::string *data;
    size_t offset = 0;
};
size_t read_upload(char *buffer, size_t size, size_t count, void *source) {
    auto *u = static_cast<Upload *>(source);
    const size_t n = std::min(size * count, u->data->size() - u->offset);
    std::memcpy(buffer, u->data->data() + u->offset, n);
    u->offset += n;
    return n;
}

class Sender {
  public:
    explicit Sender(const Config &config)
        : config_(config), http_(curl_easy_init()), smtp_(curl_easy_init()) {
        if (!http_ || !smtp_) throw std::runtime_error("libcurl could not make a handle");
    }

    Sent post(Channel channel, const std::string &url, const std::string &body,
              const std::vector<std::string> &headers) {
        CURL *c = http_.get();
        curl_easy_reset(c);
        std::string answer;
        char error_buffer[CURL_ERROR_SIZE] = "";
        Slist list;
        for (const auto &h : headers) list.reset(curl_slist_append(list.release(), h.c_str()));
        list.reset(curl_slist_append(list.release(), "Content-Type: application/json"));
        list.reset(curl_slist_append(list.release(), "Expect:"));
        common(c, error_buffer);
        // The address each connection uses is checked before it is made: a
        // tenant's URL must not reach the operator's own network.
        Guard guard{config_.allow_private_addresses, false};
        curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_public_socket);
        curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &guard);
        curl_easy_setopt(c, CURLOPT_URL, url.c_str());
        // Only https, never a redirect: a receiver answers at its own address.
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "mycelium-worker");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_start);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
        const CURLcode rc = curl_easy_perform(c);
        Sent s;
        if (guard.refused) {
            // Not the receiver's failure: the URL itself is not allowed, so
            // trying again cannot help.
            s.outcome.error =
                "refused: the URL's host is a loopback, private or link-local address";
            s.outcome.permanent = true;
            return s;
        }
        if (rc != CURLE_OK) {
            s.outcome.error = transfer_error(rc, error_buffer);
            return s;
        }
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &s.code);
        s.outcome = http_outcome(channel, s.code, answer);
        return s;
    }

    Sent mail(const std::string &to, const std::string &message) {
        CURL *c = smtp_.get();
        curl_easy_reset(c);
        char error_buffer[CURL_ERROR_SIZE] = "";
        common(c, error_buffer);
        const std::string scheme = config_.smtp_tls == SmtpTls::tls ? "smtps://" : "smtp://";
        const std::string url =
            scheme + config_.smtp_host + ":" + std::to_string(config_.smtp_port);
        curl_easy_setopt(c, CURLOPT_URL, url.c_str());
        curl_easy_setopt(c, CURLOPT_USE_SSL,
                         config_.smtp_tls == SmtpTls::none ? static_cast<long>(CURLUSESSL_NONE)
                                                           : static_cast<long>(CURLUSESSL_ALL));
        if (!config_.smtp_user.empty()) {
            curl_easy_setopt(c, CURLOPT_USERNAME, config_.smtp_user.c_str());
            curl_easy_setopt(c, CURLOPT_PASSWORD, config_.smtp_password.c_str());
        }
        const std::string from = "<" + config_.smtp_from + ">";
        curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
        Slist rcpt(curl_slist_append(nullptr, ("<" + to + ">").c_str()));
        curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
        Upload upload{&message};
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
        curl_easy_setopt(c, CURLOPT_READDATA, &upload);
        const CURLcode rc = curl_easy_perform(c);
        Sent s;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &s.code);
        if (rc == CURLE_OK) {
            s.outcome.ok = true;
            return s;
        }
        s.outcome.error = "SMTP";
        if (s.code > 0) s.outcome.error += " " + std::to_string(s.code);
        s.outcome.error += ": " + transfer_error(rc, error_buffer);
        // The server refused this recipient for good (5xx to RCPT TO): a
        // bounce, never tried again. Any other failure, a refused sender or
        // login included, is the server's or ours and is retried.
        s.outcome.permanent =
            s.code >= 500 && s.code < 600 && std::strncmp(error_buffer, "RCPT", 4) == 0;
        return s;
    }

  private:
    struct Guard {
        bool allow_private;
        bool refused;
    };
    static curl_socket_t open_public_socket(void *data, curlsocktype, curl_sockaddr *address) {
        auto *guard = static_cast<Guard *>(data);
        if (!guard->allow_private && !is_public_address(&address->addr)) {
            guard->refused = true;
            return CURL_SOCKET_BAD;
        }
        return socket(address->family, address->socktype, address->protocol);
    }

    void common(CURL *c, char *error_buffer) {
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout_seconds * 1000));
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(config_.timeout_seconds * 1000));
        if (!config_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, config_.ca_file.c_str());
    }
    static std::string transfer_error(CURLcode rc, const char *error_buffer) {
        if (rc == CURLE_OPERATION_TIMEDOUT) return std::string("timed out: ") + error_buffer;
        return error_buffer[0] ? std::string(error_buffer) : std::string(curl_easy_strerror(rc));
    }

    const Config &config_;
    std::unique_ptr<CURL, CurlDeleter> http_;
    std::unique_ptr<CURL, CurlDeleter> smtp_;
};

// ---------------------------------------------------------------------------
// The loop.

struct Report {
    std::string channel;  // email, slack or webhook
    std::string organization_id, delivery_id, attempt;
    std::optional<std::string> error;
    bool permanent = false;
    std::string what;  // the log line's start
};

class Worker {
  public:
    Worker(const Config &config, Database &db) : config_(config), db_(db), sender_(config) {
        const auto at = config.smtp_from.find('@');
        mail_domain_ = at == std::string::npos ? "localhost" : config.smtp_from.substr(at + 1);
    }

    // Claims and sends one batch of a channel; returns how many were claimed.
    int serve(const std::string &channel) {
        Result r;
        const std::string batch = std::to_string(config_.batch_size);
        const std::string lease = std::to_string(config_.lease_seconds);
        if (channel == "webhook") {
            r = db_.exec(
                "SELECT * FROM mycelium.claim_webhook_deliveries($1::integer, make_interval(secs "
                "=> $2::integer))",
                {batch.c_str(), lease.c_str()});
        } else {
            r = db_.exec(
                "SELECT * FROM mycelium.claim_deliveries($1, $2::integer, make_interval(secs => "
                "$3::integer))",
                {channel.c_str(), batch.c_str(), lease.c_str()});
        }
        const auto claimed_at = Clock::now();
        if (!Database::ok(r)) {
            log_line("claiming " + channel + " deliveries failed: " + db_.error(r));
            return -1;
        }
        const int n = PQntuples(r.get());
        for (int i = 0; i < n; ++i) {
            const Row row{r.get(), i};
            Report report;
            report.channel = channel;
            report.organization_id = row["organization_id"];
            report.delivery_id = channel == "webhook" ? row["id"] : row["recipient_id"];
            report.attempt = row["attempt"];
            report.what = channel + " delivery=" + report.delivery_id +
                          " organization=" + report.organization_id + " attempt=" + report.attempt;
            // Never start a send that might outlast the lease: another worker
            // could then claim and send it too. Left alone, it is claimed again
            // when the lease runs out.
            const double elapsed = std::chrono::duration<double>(Clock::now() - claimed_at).count();
            if (stop_requested || elapsed + config_.timeout_seconds + 1 > config_.lease_seconds) {
                log_line(report.what + " -> left to its lease (" +
                         (stop_requested ? "stopping" : "the lease would run out during the send") +
                         ")");
                continue;
            }
            const auto started = Clock::now();
            Sent sent = channel == "email"   ? send_email(row, report)
                        : channel == "slack" ? send_slack(row, report)
                                             : send_webhook(row, report);
            const auto ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started)
                    .count();
            if (!sent.outcome.ok) {
                report.error = sent.outcome.error.empty() ? "failed" : sent.outcome.error;
                report.permanent = sent.outcome.permanent;
            }
            report.what += " (" + std::to_string(ms) + " ms)";
            finish(std::move(report));
        }
        return n;
    }

    // Reports again what could not be reported (a lock wait ran out, the
    // connection was lost); returns false while some remain.
    bool flush_pending() {
        const size_t n = pending_.size();
        for (size_t i = 0; i < n && !pending_.empty(); ++i) {
            Report report = std::move(pending_.front());
            pending_.pop_front();
            finish(std::move(report));
        }
        return pending_.empty();
    }
    size_t pending() const { return pending_.size(); }

  private:
    Sent send_email(const Row &row, Report &report) {
        const std::string to = row["email_address"];
        report.what += " to=" + to;
        if (!valid_mailbox(to)) {
            Sent s;
            s.outcome.permanent = true;
            s.outcome.error = "not an address the worker can send to: '" + one_line(to, 100) + "'";
            return s;
        }
        Email e;
        e.from = config_.smtp_from;
        e.from_name = config_.smtp_from_name;
        e.to = to;
        e.to_name = row["user_name"];
        e.title = row["title"];
        e.message = row["message"];
        e.header_html = row["email_header_html"];
        e.footer_html = row["email_footer_html"];
        e.signature = row["email_signature"];
        // The same over retries, so that a receiving system can tell a repeat.
        e.message_id = "<" + row["recipient_id"] + "@" + mail_domain_ + ">";
        e.date = utc_now("%a, %d %b %Y %H:%M:%S +0000", false);
        return sender_.mail(to, compose_email(e));
    }

    Sent send_slack(const Row &row, Report &) {
        const std::string url = row["slack_webhook_url"];
        if (url.empty()) {
            // Since 0.2.0 a Slack delivery is queued only while the organization
            // has a connected Slack integration; one disconnected since is a
            // delivery that cannot be made.
            Sent s;
            s.outcome.permanent = true;
            s.outcome.error = "the organization has no connected Slack integration";
            return s;
        }
        return sender_.post(Channel::slack, url, slack_payload(row["title"], row["message"]), {});
    }

    Sent send_webhook(const Row &row, Report &report) {
        const std::string url = row["url"];
        report.what += " webhook-id=" + row["webhook_id"] + " event=" + row["event_type"] +
                       " host=" + host_of(url);
        return sender_.post(
            Channel::webhook, url, row["body"],
            {"webhook-id: " + row["webhook_id"], "webhook-timestamp: " + row["webhook_timestamp"],
             "webhook-signature: " + row["webhook_signature"]});
    }

    // The host of a URL, for the log (a URL's path may hold a token).
    static std::string host_of(const std::string &url) {
        auto start = url.find("://");
        start = start == std::string::npos ? 0 : start + 3;
        const auto end = url.find_first_of("/?#", start);
        return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
    }

    void finish(Report report) {
        const char *error = report.error ? report.error->c_str() : nullptr;
        const char *permanent = report.permanent ? "true" : "false";
        Result r;
        if (db_.healthy()) {
            const char *sql = report.channel == "webhook"
                                  ? "SELECT mycelium.finish_webhook_delivery($1::uuid, $2::uuid, "
                                    "$3::integer, $4, $5::boolean)"
                                  : "SELECT mycelium.finish_delivery($1::uuid, $2::uuid, "
                                    "$3::integer, $4, $5::boolean)";
            r = db_.exec(sql, {report.organization_id.c_str(), report.delivery_id.c_str(),
                               report.attempt.c_str(), error, permanent});
        }
        const std::string said = report.error ? ": " + *report.error : "";
        if (Database::ok(r)) {
            log_line(report.what + " -> " + PQgetvalue(r.get(), 0, 0) + said);
            return;
        }
        const std::string state = Database::sqlstate(r);
        // A lock wait that ran out (55P03), a lost connection or a failed
        // transaction: report again later, before the lease runs out.
        if (!db_.healthy() || state == "55P03" || state.rfind("08", 0) == 0 ||
            state.rfind("40", 0) == 0 || state.rfind("57", 0) == 0) {
            log_line(report.what + " -> sent" + said + ", report deferred: " +
                     (db_.healthy() ? db_.error(r) : std::string("no database connection")));
            pending_.push_back(std::move(report));
            return;
        }
        log_line(report.what + " -> report refused" + said + ": " + db_.error(r));
    }

    const Config &config_;
    Database &db_;
    Sender sender_;
    std::string mail_domain_;
    std::deque<Report> pending_;
};

// What the installed extension offers and the role may call; a channel it
// cannot serve is a configuration error, said at start rather than at each claim.
std::string check_database(Database &db, const Config &config) {
    // The schema first: looking up a function in a schema the role may not use is an error.
    auto r = db.exec(
        "SELECT current_user, n.oid IS NOT NULL, coalesce(has_schema_privilege(n.oid, 'USAGE'), "
        "false) "
        "FROM (SELECT) x LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = 'mycelium'",
        {});
    if (!Database::ok(r)) return "cannot inspect the database: " + db.error(r);
    const std::string role = PQgetvalue(r.get(), 0, 0);
    const std::string grant = "role " + role +
                              " may not claim deliveries: run SELECT mycelium.grant_access('" +
                              role + "', 'delivery') as the extension's owner";
    auto yes = [&](int column) { return std::strcmp(PQgetvalue(r.get(), 0, column), "t") == 0; };
    if (!yes(1)) return "the database has no Mycelium extension (no schema mycelium)";
    if (!yes(2)) return grant;
    r = db.exec(
        "SELECT NULL, "
        "  to_regprocedure('mycelium.claim_deliveries(text, integer, interval)') IS NOT NULL, "
        "  coalesce(has_function_privilege('mycelium.claim_deliveries(text, integer, interval)', "
        "'EXECUTE'), false), "
        "  EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = "
        "to_regtype('mycelium.delivery')::text::regclass"
        "          AND attname = 'slack_webhook_url' AND NOT attisdropped), "
        "  to_regprocedure('mycelium.claim_webhook_deliveries(integer, interval)') IS NOT NULL "
        "  AND to_regprocedure('mycelium.finish_webhook_delivery(uuid, uuid, integer, text, "
        "boolean)') IS NOT NULL",
        {});
    if (!Database::ok(r)) return "cannot inspect the database: " + db.error(r);
    if (!yes(1))
        return "the database has no Mycelium extension (mycelium.claim_deliveries is missing)";
    if (!yes(2)) return grant;
    if (config.serves("slack") && !yes(3)) {
        return "this Mycelium does not hand out Slack webhook URLs (mycelium.delivery has no "
               "slack_webhook_url): "
               "update the extension, or leave slack out of MYCELIUM_WORKER_CHANNELS";
    }
    if (config.serves("webhook") && !yes(4)) {
        return "this Mycelium has no webhook deliveries (mycelium.claim_webhook_deliveries is "
               "missing): update the "
               "extension, or leave webhook out of MYCELIUM_WORKER_CHANNELS";
    }
    return "";
}

std::string channel_list(const Config &config) {
    std::string s;
    for (const auto &c : config.channels) s += (s.empty() ? "" : ",") + c;
    return s;
}

int run(int argc, char **argv) {
    bool once_flag = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(config_help().c_str(), stdout);
            return 0;
        }
        if (arg == "--once") {
            once_flag = true;
            continue;
        }
        std::fprintf(stderr, "mycelium-worker: unknown argument '%s' (see --help)\n", argv[i]);
        return 2;
    }
    Config config;
    try {
        config = load_config([](const std::string &name) -> std::optional<std::string> {
            const char *v = std::getenv(name.c_str());
            if (!v) return std::nullopt;
            return std::string(v);
        });
    } catch (const ConfigError &e) {
        std::fprintf(stderr, "mycelium-worker: configuration error: %s\n", e.what());
        return 2;
    }
    config.once = config.once || once_flag;

    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        std::fprintf(stderr, "mycelium-worker: libcurl could not start\n");
        return 1;
    }
    Database db(config.conninfo);
    if (std::string e = db.connect(); !e.empty()) {
        std::fprintf(stderr, "mycelium-worker: cannot connect to the database: %s\n", e.c_str());
        return 1;
    }
    if (std::string e = check_database(db, config); !e.empty()) {
        std::fprintf(stderr, "mycelium-worker: configuration error: %s\n", e.c_str());
        return 2;
    }
    log_line("started: channels=" + channel_list(config) +
             " batch=" + std::to_string(config.batch_size) +
             " lease=" + std::to_string(config.lease_seconds) + "s" + (config.once ? " once" : ""));

    Worker worker(config, db);
    // After a failure (no connection, a claim refused), the wait grows from the
    // poll interval to a minute, so that a broken database is not hammered.
    double failure_wait = config.poll_seconds;
    int status = 0;
    while (!stop_requested) {
        if (!db.healthy()) {
            if (std::string e = db.connect(); !e.empty()) {
                log_line("database connection lost, retrying: " + e);
                if (config.once) {
                    status = 1;
                    break;
                }
                nap(failure_wait);
                failure_wait = std::min(failure_wait * 2, 60.0);
                continue;
            }
            log_line("database connection restored");
        }
        worker.flush_pending();
        bool full = false, failed = false;
        int claimed = 0;
        for (const auto &channel : config.channels) {
            if (stop_requested) break;
            const int n = worker.serve(channel);
            failed = failed || n < 0;
            claimed += std::max(n, 0);
            full = full || n == config.batch_size;
        }
        if (config.once && failed) {
            status = 1;
            break;
        }
        if (config.once && claimed == 0) break;
        if (failed) {
            nap(failure_wait);
            failure_wait = std::min(failure_wait * 2, 60.0);
            continue;
        }
        failure_wait = config.poll_seconds;
        // A full batch means more may be due: go on at once.
        if (!full) nap(config.poll_seconds);
    }
    if (!worker.flush_pending()) {
        log_line(std::to_string(worker.pending()) +
                 " reports could not be made: those deliveries are sent again when their lease "
                 "runs out");
    }
    log_line(stop_requested ? "stopped by a signal"
             : status       ? "stopped: the database failed (see above)"
                            : "nothing more is due: done");
    curl_global_cleanup();
    return status;
}

}  // namespace
}  // namespace mycelium_worker

int main(int argc, char **argv) { return mycelium_worker::run(argc, argv); }
