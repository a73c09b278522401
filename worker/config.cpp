#include "config.hpp"

#include "message.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace mycelium_worker {

namespace {

constexpr const char *prefix = "MYCELIUM_WORKER_";

std::string trim(const std::string &s) {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string::npos) return "";
    const auto last = s.find_last_not_of(" \t\r");
    return s.substr(first, last - first + 1);
}

long parse_integer(const std::string &name, const std::string &value, long low, long high) {
    errno = 0;
    char *end = nullptr;
    const long n = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || errno == ERANGE || n < low || n > high) {
        throw ConfigError(name + " must be a whole number between " + std::to_string(low) +
                          " and " + std::to_string(high) + ", not '" + value + "'");
    }
    return n;
}

double parse_seconds(const std::string &name, const std::string &value, double low, double high) {
    errno = 0;
    char *end = nullptr;
    const double n = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(n) || n < low ||
        n > high) {
        std::ostringstream message;
        message << name << " must be a number of seconds between " << low << " and " << high
                << ", not '" << value << "'";
        throw ConfigError(message.str());
    }
    return n;
}

bool parse_boolean(const std::string &name, const std::string &value) {
    std::string v = value;
    std::transform(v.begin(), v.end(), v.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
    if (v == "0" || v == "false" || v == "no" || v == "off" || v.empty()) return false;
    throw ConfigError(name + " must be true or false, not '" + value + "'");
}

}  // namespace

bool Config::serves(const std::string &channel) const {
    return std::find(channels.begin(), channels.end(), channel) != channels.end();
}

std::map<std::string, std::string> read_config_file(const std::string &path) {
    std::ifstream in(path);
    if (!in) throw ConfigError("MYCELIUM_WORKER_CONFIG: cannot read '" + path + "'");
    std::map<std::string, std::string> values;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        const std::string t = trim(line);
        if (t.empty() || t[0] == '#') continue;
        const auto eq = t.find('=');
        const std::string where = path + ":" + std::to_string(number);
        if (eq == std::string::npos) throw ConfigError(where + ": expected NAME=value");
        const std::string key = trim(t.substr(0, eq));
        std::string value = trim(t.substr(eq + 1));
        if (key.rfind(prefix, 0) != 0)
            throw ConfigError(where + ": " + key + " is not a MYCELIUM_WORKER_ variable");
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        values[key] = value;
    }
    return values;
}

