// mycelium-worker's configuration: environment variables, optionally a file of
// the same names. Pure C++ (no libpq, no libcurl), so that it is unit-tested.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace mycelium_worker {

// A configuration the worker refuses to start with; what() names the variable.
struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class SmtpTls { none, starttls, tls };

struct Config {
    std::string conninfo;               // libpq connection string; empty: libpq's PG* variables
    std::vector<std::string> channels;  // of email, slack, webhook, in the order they are served
    // SMTP, needed when channels has email.
    std::string smtp_host;
    int smtp_port = 0;           // 0: 25 (none), 587 (starttls), 465 (tls)
    std::string smtp_from;       // the envelope and From: address
    std::string smtp_from_name;  // the From: display name, may be empty
    SmtpTls smtp_tls = SmtpTls::starttls;
    std::string smtp_user;
    std::string smtp_password;
    // HTTPS (Slack, webhooks) and the SMTP connection.
    double timeout_seconds = 10;  // one send, connecting included
    std::string ca_file;          // PEM bundle; empty: the system's
    // The loop.
    int batch_size = 50;
    int lease_seconds = 300;
    double poll_seconds = 5;
    bool once = false;  // drain what is due, then exit
    // Let Slack and webhook POSTs reach loopback, private and link-local
    // addresses (worker/address.hpp); for tests and closed networks only.
    bool allow_private_addresses = false;

    bool serves(const std::string &channel) const;
};

// Reads KEY=VALUE lines ('#' comments, blank lines; a value may be in double
// quotes) into a map. Throws ConfigError naming the file and line.
std::map<std::string, std::string> read_config_file(const std::string &path);

// Builds the configuration from lookup (the environment, or a test's map). When
// lookup has MYCELIUM_WORKER_CONFIG, that file is read first and the
// environment overrides it. Throws ConfigError for the first bad or missing value.
Config load_config(const std::function<std::optional<std::string>(const std::string &)> &lookup);

// The documented variables, for --help.
std::string config_help();

}  // namespace mycelium_worker