Config load_config(const std::function<std::optional<std::string>(const std::string &)> &lookup) {
    std::map<std::string, std::string> file;
    if (auto path = lookup("MYCELIUM_WORKER_CONFIG"); path && !path->empty())
        file = read_config_file(*path);
    const std::vector<std::string> known = {
        "CONNINFO",       "CHANNELS",   "SMTP_HOST", "SMTP_PORT",     "SMTP_FROM",
        "SMTP_FROM_NAME", "SMTP_TLS",   "SMTP_USER", "SMTP_PASSWORD", "HTTP_TIMEOUT",
        "CA_FILE",        "BATCH_SIZE", "LEASE",     "POLL_INTERVAL", "ONCE"};
    for (const auto &[key, value] : file) {
        if (std::find(known.begin(), known.end(), key.substr(std::string(prefix).size())) ==
            known.end()) {
            throw ConfigError("MYCELIUM_WORKER_CONFIG: unknown variable " + key);
        }
    }
    // The environment wins over the file.
    auto get = [&](const std::string &suffix) -> std::optional<std::string> {
        const std::string name = prefix + suffix;
        if (auto v = lookup(name)) return v;
        if (auto it = file.find(name); it != file.end()) return it->second;
        return std::nullopt;
    };
    auto get_or = [&](const std::string &suffix, const std::string &fallback) {
        auto v = get(suffix);
        return v ? *v : fallback;
    };

    Config c;
    c.conninfo = get_or("CONNINFO", "");

    const std::string channels = get_or("CHANNELS", "email,slack,webhook");
    std::stringstream list(channels);
    for (std::string item; std::getline(list, item, ',');) {
        item = trim(item);
        if (item != "email" && item != "slack" && item != "webhook") {
            throw ConfigError("MYCELIUM_WORKER_CHANNELS: '" + item +
                              "' is not a channel (email, slack, webhook)");
        }
        if (!c.serves(item)) c.channels.push_back(item);
    }
    if (c.channels.empty()) throw ConfigError("MYCELIUM_WORKER_CHANNELS: names no channel");

    const std::string tls = get_or("SMTP_TLS", "starttls");
    if (tls == "none") {
        c.smtp_tls = SmtpTls::none;
    } else if (tls == "starttls") {
        c.smtp_tls = SmtpTls::starttls;
    } else if (tls == "tls") {
        c.smtp_tls = SmtpTls::tls;
    } else {
        throw ConfigError("MYCELIUM_WORKER_SMTP_TLS must be none, starttls or tls, not '" + tls +
                          "'");
    }
    if (c.serves("email")) {
        c.smtp_host = get_or("SMTP_HOST", "");
        if (c.smtp_host.empty() || c.smtp_host.find_first_of(" /\t\r\n@") != std::string::npos) {
            throw ConfigError(
                "MYCELIUM_WORKER_SMTP_HOST must name the mail server (a host name or address) to "
                "send e-mail; "
                "or leave email out of MYCELIUM_WORKER_CHANNELS");
        }
        const int default_port = c.smtp_tls == SmtpTls::tls        ? 465
                                 : c.smtp_tls == SmtpTls::starttls ? 587
                                                                   : 25;
        c.smtp_port = static_cast<int>(
            parse_integer("MYCELIUM_WORKER_SMTP_PORT",
                          get_or("SMTP_PORT", std::to_string(default_port)), 1, 65535));
        c.smtp_from = get_or("SMTP_FROM", "");
        if (!valid_mailbox(c.smtp_from)) {
            throw ConfigError(
                "MYCELIUM_WORKER_SMTP_FROM must be the sender's address (name@domain), not '" +
                c.smtp_from + "'");
        }
        c.smtp_from_name = get_or("SMTP_FROM_NAME", "");
        if (c.smtp_from_name.find_first_of("\r\n") != std::string::npos) {
            throw ConfigError("MYCELIUM_WORKER_SMTP_FROM_NAME must be one line");
        }
        c.smtp_user = get_or("SMTP_USER", "");
        c.smtp_password = get_or("SMTP_PASSWORD", "");
        if (c.smtp_user.empty() != c.smtp_password.empty()) {
            throw ConfigError(
                "MYCELIUM_WORKER_SMTP_USER and MYCELIUM_WORKER_SMTP_PASSWORD go together");
        }
        if (!c.smtp_user.empty() && c.smtp_tls == SmtpTls::none) {
            throw ConfigError(
                "MYCELIUM_WORKER_SMTP_USER: credentials are not sent in clear; set "
                "MYCELIUM_WORKER_SMTP_TLS "
                "to starttls or tls");
        }
    }

    c.timeout_seconds =
        parse_seconds("MYCELIUM_WORKER_HTTP_TIMEOUT", get_or("HTTP_TIMEOUT", "10"), 0.1, 300);
    c.ca_file = get_or("CA_FILE", "");
    if (!c.ca_file.empty() && !std::ifstream(c.ca_file)) {
        throw ConfigError("MYCELIUM_WORKER_CA_FILE: cannot read '" + c.ca_file + "'");
    }
    c.batch_size = static_cast<int>(
        parse_integer("MYCELIUM_WORKER_BATCH_SIZE", get_or("BATCH_SIZE", "50"), 1, 10000));
    c.lease_seconds =
        static_cast<int>(parse_integer("MYCELIUM_WORKER_LEASE", get_or("LEASE", "300"), 1, 86400));
    // A send must end well inside its lease, or the delivery may be handed to
    // another worker while this one still sends it.
    if (c.lease_seconds < 2 * c.timeout_seconds + 1) {
        std::ostringstream message;
        message << "MYCELIUM_WORKER_LEASE (" << c.lease_seconds
                << " s) must be more than twice MYCELIUM_WORKER_HTTP_TIMEOUT (" << c.timeout_seconds
                << " s) plus a second, so that a send ends inside its lease";
        throw ConfigError(message.str());
    }
    c.poll_seconds =
        parse_seconds("MYCELIUM_WORKER_POLL_INTERVAL", get_or("POLL_INTERVAL", "5"), 0.05, 3600);
    c.once = parse_boolean("MYCELIUM_WORKER_ONCE", get_or("ONCE", ""));
    c.allow_private_addresses = parse_boolean("MYCELIUM_WORKER_ALLOW_PRIVATE_ADDRESSES",
                                              get_or("ALLOW_PRIVATE_ADDRESSES", ""));
    return c;
}

std::string config_help() {
    return R"(mycelium-worker: sends Mycelium's e-mail, Slack and webhook deliveries.

Usage: mycelium-worker [--once] [--help]

Configured by environment variables (or a file of NAME=value lines named by
MYCELIUM_WORKER_CONFIG; the environment wins):
  MYCELIUM_WORKER_CONNINFO        libpq connection string (default: libpq's PG* variables);
                                  its role needs mycelium.grant_access(role, 'delivery')
  MYCELIUM_WORKER_CHANNELS        channels to serve (default email,slack,webhook)
  MYCELIUM_WORKER_SMTP_HOST       mail server (required for email)
  MYCELIUM_WORKER_SMTP_PORT       default 587 (starttls), 465 (tls), 25 (none)
  MYCELIUM_WORKER_SMTP_TLS        starttls (default, required), tls, or none
  MYCELIUM_WORKER_SMTP_FROM       sender address (required for email)
  MYCELIUM_WORKER_SMTP_FROM_NAME  sender display name (optional)
  MYCELIUM_WORKER_SMTP_USER, MYCELIUM_WORKER_SMTP_PASSWORD   SMTP AUTH (optional, both)
  MYCELIUM_WORKER_HTTP_TIMEOUT    seconds one send may take, connecting included (default 10)
  MYCELIUM_WORKER_CA_FILE         PEM file of CAs to trust for HTTPS and SMTP TLS (default: the system's)
  MYCELIUM_WORKER_BATCH_SIZE      deliveries claimed at a time, per channel (default 50)
  MYCELIUM_WORKER_LEASE           seconds a claimed delivery is leased (default 300)
  MYCELIUM_WORKER_POLL_INTERVAL   seconds to wait when nothing is due (default 5)
  MYCELIUM_WORKER_ONCE            true: send what is due, then exit (as --once)
  MYCELIUM_WORKER_ALLOW_PRIVATE_ADDRESSES
                                  true: Slack and webhook POSTs may reach loopback, private and
                                  link-local addresses (default false: refused, for good)
Stops cleanly on SIGTERM or SIGINT. Exit status: 0 stopped, 1 could not run, 2 configuration error.
)";
}

}  // namespace mycelium_worker
