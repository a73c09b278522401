#include "core/fields.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/field_formats.hpp"
#include "core/interrupts.hpp"
#include "time_limits.hpp"

namespace {

using mycelium::core::compare_decimals;
using mycelium::core::count_graphemes;
using mycelium::core::Decimal;
using mycelium::core::decimal_is_integer;
using mycelium::core::decimal_to_int64;
using mycelium::core::email_problem;
using mycelium::core::Error;
using mycelium::core::ErrorKind;
using mycelium::core::FieldDefinition;
using mycelium::core::FieldType;
using mycelium::core::FieldValidator;
using mycelium::core::interrupt_check;
using mycelium::core::InterruptCheck;
using mycelium::core::is_valid_date;
using mycelium::core::is_valid_datetime;
using mycelium::core::is_valid_time;
using mycelium::core::parse_decimal;
using mycelium::core::phone_problem;
using mycelium::core::Problem;
using mycelium::core::problems_to_json;
using mycelium::core::ReferenceChecker;
using mycelium::core::ServiceValidator;
using mycelium::core::set_interrupt_check;
using mycelium::core::url_problem;

constexpr char kUser[] = "0190a5c4-0000-7000-8000-000000000002";
constexpr char kClient[] = "0190a5c4-0000-7000-8000-000000000003";
constexpr char kStranger[] = "0190a5c4-0000-7000-8000-0000000000ff";

// Knows one active user and one client, and records what it was asked.
struct FakeReferences final : ReferenceChecker {
    mutable std::vector<std::string> asked;
    bool active_user_exists(const std::string &uuid) const override {
        asked.push_back("user " + uuid);
        return uuid == kUser;
    }
    bool client_exists(const std::string &uuid) const override {
        asked.push_back("client " + uuid);
        return uuid == kClient;
    }
};

FieldDefinition def(std::string slug, FieldType type) {
    FieldDefinition d;
    d.name = "Field " + slug;
    d.slug = std::move(slug);
    d.type = type;
    return d;
}

FieldDefinition with_options(FieldDefinition d, std::string options) {
    d.options_json = std::move(options);
    return d;
}

std::vector<std::string> codes(const std::vector<Problem> &problems) {
    std::vector<std::string> out;
    for (const Problem &p : problems) out.push_back(p.field_slug + ":" + p.code);
    return out;
}

std::vector<std::string> check(const ServiceValidator &v, std::string_view values,
                               bool enforce_required = true) {
    FakeReferences refs;
    return codes(v.validate(values, enforce_required, refs));
}

// The codes of the problems of one value in field "f", defined by `d`.
std::vector<std::string> value_codes(FieldDefinition d, const std::string &value,
                                     bool enforce_required = true) {
    d.slug = "f";
    std::vector<FieldDefinition> fields;
    fields.push_back(std::move(d));
    const ServiceValidator v = ServiceValidator::compile(std::move(fields));
    std::vector<std::string> out;
    for (const std::string &c : check(v, "{\"f\": " + value + "}", enforce_required))
        out.push_back(c.substr(2));  // drop "f:"
    return out;
}

std::vector<std::string> none() { return {}; }
std::vector<std::string> one(const char *code) { return {code}; }

std::string repeat(std::string_view unit, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out.append(unit);
    return out;
}

// The error FieldValidator::compile throws for `d`, or "" if it compiles.
std::string definition_error(FieldDefinition d) {
    try {
        FieldValidator::compile(std::move(d));
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter);
        // Named as an error about a row of deliverable_fields (docs/errors.md).
        EXPECT_EQ(e.fields().schema, "mycelium") << e.what();
        EXPECT_EQ(e.fields().table, "deliverable_fields") << e.what();
        return std::string(e.what()) + " | " + e.detail();
    }
    return {};
}

ServiceValidator service(std::vector<FieldDefinition> fields) {
    return ServiceValidator::compile(std::move(fields));
}

// Installs, for one test, an interrupt check that says "stop" from its
// stop_from-th call on and counts its calls; the previous check comes back after.
class ScopedInterruptCheck {
  public:
    static constexpr int kNever = std::numeric_limits<int>::max();
    explicit ScopedInterruptCheck(int stop_from) : previous_(interrupt_check()) {
        calls_ = 0;
        stop_from_ = stop_from;
        set_interrupt_check(&ScopedInterruptCheck::check);
    }
    ~ScopedInterruptCheck() { set_interrupt_check(previous_); }
    ScopedInterruptCheck(const ScopedInterruptCheck &) = delete;
    ScopedInterruptCheck &operator=(const ScopedInterruptCheck &) = delete;
    int calls() const { return calls_; }

  private:
    static bool check() noexcept { return ++calls_ >= stop_from_; }
    static inline int calls_ = 0;
    static inline int stop_from_ = kNever;
    InterruptCheck previous_;
};

// The Error that `f` throws, or nullopt.
template <typename F>
std::optional<Error> error_of(F &&f) {
    try {
        f();
    } catch (const Error &e) {
        return e;
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------
// Types

TEST(FieldTypes, NamesRoundTrip) {
    const char *names[] = {"TEXT",        "TEXTAREA",     "NUMBER", "DECIMAL",  "DATE",
                           "DATETIME",    "TIME",         "EMAIL",  "URL",      "PHONE",
                           "SELECT",      "MULTISELECT",  "RADIO",  "CHECKBOX", "FILE",
                           "USER_SELECT", "CLIENT_SELECT"};
    std::set<FieldType> seen;
    for (const char *name : names) {
        const auto type = mycelium::core::field_type_from_name(name);
        ASSERT_TRUE(type.has_value()) << name;
        EXPECT_STREQ(mycelium::core::field_type_name(*type), name);
        seen.insert(*type);
    }
    EXPECT_EQ(seen.size(), 17u);
    for (const char *bad : {"text", "", "TEXT ", "INTEGER", "USERSELECT"})
        EXPECT_FALSE(mycelium::core::field_type_from_name(bad).has_value()) << bad;
}

// ---------------------------------------------------------------------------
// Exact decimals

Decimal dec(std::string_view text) {
    Decimal d;
    EXPECT_TRUE(parse_decimal(text, d)) << text;
    return d;
}

TEST(Decimals, Grammar) {
    Decimal d;
    for (const char *ok : {"0", "-0", "12", "12.50", "-12.50", "1e400", "1E+2", "1e-2", "0.000001",
                           "123456789012345678901234567890.123456789", "-0.0e-5"})
        EXPECT_TRUE(parse_decimal(ok, d)) << ok;
    for (const char *bad :
         {"",    "-",    "+1",   ".5",    "5.",       "01",          "-01",
          "1,5", " 1",   "1 ",   "NaN",   "Infinity", "-Infinity",   "1e",
          "1e+", "0x10", "1..2", "1.2.3", "--1",      "\xef\xbc\x91"})  // full-width 1
        EXPECT_FALSE(parse_decimal(bad, d)) << bad;
}

TEST(Decimals, ComparisonIsExact) {
    EXPECT_EQ(compare_decimals(dec("-0"), dec("0")), 0);
    EXPECT_EQ(compare_decimals(dec("-0.00"), dec("0e10")), 0);
    EXPECT_EQ(compare_decimals(dec("12.50"), dec("12.5")), 0);
    EXPECT_EQ(compare_decimals(dec("1e2"), dec("100.000")), 0);
    EXPECT_EQ(compare_decimals(dec("0.001e3"), dec("1")), 0);
    EXPECT_LT(compare_decimals(dec("0.1"), dec("0.10000000000000000001")), 0);
    EXPECT_GT(compare_decimals(dec("99999999.990000000000000001"), dec("99999999.99")), 0);
    EXPECT_LT(compare_decimals(dec("0.001"), dec("0.01")), 0);
    EXPECT_LT(compare_decimals(dec("-2"), dec("-1.5")), 0);
    EXPECT_LT(compare_decimals(dec("-1e400"), dec("-99999999.99")), 0);
    EXPECT_GT(compare_decimals(dec("1e400"), dec("99999999.99")), 0);
    EXPECT_GT(compare_decimals(dec("1e99999999999999999999999"), dec("1e400")), 0);
    EXPECT_LT(compare_decimals(dec("1e-99999999999999999999999"), dec("0.01")), 0);
    EXPECT_GT(compare_decimals(dec("1e-99999999999999999999999"), dec("0")), 0);
    EXPECT_LT(compare_decimals(dec("-5"), dec("0")), 0);
    EXPECT_GT(compare_decimals(dec("123"), dec("99.999")), 0);
}

TEST(Decimals, Integers) {
    EXPECT_TRUE(decimal_is_integer(dec("1e3")));
    EXPECT_TRUE(decimal_is_integer(dec("42.000")));
    EXPECT_TRUE(decimal_is_integer(dec("4.2e1")));
    EXPECT_TRUE(decimal_is_integer(dec("-0")));
    EXPECT_FALSE(decimal_is_integer(dec("1.5")));
    EXPECT_FALSE(decimal_is_integer(dec("1e-1")));
    EXPECT_FALSE(decimal_is_integer(dec("1.0000000000000000000001")));

    std::int64_t v = 0;
    EXPECT_TRUE(decimal_to_int64(dec("9223372036854775807"), v));
    EXPECT_EQ(v, INT64_MAX);
    EXPECT_TRUE(decimal_to_int64(dec("-9223372036854775808"), v));
    EXPECT_EQ(v, INT64_MIN);
    EXPECT_TRUE(decimal_to_int64(dec("9.223372036854775807e18"), v));
    EXPECT_EQ(v, INT64_MAX);
    EXPECT_TRUE(decimal_to_int64(dec("-0"), v));
    EXPECT_EQ(v, 0);
    EXPECT_FALSE(decimal_to_int64(dec("9223372036854775808"), v));
    EXPECT_FALSE(decimal_to_int64(dec("-9223372036854775809"), v));
    EXPECT_FALSE(decimal_to_int64(dec("1e19"), v));
    EXPECT_FALSE(decimal_to_int64(dec("1e400"), v));
    EXPECT_FALSE(decimal_to_int64(dec("0.5"), v));
}

// ---------------------------------------------------------------------------
// Dates and times

TEST(Dates, CalendarChecks) {
    for (const char *ok : {"2024-02-29", "2000-02-29", "2023-02-28", "0001-01-01", "9999-12-31",
                           "2024-04-30", "2024-12-31"})
        EXPECT_TRUE(is_valid_date(ok)) << ok;
    for (const char *bad : {"2023-02-29",
                            "1900-02-29",
                            "2100-02-29",
                            "2024-04-31",
                            "2024-13-01",
                            "2024-00-10",
                            "2024-01-00",
                            "2024-01-32",
                            "0000-01-01",
                            "2024-1-01",
                            "2024-01-1",
                            "2024/01/01",
                            "20240101",
                            "2024-01-01 ",
                            " 2024-01-01",
                            "2024-01-01T00:00:00Z",
                            "",
                            "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x94-01-01",
                            "-2024-01-01",
                            "+2024-01-01"})
        EXPECT_FALSE(is_valid_date(bad)) << bad;
}

TEST(Dates, Datetimes) {
    for (const char *ok : {"2024-05-31T14:30:00Z", "2024-05-31T14:30:00+02:00",
                           "2024-05-31T14:30:00-05:30", "2024-05-31t14:30:00z", "2024-05-31T14:30Z",
                           "2024-05-31T14:30:00.1Z", "2024-05-31T14:30:00.123456789+00:00",
                           "2024-02-29T23:59:59-00:00", "2024-05-31T00:00:00+23:59"})
        EXPECT_TRUE(is_valid_datetime(ok)) << ok;
    for (const char *bad :
         {"2024-05-31T14:30:00", "2024-05-31 14:30:00Z", "2024-05-31T14:30:00+0200",
          "2024-05-31T14:30:00+02", "2024-05-31T14:30:00+02:00:00", "2024-05-31T24:00:00Z",
          "2024-05-31T23:59:60Z", "2024-02-30T10:00:00Z", "2024-05-31T14:30:00.Z",
          "2024-05-31T14:30:00.1234567890Z", "2024-05-31T14:30:00+24:00",
          "2024-05-31T14:30:00+02:60", "2024-05-31T14:30:00Z ", "2024-05-31", "2024-05-31T",
          "2024-05-31T14Z", "2024-05-31T1:30:00Z", "2024-05-31T14:30:00ZZ"})
        EXPECT_FALSE(is_valid_datetime(bad)) << bad;
}

TEST(Dates, TimesRefuse2400) {
    for (const char *ok :
         {"00:00", "23:59", "00:00:00", "23:59:59", "12:30:15.5", "23:59:59.999999999"})
        EXPECT_TRUE(is_valid_time(ok)) << ok;
    for (const char *bad : {"24:00", "24:00:00", "24:00:00.000", "12:60", "12:00:60", "1:00",
                            "12:0", "12:00:00.", "12:00:00.1234567890", "12:00Z", "12:00+01:00",
                            "12:00 ", " 12:00", "1200", "", "12", "12:00:0"})
        EXPECT_FALSE(is_valid_time(bad)) << bad;
}

// ---------------------------------------------------------------------------
// Addresses

TEST(Emails, Accepted) {
    const std::string local64 = repeat("a", 64);
    // 64 + 1 + 189 = 254 bytes: the limit.
    const std::string domain189 =
        repeat("b", 63) + "." + repeat("c", 63) + "." + repeat("d", 57) + ".com";
    ASSERT_EQ(domain189.size(), 189u);
    for (const std::string &ok :
         {std::string("a@example.com"), std::string("first.last+tag@sub.example.co.uk"),
          std::string("o'brien@example.ie"), std::string("x_y-z!#$%&*/=?^`{|}~@example.org"),
          std::string("jos\xc3\xa9@b\xc3\xbc"
                      "cher.de"),
          std::string("user@xn--bcher-kva.de"),
          std::string("user@\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84"),
          std::string("UPPER@EXAMPLE.COM"), local64 + "@example.com", local64 + "@" + domain189})
        EXPECT_EQ(email_problem(ok), "") << ok;
}

TEST(Emails, Refused) {
    const std::string local64 = repeat("a", 64);
    const std::string domain190 =
        repeat("b", 63) + "." + repeat("c", 63) + "." + repeat("d", 58) + ".com";
    for (const std::string &bad :
         {std::string("plainaddress"), std::string("a@b"), std::string("a@localhost"),
          std::string("a@@b.com"), std::string("a@b@c.com"), std::string(".a@b.com"),
          std::string("a.@b.com"), std::string("a..b@c.com"), std::string("a b@c.com"),
          std::string(" a@b.com"), std::string("a@b.com "), std::string("\"a b\"@c.com"),
          std::string("a@[192.0.2.1]"), std::string("a@192.0.2.1"), std::string("a@-b.com"),
          std::string("a@b_c.com"), std::string("a@b..com"), std::string("a@b.com."),
          std::string("a(b)@c.com"), std::string("@example.com"), std::string("a@"),
          std::string("a@example.com\n"),
          std::string("a\xc2\xa0"
                      "b@example.com"),
          // a Cyrillic "а" among Latin letters: the classic look-alike
          std::string("a@p\xd0\xb0ypal.com"), repeat("a", 65) + "@example.com",
          local64 + "@" + domain190, std::string("a@") + repeat("x", 64) + ".com"})
        EXPECT_NE(email_problem(bad), "") << bad;
    EXPECT_EQ(email_problem("a@localhost"), "its domain has no dot (a top-level domain is needed)");
    EXPECT_EQ(email_problem("a@p\xd0\xb0ypal.com"),
              "its domain has a label that mixes scripts as look-alike (spoofing) names do");
}

TEST(Urls, Accepted) {
    for (const char *ok :
         {"https://example.com", "http://example.com/", "http://example.com/path?q=1&r=%20#frag",
          "HTTPS://EXAMPLE.COM/Path",
          "https://b\xc3\xbc"
          "cher.de/\xc3\xbc"
          "ber",
          "https://\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84",
          "https://\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.com",  // Cyrillic label, Latin
                                                                           // TLD
          "https://\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88/",  // 例え.テスト
          "https://\xe3\x82\xbd\xe3\x83\x8b\xe3\x83\xbcstore.jp",  // Japanese with Latin
          "https://xn--bcher-kva.de", "https://\xef\xbc\xa5\xef\xbc\xb8.com",  // full-width EX
          "http://192.168.0.1:8080/x", "http://[2001:db8::1]/", "http://[::1]:8443",
          "https://example.com:443", "https://a.b.example.co.uk/a/b;c?d=e|f{g}",
          "https://example.com?q", "https://example.com#top"})
        EXPECT_EQ(url_problem(ok), "") << ok;
}

TEST(Urls, Refused) {
    for (const std::string &bad : {std::string("example.com"),
                                   std::string("www.example.com/x"),
                                   std::string("ftp://example.com"),
                                   std::string("javascript:alert(1)"),
                                   std::string("https://"),
                                   std::string("https:///path"),
                                   std::string("http:/example.com"),
                                   std::string("http://exa mple.com"),
                                   std::string("https://example.com/a b"),
                                   std::string("https://example.com "),
                                   std::string(" https://example.com"),
                                   std::string("https://user:pass@example.com"),
                                   std::string("https://user@example.com"),
                                   std::string("https://localhost"),
                                   std::string("https://example"),
                                   std::string("http://256.1.1.1"),
                                   std::string("http://1.2.3"),
                                   std::string("http://01.2.3.4"),
                                   std::string("https://example.com:0"),
                                   std::string("https://example.com:65536"),
                                   std::string("https://example.com:"),
                                   std::string("https://example.com:x"),
                                   std::string("https://p\xd0\xb0ypal.com"),
                                   std::string("https://ex_ample.com"),
                                   std::string("http://[::1"),
                                   std::string("http://[fe80::1%25eth0]/"),
                                   std::string("http://[1.2.3.4]/"),
                                   std::string("https://example.com/%zz"),
                                   std::string("https://example.com/%2"),
                                   std::string("https://example.com/\"x\""),
                                   std::string("https://example.com/<x>"),
                                   std::string("https://example.com\\evil.com"),
                                   std::string("https://example.com/\xe2\x80\xae"
                                               "fdp.exe"),  // U+202E
                                   std::string("https://xn--zz.com"),
                                   std::string("https://a..b.com"),
                                   std::string("https://example.com./"),
                                   std::string("https://-example.com"),
                                   std::string("https://ab--cd.com"),
                                   std::string("https://example.123"),
                                   std::string("https://example.com/\t"),
                                   std::string("https://example.com/\xe3\x80\x80"),
                                   "https://example.com/" + repeat("a", 8000)})
        EXPECT_NE(url_problem(bad), "") << bad;
}

TEST(Phones, E164WithLenientSeparators) {
    for (const char *ok :
         {"+14155550123", "+1 (415) 555-0123", "+44 20 7946 0958", "+33.1.23.45.67.89", "+6834002",
          "+123456789012345", "(+44) 20 7946 0958"})
        EXPECT_EQ(phone_problem(ok), "") << ok;
    for (const char *bad :
         {"4155550123", "0044 20 7946 0958", "+0123456789", "+1 415 555 0123 x4",
          "+1234567890123456", "+123456", "++14155550123", "1+4155550123", "+1-800-FLOWERS", "+",
          "",
          "+1\xc2\xa0"
          "4155550123",
          "+\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc\x94\xef\xbc\x95\xef\xbc\x96\xef\xbc\x97"})
        EXPECT_NE(phone_problem(bad), "") << bad;
}

// ---------------------------------------------------------------------------
// Graphemes

TEST(Graphemes, UserPerceivedCharacters) {
    EXPECT_EQ(count_graphemes(""), 0u);
    EXPECT_EQ(count_graphemes("abc"), 3u);
    EXPECT_EQ(count_graphemes("abc  "), 5u);                             // trailing spaces count
    EXPECT_EQ(count_graphemes("a\r\nb"), 3u);                            // CR LF is one
    EXPECT_EQ(count_graphemes("\xc3\xa9"), 1u);                          // é precomposed
    EXPECT_EQ(count_graphemes("e\xcc\x81"), 1u);                         // e + combining acute
    EXPECT_EQ(count_graphemes("\xf0\x9f\x87\xab\xf0\x9f\x87\xb7"), 1u);  // flag FR
    EXPECT_EQ(count_graphemes("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f"
                              "\x91\xa7"),
              1u);                                                           // family, ZWJ sequence
    EXPECT_EQ(count_graphemes("\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd"), 1u);      // thumbs up, skin tone
    EXPECT_EQ(count_graphemes("\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8"), 1u);  // Hangul jamo: 각
    // Text whose every code point is its own cluster (counted without the break
    // iterator), and text that needs it.
    EXPECT_EQ(count_graphemes("Cr\xc3\xa9"
                              "dit Soci\xc3\xa9t\xc3\xa9"),
              14u);
    EXPECT_EQ(count_graphemes("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"), 6u);  // Привет
    EXPECT_EQ(count_graphemes("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"), 3u);  // 日本語
    EXPECT_EQ(count_graphemes("\xf0\x9f\x91\x8d\xf0\x9f\x91\x8d"), 2u);      // 👍👍
    EXPECT_EQ(count_graphemes("\xe0\xb8\x81\xe0\xb9\x88"), 1u);              // Thai ก + tone mark
    EXPECT_EQ(count_graphemes("\xe0\xa4\x95\xe0\xa4\xbf"), 1u);              // Devanagari कि
    EXPECT_EQ(count_graphemes("\xf0\x9f\x87\xab\xf0\x9f\x87\xb7\xf0\x9f\x87\xa9"),
              2u);  // FR + lone D
    // Mixed scripts: A, é (decomposed), 日, 本, flag JP.
    EXPECT_EQ(count_graphemes("Ae\xcc\x81\xe6\x97\xa5\xe6\x9c\xac\xf0\x9f\x87\xaf\xf0\x9f\x87\xb5"),
              5u);
}

// ---------------------------------------------------------------------------
// Field values, type by type

TEST(Graphemes, CountingStopsWhenInterrupted) {
    const std::string marks = repeat("e\xcc\x81", 100000);   // needs the break iterator
    const std::string han = repeat("\xe6\x97\xa5", 100000);  // one cluster a code point
    {
        ScopedInterruptCheck never(ScopedInterruptCheck::kNever);
        EXPECT_EQ(count_graphemes(marks), 100000u);
        EXPECT_EQ(count_graphemes(han), 100000u);
        EXPECT_GT(never.calls(), 0);
    }
    ScopedInterruptCheck stop(1);
    for (const std::string *text : {&marks, &han}) {
        const auto error = error_of([&] { count_graphemes(*text); });
        ASSERT_TRUE(error.has_value());
        EXPECT_EQ(error->kind(), ErrorKind::QueryCanceled);
        EXPECT_STREQ(error->what(),
                     "canceling statement: counting the characters of a value was interrupted");
    }
    // ASCII is counted without ICU, in one quick pass that is never interrupted.
    EXPECT_EQ(count_graphemes(repeat("a", 200000)), 200000u);
}

TEST(TextFields, TypeAndLines) {
    const auto text = def("f", FieldType::Text);
    EXPECT_EQ(value_codes(text, R"("hello")"), none());
    EXPECT_EQ(value_codes(text, "42"), one("wrong_type"));
    EXPECT_EQ(value_codes(text, "true"), one("wrong_type"));
    EXPECT_EQ(value_codes(text, "[\"a\"]"), one("wrong_type"));
    EXPECT_EQ(value_codes(text, R"({"a":1})"), one("wrong_type"));
    EXPECT_EQ(value_codes(text, R"("two\nlines")"), one("wrong_type"));
    EXPECT_EQ(value_codes(text, R"("cr\rhere")"), one("wrong_type"));
    EXPECT_EQ(value_codes(text, R"("line\u2028separator")"), one("wrong_type"));
    EXPECT_EQ(value_codes(text, R"("nel\u0085")"), one("wrong_type"));
    EXPECT_EQ(value_codes(text, R"("tab\tis fine")"), none());
    EXPECT_EQ(value_codes(text, R"("nul\u0000")"), one("wrong_type"));

    const auto area = def("f", FieldType::Textarea);
    EXPECT_EQ(value_codes(area, R"("two\nlines\r\nand more")"), none());
    EXPECT_EQ(value_codes(area, R"("nul\u0000")"), one("wrong_type"));
    EXPECT_EQ(value_codes(area, "1.5"), one("wrong_type"));
}

TEST(TextFields, LengthsCountGraphemes) {
    auto d = def("f", FieldType::Text);
    d.min_length = 2;
    d.max_length = 3;
    EXPECT_EQ(value_codes(d, R"("ab")"), none());
    EXPECT_EQ(value_codes(d, R"("abc")"), none());
    EXPECT_EQ(value_codes(d, R"("a")"), one("too_short"));
    EXPECT_EQ(value_codes(d, R"("abcd")"), one("too_long"));
    EXPECT_EQ(value_codes(d, R"("ab  ")"), one("too_long"));  // trailing spaces count
    EXPECT_EQ(value_codes(d, R"(" a ")"), none());
    // é written two ways, and a flag: each one character.
    EXPECT_EQ(value_codes(d, "\"\xc3\xa9\xc3\xa9\xc3\xa9\""), none());
    EXPECT_EQ(value_codes(d,
                          "\"e\xcc\x81"
                          "e\xcc\x81"
                          "e\xcc\x81\""),
              none());
    EXPECT_EQ(value_codes(d, "\"e\\u0301e\\u0301e\\u0301e\\u0301\""), one("too_long"));
    EXPECT_EQ(value_codes(d, "\"\xf0\x9f\x87\xab\xf0\x9f\x87\xb7\""), one("too_short"));
    EXPECT_EQ(
        value_codes(d, "\"\xf0\x9f\x87\xab\xf0\x9f\x87\xb7\xf0\x9f\x87\xa9\xf0\x9f\x87\xaa\""),
        none());
    // Mixed scripts.
    EXPECT_EQ(value_codes(d, "\"A\xe6\x97\xa5\xd0\x96\""), none());
    EXPECT_EQ(value_codes(d, "\"A\xe6\x97\xa5\xd0\x96\xce\xa9\""), one("too_long"));

    auto area = def("f", FieldType::Textarea);
    area.max_length = 3;
    EXPECT_EQ(value_codes(area, R"("a\r\nb")"), none());  // CR LF is one character
    EXPECT_EQ(value_codes(area, R"("a\n\rb")"), one("too_long"));
}

TEST(TextFields, LengthMessages) {
    auto d = def("title", FieldType::Text);
    d.name = "Title";
    d.max_length = 3;
    const ServiceValidator v = service({d});
    FakeReferences refs;
    const auto problems = v.validate(R"({"title":"abcde"})", true, refs);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].field_slug, "title");
    EXPECT_EQ(problems[0].code, "too_long");
    EXPECT_EQ(problems[0].message, "\"Title\" must be at most 3 characters long; it has 5.");
}

TEST(Required, WhatCountsAsMissing) {
    auto d = def("f", FieldType::Text);
    d.is_required = true;
    const ServiceValidator v = service({d});
    for (const char *missing : {R"({})", R"({"f":null})", R"({"f":""})", R"({"f":"   "})",
                                R"({"f":"\t"})", "{\"f\":\"\xc2\xa0\xe3\x80\x80\"}"})
        EXPECT_EQ(check(v, missing), std::vector<std::string>{"f:required"}) << missing;
    EXPECT_EQ(check(v, R"({"f":" x "})"), none());
    // While PENDING nothing is required, but a value present is still checked.
    for (const char *missing : {R"({})", R"({"f":null})", R"({"f":""})", R"({"f":"   "})"})
        EXPECT_EQ(check(v, missing, false), none()) << missing;
    EXPECT_EQ(check(v, R"({"f":12})", false), std::vector<std::string>{"f:wrong_type"});

    // "" is no value for every type, so an optional DATE may be left empty by a form.
    EXPECT_EQ(value_codes(def("f", FieldType::Date), R"("")"), none());
    EXPECT_EQ(value_codes(def("f", FieldType::Number), R"("")"), none());
    EXPECT_EQ(value_codes(def("f", FieldType::Date), R"("  ")"), one("invalid_date"));

    auto multi = with_options(def("f", FieldType::Multiselect), R"(["a","b"])");
    multi.is_required = true;
    EXPECT_EQ(value_codes(multi, "[]"), one("required"));
    EXPECT_EQ(value_codes(multi, "[]", false), none());
    EXPECT_EQ(value_codes(multi, R"(["a"])"), none());

    auto box = def("f", FieldType::Checkbox);
    box.is_required = true;
    EXPECT_EQ(value_codes(box, "false"), none());  // false is a value
    EXPECT_EQ(value_codes(box, "null"), one("required"));

    auto file = def("f", FieldType::File);
    file.is_required = true;
    EXPECT_EQ(value_codes(file, "{}"), one("invalid_file"));  // not missing: wrong
}

TEST(NumberFields, IntegersOnly) {
    const auto n = def("f", FieldType::Number);
    for (const char *ok :
         {"42", "0", "-0", "-17", "42.0", "1e3", "1E3", "4.2e1", "100e-2", "9223372036854775807",
          "-9223372036854775808", "9.223372036854775807e18"})
        EXPECT_EQ(value_codes(n, ok), none()) << ok;
    for (const char *bad : {"1.5", "1e-1", "0.5", "-0.1", "1.0000000000000000000001", R"("42")",
                            R"("NaN")", R"("Infinity")", "true", "[1]", R"({"v":1})"})
        EXPECT_EQ(value_codes(n, bad), one("wrong_type")) << bad;
    for (const char *big :
         {"9223372036854775808", "18446744073709551616", "1e19", "1e400", "1e99999999999999999999"})
        EXPECT_EQ(value_codes(n, big), one("too_large")) << big;
    EXPECT_EQ(value_codes(n, "1" + repeat("0", 400)), one("too_large"));  // jsonb's 1e400
    for (const char *small : {"-9223372036854775809", "-1e400", "-1e19"})
        EXPECT_EQ(value_codes(n, small), one("too_small")) << small;
    // JSON has no NaN or Infinity: unquoted, the whole document is malformed.
    for (const char *bad : {"NaN", "Infinity", "-Infinity", "nan", "+1", ".5", "01", "0x10"})
        EXPECT_EQ(check(service({def("f", FieldType::Number)}), std::string("{\"f\":") + bad + "}"),
                  std::vector<std::string>{":malformed_json"})
            << bad;
}

TEST(NumberFields, Bounds) {
    auto n = def("f", FieldType::Number);
    n.min_value = "10.50";
    n.max_value = "100.00";
    EXPECT_EQ(value_codes(n, "10"), one("too_small"));
    EXPECT_EQ(value_codes(n, "11"), none());
    EXPECT_EQ(value_codes(n, "100"), none());
    EXPECT_EQ(value_codes(n, "1e2"), none());
    EXPECT_EQ(value_codes(n, "101"), one("too_large"));
    EXPECT_EQ(value_codes(n, "-9223372036854775808"), one("too_small"));
    EXPECT_EQ(value_codes(n, "18446744073709551615"), one("too_large"));

    auto neg = def("f", FieldType::Number);
    neg.min_value = "-5.00";
    neg.max_value = "-0.50";
    EXPECT_EQ(value_codes(neg, "-5"), none());
    EXPECT_EQ(value_codes(neg, "-1"), none());
    EXPECT_EQ(value_codes(neg, "0"), one("too_large"));
    EXPECT_EQ(value_codes(neg, "-0"), one("too_large"));
    EXPECT_EQ(value_codes(neg, "-6"), one("too_small"));

    const ServiceValidator v = service({[&] {
        auto d = n;
        d.slug = "budget";
        d.name = "Budget";
        return d;
    }()});
    FakeReferences refs;
    const auto problems = v.validate(R"({"budget":7})", true, refs);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].message, "\"Budget\" must be at least 10.50.");
}

TEST(NumberFields, HugeNumberFailsOnlyItsField) {
    // nlohmann refuses a whole document when a number overflows a double; the
    // validator reads it again so that only that field fails.
    const ServiceValidator v = service(
        {def("n", FieldType::Number), def("d", FieldType::Decimal), def("t", FieldType::Text)});
    EXPECT_EQ(check(v, R"({"n": 1e400, "d": 1.5, "t": 3})"),
              (std::vector<std::string>{"n:too_large", "t:wrong_type"}));
    EXPECT_EQ(check(v, R"({"n": 1e400, "d": -1e999, "t": "x", "x": 2e308})"),
              (std::vector<std::string>{"n:too_large", "x:unknown_field"}));
    EXPECT_EQ(check(v, R"({"n": 1e400, "t": 5})"),
              (std::vector<std::string>{"n:too_large", "t:wrong_type"}));
    // Still malformed when it is: the numbers are put back, not the syntax.
    EXPECT_EQ(check(v, R"({"n": 1e400,})"), std::vector<std::string>{":malformed_json"});
    EXPECT_EQ(check(v, R"({"n": 1e400 "t": "x"})"), std::vector<std::string>{":malformed_json"});
    EXPECT_EQ(check(v, R"({"n": 1e400, "t": "1e400 \" 2e400"})"),
              std::vector<std::string>{"n:too_large"});
}

TEST(DecimalFields, ExactAgainstBounds) {
    const auto any = def("f", FieldType::Decimal);
    for (const char *ok : {"12.5", "-0", "0", R"("12.50")", R"("-0.001")", "1e400", "-1e400",
                           R"("1e3")", "123456789012345678901234567890.5"})
        EXPECT_EQ(value_codes(any, ok), none()) << ok;
    for (const char *bad : {R"("NaN")", R"("Infinity")", R"("1,5")", R"(" 1")", R"("1 ")",
                            R"("+1")", R"(".5")", R"("abc")", "true", "[1.5]", R"({"v":1})"})
        EXPECT_EQ(value_codes(any, bad), one("wrong_type")) << bad;

    auto bounded = def("f", FieldType::Decimal);
    bounded.min_value = "0.00";
    bounded.max_value = "0.10";
    EXPECT_EQ(value_codes(bounded, "0.1"), none());
    EXPECT_EQ(value_codes(bounded, R"("0.10")"), none());
    EXPECT_EQ(value_codes(bounded, "-0"), none());
    EXPECT_EQ(value_codes(bounded, "-0.0"), none());
    EXPECT_EQ(value_codes(bounded, "0"), none());
    // A double would round this to 0.1 and let it through.
    EXPECT_EQ(value_codes(bounded, "0.10000000000000000001"), one("too_large"));
    EXPECT_EQ(value_codes(bounded, R"("0.10000000000000000001")"), one("too_large"));
    EXPECT_EQ(value_codes(bounded, "-0.00000000000000000001"), one("too_small"));
    EXPECT_EQ(value_codes(bounded, "1e400"), one("too_large"));
    EXPECT_EQ(value_codes(bounded, "-1e400"), one("too_small"));
    EXPECT_EQ(value_codes(bounded, "1e-400"), none());
    EXPECT_EQ(value_codes(bounded, "1"), one("too_large"));
    EXPECT_EQ(value_codes(bounded, "18446744073709551615"), one("too_large"));

    auto money = def("f", FieldType::Decimal);
    money.max_value = "99999999.99";
    EXPECT_EQ(value_codes(money, "99999999.99"), none());
    EXPECT_EQ(value_codes(money, "99999999.991"), one("too_large"));
}

TEST(DateFields, Codes) {
    EXPECT_EQ(value_codes(def("f", FieldType::Date), R"("2024-02-29")"), none());
    EXPECT_EQ(value_codes(def("f", FieldType::Date), R"("2023-02-29")"), one("invalid_date"));
    EXPECT_EQ(value_codes(def("f", FieldType::Date), R"("2024-02-29 ")"), one("invalid_date"));
    EXPECT_EQ(value_codes(def("f", FieldType::Date), "20240229"), one("wrong_type"));
    EXPECT_EQ(value_codes(def("f", FieldType::Datetime), R"("2024-05-31T14:30:00+02:00")"), none());
    EXPECT_EQ(value_codes(def("f", FieldType::Datetime), R"("2024-05-31T14:30:00")"),
              one("invalid_datetime"));
    EXPECT_EQ(value_codes(def("f", FieldType::Datetime), R"("2024-05-31T24:00:00Z")"),
              one("invalid_datetime"));
    EXPECT_EQ(value_codes(def("f", FieldType::Time), R"("23:59:59")"), none());
    EXPECT_EQ(value_codes(def("f", FieldType::Time), R"("24:00")"), one("invalid_time"));
    EXPECT_EQ(value_codes(def("f", FieldType::Time), R"("24:00:00")"), one("invalid_time"));
    EXPECT_EQ(value_codes(def("f", FieldType::Time), "1430"), one("wrong_type"));
}

TEST(AddressFields, Codes) {
    const auto email = def("f", FieldType::Email);
    EXPECT_EQ(value_codes(email, R"("a@example.com")"), none());
    EXPECT_EQ(value_codes(email, R"("a@example.com ")"), one("invalid_email"));
    EXPECT_EQ(value_codes(email, R"("a@localhost")"), one("invalid_email"));
    EXPECT_EQ(value_codes(email, "1"), one("wrong_type"));
    const auto url = def("f", FieldType::Url);
    EXPECT_EQ(value_codes(url, R"("https://b\u00fccher.de/x")"), none());
    EXPECT_EQ(value_codes(url, R"("https://p\u0430ypal.com")"), one("invalid_url"));
    EXPECT_EQ(value_codes(url, R"("ftp://example.com")"), one("invalid_url"));
    const auto phone = def("f", FieldType::Phone);
    EXPECT_EQ(value_codes(phone, R"("+1 (415) 555-0123")"), none());
    EXPECT_EQ(value_codes(phone, R"("415-555-0123")"), one("invalid_phone"));
    EXPECT_EQ(value_codes(phone, "14155550123"), one("wrong_type"));

    // Format first; length and pattern only for a well-formed value.
    auto work = def("f", FieldType::Email);
    work.pattern = ".*@example\\.com";
    work.max_length = 12;
    EXPECT_EQ(value_codes(work, R"("a@example.com")"), one("too_long"));
    EXPECT_EQ(value_codes(work, R"("a@other.org")"), one("pattern"));
    EXPECT_EQ(value_codes(work, R"("abc@other.org")"),
              (std::vector<std::string>{"too_long", "pattern"}));
    EXPECT_EQ(value_codes(work, R"("not an address")"), one("invalid_email"));

    const ServiceValidator v = service({[] {
        auto d = def("site", FieldType::Url);
        d.name = "Website";
        return d;
    }()});
    FakeReferences refs;
    const auto problems = v.validate(R"({"site":"https://user@example.com"})", true, refs);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].message,
              "\"Website\" must be an http or https URL; \"https://user@example.com\" is not: it "
              "contains a user name or password before the host.");
}

TEST(OptionFields, SelectAndRadio) {
    for (const FieldType type : {FieldType::Select, FieldType::Radio}) {
        const auto d = with_options(def("f", type), R"(["Draft","Final","Caf\u00e9"])");
        EXPECT_EQ(value_codes(d, R"("Draft")"), none());
        EXPECT_EQ(value_codes(d, R"("draft")"), one("not_an_option"));  // case matters
        EXPECT_EQ(value_codes(d, R"("Draft ")"), one("not_an_option"));
        EXPECT_EQ(value_codes(d, "\"Caf\xc3\xa9\""), none());
        EXPECT_EQ(value_codes(d, "\"Cafe\xcc\x81\""), one("not_an_option"));  // byte for byte
        EXPECT_EQ(value_codes(d, R"(["Draft"])"), one("wrong_type"));
        EXPECT_EQ(value_codes(d, "1"), one("wrong_type"));
    }
    const ServiceValidator v =
        service({with_options(def("stage", FieldType::Select), R"(["Draft","Final"])")});
    FakeReferences refs;
    const auto problems = v.validate(R"({"stage":"Done"})", true, refs);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].message,
              "\"Field stage\" must be one of \"Draft\", \"Final\"; \"Done\" is not.");
}

TEST(OptionFields, Multiselect) {
    const auto d = with_options(def("f", FieldType::Multiselect), R"(["a","b","c"])");
    EXPECT_EQ(value_codes(d, R"(["a"])"), none());
    EXPECT_EQ(value_codes(d, R"(["c","a","b"])"), none());
    EXPECT_EQ(value_codes(d, "[]"), none());
    EXPECT_EQ(value_codes(d, R"(["a","a"])"), one("duplicate_option"));
    EXPECT_EQ(value_codes(d, R"(["a","z"])"), one("not_an_option"));
    EXPECT_EQ(value_codes(d, R"(["z","y","z"])"),
              (std::vector<std::string>{"not_an_option", "duplicate_option"}));
    EXPECT_EQ(value_codes(d, R"(["a",1])"), one("wrong_type"));
    EXPECT_EQ(value_codes(d, R"(["a",null])"), one("wrong_type"));
    EXPECT_EQ(value_codes(d, R"([["a"]])"), one("wrong_type"));
    EXPECT_EQ(value_codes(d, R"("a")"), one("wrong_type"));
    EXPECT_EQ(value_codes(d, R"({"a":true})"), one("wrong_type"));
}

TEST(OptionFields, HugeArraysCostLinearTime) {
    const auto d = with_options(def("f", FieldType::Multiselect), R"(["a"])");
    std::string many = "[";
    for (int i = 0; i < 200000; ++i) many += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
    many += "]";
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(value_codes(d, many), one("not_an_option"));
    const auto elapsed =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
    EXPECT_LT(elapsed.count(), 2000.0 * mycelium::test::kTimeLimitScale);
    EXPECT_NE(email_problem(repeat("a", 100000) + "@example.com"), "");
}

TEST(OtherFields, CheckboxFileReferences) {
    const auto box = def("f", FieldType::Checkbox);
    EXPECT_EQ(value_codes(box, "true"), none());
    EXPECT_EQ(value_codes(box, "false"), none());
    for (const char *bad : {R"("true")", "1", "0", "[]", R"("on")"})
        EXPECT_EQ(value_codes(box, bad), one("wrong_type")) << bad;

    const auto file = def("f", FieldType::File);
    EXPECT_EQ(value_codes(file, R"({"name":"a.pdf","url":"https://cdn.example.com/a.pdf"})"),
              none());
    EXPECT_EQ(
        value_codes(file,
                    R"({"name":"a.pdf","url":"https://x.example/a","size":12,"meta":{"k":[1]}})"),
        none());
    for (const char *bad : {R"({})", R"({"url":"https://x.example.com/a"})",
                            R"({"name":"","url":"https://x.example.com/a"})",
                            R"({"name":"  ","url":"https://x.example.com/a"})",
                            R"({"name":1,"url":"https://x.example.com/a"})", R"({"name":"a.pdf"})",
                            R"({"name":"a.pdf","url":"/relative/a.pdf"})",
                            R"({"name":"a.pdf","url":["https://x.example.com/a"]})",
                            R"({"name":"a","name":"b","url":"https://x.example.com/a"})"})
        EXPECT_EQ(value_codes(file, bad), one("invalid_file")) << bad;
    EXPECT_EQ(value_codes(file, R"(["a.pdf"])"), one("wrong_type"));
    EXPECT_EQ(value_codes(file, R"("https://x.example.com/a.pdf")"), one("wrong_type"));

    std::vector<FieldDefinition> fields = {def("editor", FieldType::UserSelect),
                                           def("client", FieldType::ClientSelect)};
    const ServiceValidator v = service(fields);
    EXPECT_TRUE(v.needs_references());
    FakeReferences refs;
    EXPECT_TRUE(
        v.validate(std::string("{\"editor\":\"") + kUser + "\",\"client\":\"" + kClient + "\"}",
                   true, refs)
            .empty());
    // Fields in (sort_order, slug) order: client, then editor.
    EXPECT_EQ(refs.asked, (std::vector<std::string>{std::string("client ") + kClient,
                                                    std::string("user ") + kUser}));
    // Upper case is accepted and handed to the checker in lower case.
    std::string upper = kUser;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](char c) { return static_cast<char>(std::toupper(c)); });
    refs.asked.clear();
    EXPECT_TRUE(v.validate("{\"editor\":\"" + upper + "\"}", true, refs).empty());
    EXPECT_EQ(refs.asked, std::vector<std::string>{std::string("user ") + kUser});
    // Another organization's ids, or an inactive user, are unknown to the checker.
    EXPECT_EQ(check(v, std::string("{\"editor\":\"") + kStranger + "\",\"client\":\"" + kStranger +
                           "\"}"),
              (std::vector<std::string>{"client:unknown_client", "editor:unknown_user"}));
    // Not a UUID: a type problem, and the checker is not asked.
    refs.asked.clear();
    const auto problems = v.validate(R"({"editor":"bob","client":12})", false, refs);
    EXPECT_EQ(codes(problems),
              (std::vector<std::string>{"client:wrong_type", "editor:wrong_type"}));
    EXPECT_TRUE(refs.asked.empty());
    // References are checked in PENDING too: they are not `required`.
    EXPECT_EQ(check(v, std::string("{\"editor\":\"") + kStranger + "\"}", false),
              std::vector<std::string>{"editor:unknown_user"});
    EXPECT_FALSE(service({def("t", FieldType::Text)}).needs_references());
}

// ---------------------------------------------------------------------------
// The object as a whole

TEST(Objects, UnknownKeysAndOrder) {
    auto a = def("a", FieldType::Text);
    a.sort_order = 2;
    auto z = def("z", FieldType::Number);
    z.sort_order = 1;
    auto b = def("b", FieldType::Number);
    b.sort_order = 1;
    auto r = def("r", FieldType::Text);
    r.sort_order = 0;
    r.is_required = true;
    const ServiceValidator v = service({a, z, b, r});
    EXPECT_EQ(v.field_count(), 4u);
    EXPECT_EQ(v.field(0).slug, "r");
    EXPECT_EQ(v.field(1).slug, "b");
    EXPECT_EQ(v.field(2).slug, "z");
    EXPECT_EQ(v.field(3).slug, "a");
    EXPECT_EQ(
        check(v, R"({"zz":1,"a":1,"b":"x","z":"y","extra":true,"":0})"),
        (std::vector<std::string>{"r:required", "b:wrong_type", "z:wrong_type", "a:wrong_type",
                                  ":unknown_field", "extra:unknown_field", "zz:unknown_field"}));
    const ServiceValidator empty = service({});
    EXPECT_EQ(check(empty, "{}"), none());
    EXPECT_EQ(check(empty, R"({"a":null})"), std::vector<std::string>{"a:unknown_field"});
}

TEST(Objects, NotAnObject) {
    const ServiceValidator v = service({def("f", FieldType::Text)});
    for (const char *doc : {"[]", "[{\"f\":1}]", "\"x\"", "1", "null", "true", " 1e400 "})
        EXPECT_EQ(check(v, doc), std::vector<std::string>{":not_an_object"}) << doc;
    FakeReferences refs;
    EXPECT_EQ(v.validate("[1,2]", true, refs)[0].message,
              "The custom fields must be a JSON object; they are an array.");
}

TEST(Objects, MalformedJson) {
    const ServiceValidator v = service({def("f", FieldType::Text), def("g", FieldType::Text)});
    for (const std::string &doc :
         {std::string(""), std::string(" "), std::string("{"), std::string("{\"f\":}"),
          std::string("{'f':'x'}"), std::string("{} x"), std::string("{}{}"),
          std::string("{\"f\":\"x\",}"), std::string("{\"f\":\"\xff\"}"),
          std::string("{\"f\":\"\\ud800\"}"), std::string("{\"f\":\"a\nb\"}"),
          std::string("{\"f\":NaN}"), std::string("{\"f\":\"x\"}\0", 8),
          std::string("{\"f\":\"x\0y\"}", 11), std::string("{\"f\":1,\"f\":2}"),
          std::string("{\"u\":1,\"u\":2}"), std::string("{\"f\":\"x\", \"g\":\"y\", \"f\":\"x\"}"),
          std::string("/* c */ {}")})
        EXPECT_EQ(check(v, doc), std::vector<std::string>{":malformed_json"}) << doc;
    FakeReferences refs;
    EXPECT_EQ(v.validate("{\"f\":1,\"f\":2}", true, refs)[0].message,
              "The custom fields cannot be read: they have the key \"f\" twice.");
    EXPECT_EQ(
        v.validate("{\"f\":}", true, refs)[0].message,
        "The custom fields cannot be read: they are not valid JSON (the error is at byte 6).");
    EXPECT_EQ(v.validate(std::string("{}\0", 3), true, refs)[0].message,
              "The custom fields cannot be read: they contain a NUL byte.");
    // A UTF-8 byte order mark before the object is skipped (RFC 8259, 8.1 allows it).
    EXPECT_EQ(check(v, "\xef\xbb\xbf{}"), none());
    // A repeated key inside a value is the value's business (FILE refuses it).
    EXPECT_EQ(check(service({def("f", FieldType::Textarea)}), R"({"f":"x"})"), none());
}

TEST(Objects, DeepNestingDoesNotRecurse) {
    const ServiceValidator v = service({def("f", FieldType::Text)});
    const std::string deep = repeat("[", 200000) + repeat("]", 200000);
    EXPECT_EQ(check(v, "{\"f\":" + deep + "}"), std::vector<std::string>{"f:wrong_type"});
    EXPECT_EQ(check(v, "{\"x\":" + deep + "}"), std::vector<std::string>{"x:unknown_field"});
    EXPECT_EQ(check(v, deep), std::vector<std::string>{":not_an_object"});
    EXPECT_EQ(check(v, repeat("[", 200000)), std::vector<std::string>{":malformed_json"});
    EXPECT_EQ(v.apply_defaults("{\"x\":" + deep + "}"), std::nullopt);
}

TEST(Objects, EveryProblemNotJustTheFirst) {
    auto title = def("title", FieldType::Text);
    title.max_length = 5;
    title.pattern = "[A-Z][a-z]*";
    title.is_required = true;
    auto due = def("due", FieldType::Date);
    due.is_required = true;
    const ServiceValidator v = service({title, due, def("n", FieldType::Number)});
    EXPECT_EQ(check(v, R"({"title":"lowercase words","n":1.5,"other":1})"),
              (std::vector<std::string>{"due:required", "n:wrong_type", "title:too_long",
                                        "title:pattern", "other:unknown_field"}));
}

// ---------------------------------------------------------------------------
// Patterns

TEST(Patterns, MatchTheWholeValue) {
    auto d = def("f", FieldType::Text);
    d.pattern = "[0-9]+";
    EXPECT_EQ(value_codes(d, R"("123")"), none());
    EXPECT_EQ(value_codes(d, R"("abc1")"), one("pattern"));
    EXPECT_EQ(value_codes(d, R"("1abc")"), one("pattern"));
    EXPECT_EQ(value_codes(d, R"("12 ")"), one("pattern"));
    d.pattern = "a|b";  // anchoring covers both alternatives
    EXPECT_EQ(value_codes(d, R"("a")"), none());
    EXPECT_EQ(value_codes(d, R"("ab")"), one("pattern"));
    d.pattern = "(?i)[a-z]+-\\d{2}";
    EXPECT_EQ(value_codes(d, R"("ABC-12")"), none());
    d.pattern = "\\p{Script=Cyrillic}+";
    EXPECT_EQ(value_codes(d, "\"\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0\""), none());
    EXPECT_EQ(value_codes(d, "\"M\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0\""), one("pattern"));
    d.pattern = "..";  // a character is a code point here, not a grapheme
    EXPECT_EQ(value_codes(d, "\"\xc3\xa9\xc3\xa9\""), none());

    auto area = def("f", FieldType::Textarea);
    area.pattern = "(?s).*END";
    EXPECT_EQ(value_codes(area, R"("line\nEND")"), none());
    auto phone = def("f", FieldType::Phone);
    phone.pattern = "\\+44.*";
    EXPECT_EQ(value_codes(phone, R"("+44 20 7946 0958")"), none());
    EXPECT_EQ(value_codes(phone, R"("+1 415 555 0123")"), one("pattern"));
}

TEST(Patterns, CatastrophicPatternFailsOnlyItsFieldQuickly) {
    auto evil = def("evil", FieldType::Text);
    evil.pattern = "(a+)+$";
    auto other = def("other", FieldType::Number);
    const ServiceValidator v = service({evil, other});
    const std::string doc = "{\"evil\":\"" + repeat("a", 30) + "!\",\"other\":\"x\"}";
    const auto start = std::chrono::steady_clock::now();
    FakeReferences refs;
    const auto problems = v.validate(doc, true, refs);
    const auto elapsed =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
    EXPECT_EQ(codes(problems),
              (std::vector<std::string>{"evil:pattern_timeout", "other:wrong_type"}));
    EXPECT_EQ(problems[0].message,
              "\"Field evil\" could not be checked against its pattern: the pattern is too complex "
              "for this value (the check was stopped at its limit).");
    // Without the limit this runs for minutes; with it, about a millisecond.
    EXPECT_LT(elapsed.count(), 250.0 * mycelium::test::kTimeLimitScale);
    std::printf("[          ] (a+)+$ against 30 a's and '!': %.2f ms\n", elapsed.count());

    // Longer hostile input costs time in proportion, not exponentially.
    const std::string longer = "{\"evil\":\"" + repeat("a", 5000) + "!\"}";
    const auto start2 = std::chrono::steady_clock::now();
    EXPECT_EQ(check(v, longer), std::vector<std::string>{"evil:pattern_timeout"});
    const auto elapsed2 =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start2);
    EXPECT_LT(elapsed2.count(), 500.0 * mycelium::test::kTimeLimitScale);

    // A match that would matches() fine is unaffected.
    EXPECT_EQ(check(v, "{\"evil\":\"" + repeat("a", 1000) + "\"}"), none());
}

TEST(Patterns, LongValuesWithOrdinaryPatternsPass) {
    auto d = def("f", FieldType::Textarea);
    d.pattern = "[a-z ]*";
    const std::string value = repeat("lorem ipsum ", 833);  // 9,996 characters
    EXPECT_EQ(value_codes(d, "\"" + value + "\""), none());
    d.pattern = "(?:[a-z]|\\s)*";  // a backtracking frame per character: uses the stack
    EXPECT_EQ(value_codes(d, "\"" + value + "\""), none());
    // Sixty groups make each frame large: beyond its stack limit, the field fails with
    // pattern_timeout, not a crash.
    d.pattern = "(?:(?:[a-z]|\\s)" + repeat("(x?)", 60) + ")*";
    EXPECT_EQ(value_codes(d, "\"" + value + "\""), one("pattern_timeout"));
}

TEST(Patterns, InterruptStopsACatastrophicMatch) {
    auto evil = def("evil", FieldType::Text);
    evil.pattern = "(a+)+$";
    const ServiceValidator v = service({evil});
    // 10,000 characters: the longest value a pattern is checked on, with the longest
    // time limit, kPatternTimeLimitMax units.
    const std::string doc = "{\"evil\":\"" + repeat("a", 9999) + "!\"}";
    FakeReferences refs;
    {
        // Asked once before the field, then by ICU once a unit: stopping at the
        // second unit throws at once, with no problem list.
        ScopedInterruptCheck stop(3);
        const auto error = error_of([&] { v.validate(doc, true, refs); });
        ASSERT_TRUE(error.has_value());
        EXPECT_EQ(error->kind(), ErrorKind::QueryCanceled);
        EXPECT_STREQ(error->what(),
                     "canceling statement: the check of \"Field evil\" against its pattern was "
                     "interrupted");
        EXPECT_EQ(stop.calls(), 3);
    }
    {
        // Never asked to stop, the match runs to its time limit: one call before
        // the field, then one for each of the kPatternTimeLimitMax units.
        ScopedInterruptCheck never(ScopedInterruptCheck::kNever);
        EXPECT_EQ(check(v, doc), std::vector<std::string>{"evil:pattern_timeout"});
        EXPECT_EQ(never.calls(), 1 + mycelium::core::kPatternTimeLimitMax);
    }
    // Without a check installed, the same.
    EXPECT_EQ(check(v, doc), std::vector<std::string>{"evil:pattern_timeout"});
}

TEST(Patterns, InterruptStopsValidationBetweenFields) {
    const ServiceValidator v = service({def("a", FieldType::Number), def("b", FieldType::Text)});
    FakeReferences refs;
    ScopedInterruptCheck stop(2);  // lets the first field through, stops before the second
    const auto error = error_of([&] { v.validate(R"({"a": 1, "b": "x"})", true, refs); });
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->kind(), ErrorKind::QueryCanceled);
    EXPECT_STREQ(error->what(), "canceling statement: custom-field validation was interrupted");
    EXPECT_EQ(stop.calls(), 2);
}

TEST(Patterns, ValuesOverTheLengthCapAreNotMatched) {
    using mycelium::core::kPatternMaxValueChars;
    auto d = def("f", FieldType::Textarea);
    d.pattern = "[a-z]*";
    EXPECT_EQ(value_codes(d, "\"" + repeat("a", kPatternMaxValueChars) + "\""), none());
    EXPECT_EQ(value_codes(d, "\"" + repeat("a", kPatternMaxValueChars + 1) + "\""),
              one("too_long_for_pattern"));
    // Counted in code points, whatever their size in UTF-8 or UTF-16.
    d.pattern = "\\p{L}*";
    EXPECT_EQ(value_codes(d, "\"" + repeat("\xc3\xa9", kPatternMaxValueChars) + "\""), none());
    d.pattern = ".*";
    EXPECT_EQ(value_codes(d, "\"" + repeat("\xf0\x9f\x98\x80", kPatternMaxValueChars) + "\""),
              none());
    EXPECT_EQ(value_codes(d, "\"" + repeat("\xf0\x9f\x98\x80", kPatternMaxValueChars + 1) + "\""),
              one("too_long_for_pattern"));

    // 8 MB against a pattern that takes seconds on it: refused without matching.
    d.pattern = ".*.*.*c";
    const std::string doc = "{\"f\":\"" + repeat("a", 8 * 1024 * 1024) + "!\"}";
    const ServiceValidator v = service({d});
    FakeReferences refs;
    const auto start = std::chrono::steady_clock::now();
    const auto problems = v.validate(doc, true, refs);
    const auto elapsed =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
    ASSERT_EQ(codes(problems), std::vector<std::string>{"f:too_long_for_pattern"});
    EXPECT_EQ(problems[0].message,
              "\"Field f\" is too long to be checked against its pattern: it has 8388609 "
              "characters (code points); at most 10000 can be checked.");
    EXPECT_LT(elapsed.count(), 1000.0 * mycelium::test::kTimeLimitScale);
}

TEST(Patterns, TimeLimitIsCapped) {
    using mycelium::core::kPatternTimeLimitMax;
    using mycelium::core::pattern_time_limit;
    EXPECT_EQ(pattern_time_limit(0), mycelium::core::kPatternTimeLimitBase);
    EXPECT_EQ(pattern_time_limit(-1), mycelium::core::kPatternTimeLimitBase);
    EXPECT_EQ(pattern_time_limit(1000), 7);
    EXPECT_EQ(pattern_time_limit(9999), 24);
    EXPECT_EQ(pattern_time_limit(10000), kPatternTimeLimitMax);
    // A value of 10,000 code points may be 20,000 UTF-16 units long.
    EXPECT_EQ(pattern_time_limit(20000), kPatternTimeLimitMax);
    EXPECT_EQ(pattern_time_limit(8 * 1024 * 1024), kPatternTimeLimitMax);
    EXPECT_EQ(pattern_time_limit(std::numeric_limits<std::int32_t>::max()), kPatternTimeLimitMax);
}

// ---------------------------------------------------------------------------
// Definitions

TEST(Definitions, GoodDefinitionsCompile) {
    FieldDefinition d = def("title", FieldType::Text);
    d.min_length = 0;
    d.max_length = 80;
    d.pattern = "[^<>]*";
    d.default_value = "Untitled";
    const FieldValidator f = FieldValidator::compile(d);
    EXPECT_EQ(f.definition().slug, "title");
    EXPECT_EQ(definition_error(with_options(def("s", FieldType::Select), R"(["a", "b"])")), "");
    FieldDefinition money = def("m", FieldType::Decimal);
    money.min_value = "-99999999.99";
    money.max_value = "99999999.99";
    EXPECT_EQ(definition_error(money), "");
    money.min_value = money.max_value = "5.00";
    EXPECT_EQ(definition_error(money), "");
}

TEST(Definitions, BadPatterns) {
    auto d = def("code", FieldType::Text);
    d.pattern = "([a-z]+";
    const std::string error = definition_error(d);
    EXPECT_NE(error.find("deliverable field \"code\": pattern does not compile"), std::string::npos)
        << error;
    EXPECT_NE(error.find("U_REGEX_MISMATCHED_PAREN"), std::string::npos) << error;
    EXPECT_NE(error.find("at character"), std::string::npos) << error;
    d.pattern = "a{2,1}";
    EXPECT_NE(definition_error(d).find("pattern does not compile"), std::string::npos);
    d.pattern = "[z-a]";
    EXPECT_NE(definition_error(d).find("pattern does not compile"), std::string::npos);
    d.pattern = "";
    EXPECT_NE(definition_error(d).find("pattern is empty"), std::string::npos);
    d.pattern = repeat("a", 2001);
    EXPECT_NE(definition_error(d).find("pattern is too long"), std::string::npos);
    auto date = def("d", FieldType::Date);
    date.pattern = "\\d+";
    EXPECT_NE(definition_error(date).find("pattern does not apply to DATE"), std::string::npos);
}

TEST(Definitions, BadOptions) {
    const auto error_for = [](FieldType type, std::optional<std::string> options) {
        auto d = def("s", type);
        d.options_json = std::move(options);
        return definition_error(d);
    };
    const auto has = [](const std::string &error, const char *text) {
        return error.find(text) != std::string::npos;
    };
    EXPECT_TRUE(has(error_for(FieldType::Select, std::nullopt), "SELECT needs options"));
    EXPECT_TRUE(has(error_for(FieldType::Radio, std::nullopt), "RADIO needs options"));
    EXPECT_TRUE(has(error_for(FieldType::Multiselect, std::nullopt), "MULTISELECT needs options"));
    EXPECT_TRUE(has(error_for(FieldType::Select, "not json"), "options is not a JSON array"));
    EXPECT_TRUE(has(error_for(FieldType::Select, R"({"a":1})"), "options is not a JSON array"));
    EXPECT_TRUE(has(error_for(FieldType::Select, R"("a,b")"), "options is not a JSON array"));
    EXPECT_TRUE(has(error_for(FieldType::Select, "[]"), "options is empty"));
    EXPECT_TRUE(has(error_for(FieldType::Select, "[1]"), "not a non-empty string"));
    EXPECT_TRUE(has(error_for(FieldType::Select, R"(["a",""])"), "not a non-empty string"));
    EXPECT_TRUE(
        has(error_for(FieldType::Select, R"(["a",{"value":"b"}])"), "not a non-empty string"));
    EXPECT_TRUE(
        has(error_for(FieldType::Select, R"(["a","b","a"])"), "options lists an option twice"));
    EXPECT_TRUE(has(error_for(FieldType::Select, std::string("[\"a\"]\0", 6)), "not a JSON array"));
    EXPECT_TRUE(has(error_for(FieldType::Text, R"(["a"])"), "options does not apply to TEXT"));
    EXPECT_TRUE(
        has(error_for(FieldType::Checkbox, R"(["a"])"), "options does not apply to CHECKBOX"));
    std::string many = "[";
    for (int i = 0; i <= 1000; ++i) many += (i ? ",\"o" : "\"o") + std::to_string(i) + "\"";
    EXPECT_TRUE(has(error_for(FieldType::Select, many + "]"), "too many"));
}

TEST(Definitions, BadRanges) {
    auto text = def("t", FieldType::Text);
    text.min_length = 5;
    text.max_length = 4;
    EXPECT_NE(definition_error(text).find("min_length is greater than max_length"),
              std::string::npos);
    text.min_length = -1;
    text.max_length = std::nullopt;
    EXPECT_NE(definition_error(text).find("min_length is negative"), std::string::npos);
    text.min_length = std::nullopt;
    text.max_length = 0;
    EXPECT_NE(definition_error(text).find("max_length is less than 1"), std::string::npos);

    auto n = def("n", FieldType::Number);
    n.min_value = "10.00";
    n.max_value = "9.99";
    EXPECT_NE(definition_error(n).find("min_value is greater than max_value"), std::string::npos);
    n.min_value = "NaN";
    n.max_value = std::nullopt;
    EXPECT_NE(definition_error(n).find("min_value is not a number"), std::string::npos);
    n.min_value = std::nullopt;
    n.max_value = "Infinity";
    EXPECT_NE(definition_error(n).find("max_value is not a number"), std::string::npos);
    n.max_value = std::nullopt;
    n.min_length = 1;
    EXPECT_NE(definition_error(n).find("min_length does not apply to NUMBER"), std::string::npos);

    auto t = def("t", FieldType::Text);
    t.max_value = "5";
    EXPECT_NE(definition_error(t).find("max_value does not apply to TEXT"), std::string::npos);

    EXPECT_NE(definition_error(def("", FieldType::Text)).find("slug is empty"), std::string::npos);
    auto unnamed = def("x", FieldType::Text);
    unnamed.name.clear();
    EXPECT_NE(definition_error(unnamed).find("name is empty"), std::string::npos);
}

TEST(Definitions, DefaultsThatTheirOwnRulesRefuse) {
    const auto error_for = [](FieldDefinition d, std::string value) {
        d.default_value = std::move(value);
        return definition_error(std::move(d));
    };
    const auto refused = [&](FieldDefinition d, std::string value) {
        const std::string e = error_for(std::move(d), std::move(value));
        return e.find("default_value is not valid") != std::string::npos;
    };
    auto n = def("n", FieldType::Number);
    EXPECT_TRUE(refused(n, "abc"));
    EXPECT_TRUE(refused(n, "1.5"));
    EXPECT_TRUE(refused(n, "1e400"));
    EXPECT_EQ(error_for(n, "42"), "");
    EXPECT_EQ(error_for(n, "1e3"), "");
    n.max_value = "10";
    EXPECT_TRUE(refused(n, "11"));
    EXPECT_TRUE(refused(def("d", FieldType::Decimal), "12,5"));
    EXPECT_TRUE(refused(def("d", FieldType::Decimal), "NaN"));
    EXPECT_EQ(error_for(def("d", FieldType::Decimal), "12.50"), "");
    EXPECT_TRUE(refused(def("c", FieldType::Checkbox), "yes"));
    EXPECT_TRUE(refused(def("c", FieldType::Checkbox), "t"));
    EXPECT_EQ(error_for(def("c", FieldType::Checkbox), "false"), "");
    const auto select = with_options(def("s", FieldType::Select), R"(["a","b"])");
    EXPECT_TRUE(refused(select, "c"));
    EXPECT_EQ(error_for(select, "a"), "");
    const auto multi = with_options(def("m", FieldType::Multiselect), R"(["a","b"])");
    EXPECT_TRUE(refused(multi, "a"));
    EXPECT_TRUE(refused(multi, R"(["a","z"])"));
    EXPECT_TRUE(refused(multi, R"(["a","a"])"));
    EXPECT_TRUE(refused(multi, R"(["a"], "x": 1)"));  // cannot smuggle in a second key
    EXPECT_EQ(error_for(multi, R"(["a", "b"])"), "");
    auto text = def("t", FieldType::Text);
    text.max_length = 3;
    EXPECT_TRUE(refused(text, "abcd"));
    EXPECT_TRUE(refused(def("t", FieldType::Text), "two\nlines"));
    text.max_length = std::nullopt;
    text.pattern = "[A-Z]+";
    EXPECT_TRUE(refused(text, "abc"));
    EXPECT_TRUE(refused(def("e", FieldType::Email), "nobody"));
    EXPECT_TRUE(refused(def("u", FieldType::Url), "example.com"));
    EXPECT_TRUE(refused(def("d", FieldType::Date), "2023-02-29"));
    EXPECT_TRUE(refused(def("t", FieldType::Time), "24:00"));
    EXPECT_TRUE(refused(def("f", FieldType::File), R"({"name":"a"})"));
    EXPECT_TRUE(refused(def("f", FieldType::File), "https://x.example.com/a"));
    EXPECT_TRUE(refused(def("u", FieldType::UserSelect), "bob"));
    EXPECT_EQ(error_for(def("u", FieldType::UserSelect), kStranger), "");  // not looked up here
    EXPECT_EQ(error_for(def("t", FieldType::Text), ""), "");               // empty: no default
    const std::string e = error_for(select, "c");
    EXPECT_NE(e.find("deliverable field \"s\""), std::string::npos) << e;
    EXPECT_NE(e.find("\"Field s\" must be one of \"a\", \"b\"; \"c\" is not."), std::string::npos)
        << e;
}

TEST(Definitions, DuplicateSlugsInAService) {
    try {
        service({def("a", FieldType::Text), def("a", FieldType::Number)});
        FAIL() << "no error";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter);
        EXPECT_STREQ(e.what(), "deliverable fields: two fields have the slug \"a\"");
    }
}

// ---------------------------------------------------------------------------
// Defaults

ServiceValidator defaults_service() {
    auto text = def("note", FieldType::Text);
    text.default_value = "He said \"hi\" \\ \xc3\xa9";
    text.sort_order = 1;
    auto n = def("count", FieldType::Number);
    n.default_value = "1e3";
    n.sort_order = 2;
    auto d = def("price", FieldType::Decimal);
    d.default_value = "12.50";
    d.sort_order = 3;
    auto box = def("done", FieldType::Checkbox);
    box.default_value = "false";
    box.sort_order = 4;
    auto multi = with_options(def("tags", FieldType::Multiselect), R"(["a","b"])");
    multi.default_value = R"([ "b" , "a" ])";
    multi.sort_order = 5;
    auto file = def("brief", FieldType::File);
    file.default_value = R"({"url":"https://x.example.com/brief.pdf", "name":"Brief"})";
    file.sort_order = 6;
    auto plain = def("plain", FieldType::Text);  // no default
    plain.sort_order = 7;
    return service({text, n, d, box, multi, file, plain});
}

TEST(Defaults, FillMissingKeysTyped) {
    const ServiceValidator v = defaults_service();
    const auto filled = v.apply_defaults("{}");
    ASSERT_TRUE(filled.has_value());
    EXPECT_EQ(*filled,
              "{\"note\":\"He said \\\"hi\\\" \\\\ \xc3\xa9\",\"count\":1000,\"price\":12.50,"
              "\"done\":false,\"tags\":[\"b\",\"a\"],\"brief\":{\"name\":\"Brief\",\"url\":"
              "\"https://x.example.com/brief.pdf\"}}");
    EXPECT_EQ(check(v, *filled), none());
}

TEST(Defaults, KeepWhatWasGiven) {
    const ServiceValidator v = defaults_service();
    // Present keys keep their values (and their spelling); null stays null.
    const auto filled =
        v.apply_defaults(R"( { "count" : 7, "price": 1.50, "note": null, "done": true,
                             "tags": [], "brief": null, "plain": "x" }  )");
    EXPECT_EQ(filled, std::nullopt);
    const auto some = v.apply_defaults(R"({"count": 7, "price": 1.50})");
    ASSERT_TRUE(some.has_value());
    EXPECT_EQ(*some,
              "{\"count\": 7, \"price\": 1.50,\"note\":\"He said \\\"hi\\\" \\\\ \xc3\xa9\","
              "\"done\":false,\"tags\":[\"b\",\"a\"],\"brief\":{\"name\":\"Brief\",\"url\":"
              "\"https://x.example.com/brief.pdf\"}}");
    const auto spaced = v.apply_defaults("{ }\n");
    ASSERT_TRUE(spaced.has_value());
    EXPECT_EQ(spaced->substr(0, 10), "{ \"note\":\"");
    EXPECT_EQ(spaced->substr(spaced->size() - 3), "}}\n");
    // Unknown keys and wrong values are left for validate() to report.
    const auto with_unknown = v.apply_defaults(R"({"zzz": 1, "count": "x"})");
    ASSERT_TRUE(with_unknown.has_value());
    EXPECT_EQ(check(v, *with_unknown),
              (std::vector<std::string>{"count:wrong_type", "zzz:unknown_field"}));
    // A huge number elsewhere does not stop the defaults.
    const auto huge = v.apply_defaults(R"({"count": 1e400})");
    ASSERT_TRUE(huge.has_value());
    EXPECT_EQ(check(v, *huge), std::vector<std::string>{"count:too_large"});
}

TEST(Defaults, NothingToDoOrNotAnObject) {
    const ServiceValidator v = defaults_service();
    for (const std::string &doc :
         {std::string(""), std::string("[]"), std::string("null"), std::string("{"),
          std::string("{\"count\":1,\"count\":2}"), std::string("{}\0", 3), std::string("\"{}\"")})
        EXPECT_EQ(v.apply_defaults(doc), std::nullopt) << doc;
    EXPECT_EQ(service({def("a", FieldType::Text)}).apply_defaults("{}"), std::nullopt);
    auto user = def("owner", FieldType::UserSelect);
    user.default_value = kUser;
    EXPECT_EQ(service({user}).apply_defaults("{}"), std::string("{\"owner\":\"") + kUser + "\"}");
}

// ---------------------------------------------------------------------------
// Problems as JSON

TEST(ProblemsJson, Shape) {
    EXPECT_EQ(problems_to_json({}), "[]");
    EXPECT_EQ(
        problems_to_json({Problem{"due", "invalid_date", "\"Due\" must be a date."},
                          Problem{"", "malformed_json", "bad"}, Problem{"", "unknown_field", "x"}}),
        R"([{"field":"due","code":"invalid_date","message":"\"Due\" must be a date."},)"
        R"({"field":null,"code":"malformed_json","message":"bad"},)"
        R"({"field":"","code":"unknown_field","message":"x"}])");
    // Control characters escaped; invalid UTF-8 (only possible from a caller's own
    // strings) replaced rather than thrown.
    EXPECT_EQ(problems_to_json({Problem{"a\nb", "c", "\x01\xff"}}),
              "[{\"field\":\"a\\nb\",\"code\":\"c\",\"message\":\"\\u0001\xef\xbf\xbd\"}]");
}

TEST(ProblemsJson, MessagesQuoteValuesSafely) {
    const ServiceValidator v = service({with_options(def("s", FieldType::Select), R"(["a"])")});
    FakeReferences refs;
    const auto problems = v.validate("{\"s\":\"" + repeat("x", 100) + "\\n\\u0007\"}", true, refs);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].message,
              "\"Field s\" must be one of \"a\"; \"" + repeat("x", 40) + "...\" is not.");
    const auto control = v.validate(R"({"s":"a\n\u0007\"b"})", true, refs);
    EXPECT_EQ(control[0].message, "\"Field s\" must be one of \"a\"; \"a\\n\\u0007\\\"b\" is not.");
}

// ---------------------------------------------------------------------------
// Fuzz: random and mutated documents never make validate() throw or crash.

class Fuzzer {
  public:
    explicit Fuzzer(std::uint32_t seed) : rng_(seed) {}

    std::string document() {
        std::string out = "{";
        const int members = pick(0, 8);
        std::set<std::string> used;
        for (int i = 0; i < members; ++i) {
            std::string key = pick(0, 3) == 0 ? random_string(6) : kKeys[pick(0, kKeyCount - 1)];
            if (!used.insert(key).second) continue;
            if (out.size() > 1) out += ',';
            out += quote(key) + ":" + value(0);
        }
        return out + "}";
    }

    std::string mutate(std::string doc) {
        const int edits = pick(1, 4);
        for (int i = 0; i < edits && !doc.empty(); ++i) {
            const std::size_t at =
                static_cast<std::size_t>(pick(0, static_cast<int>(doc.size()) - 1));
            switch (pick(0, 5)) {
                case 0:
                    doc[at] = static_cast<char>(pick(0, 255));
                    break;
                case 1:
                    doc.erase(at, static_cast<std::size_t>(pick(1, 8)));
                    break;
                case 2:
                    doc.insert(at, 1, "{}[]\",:\\0e-.\xff\x00"[pick(0, 14)]);
                    break;
                case 3:
                    doc.resize(at);
                    break;
                case 4:
                    doc.insert(at, value(2));
                    break;
                default:
                    doc.insert(at, doc.substr(at / 2, static_cast<std::size_t>(pick(0, 20))));
                    break;
            }
        }
        return doc;
    }

    int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }

  private:
    static constexpr int kKeyCount = 17;
    static constexpr const char *kKeys[kKeyCount] = {
        "text",  "area",   "number", "decimal", "date",  "datetime", "time", "email", "url",
        "phone", "select", "multi",  "radio",   "check", "file",     "user", "client"};

    std::string quote(const std::string &s) { return "\"" + s + "\""; }

    std::string random_string(int max_length) {
        static constexpr const char *kPieces[] = {
            "a",          "Z",          "0",
            " ",          "\\n",        "\\\"",
            "\\\\",       "\\u00e9",    "\\ud83c\\uddeb",
            "\xc3\xa9",   "e\xcc\x81",  "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7",
            "@",          ".",          "-",
            "+",          ":",          "/",
            "%",          "\\u0000",    "\xe2\x80\xae",
            "\xd0\xb0",   "https://",   "example.com",
            "2024-02-29", "T12:00:00Z", "24:00",
            "a",          "b",          "c",
            "1e400",      "NaN"};
        std::string out;
        const int n = pick(0, max_length);
        for (int i = 0; i < n; ++i)
            out += kPieces[pick(0, static_cast<int>(std::size(kPieces)) - 1)];
        return out;
    }

    std::string value(int depth) {
        switch (pick(0, depth > 3 ? 7 : 11)) {
            case 0:
                return "null";
            case 1:
                return pick(0, 1) ? "true" : "false";
            case 2:
                return std::to_string(pick(-1000000, 1000000));
            case 3: {
                static constexpr const char *kNumbers[] = {"-0",
                                                           "0.5",
                                                           "1e3",
                                                           "1e400",
                                                           "-1e400",
                                                           "1e-400",
                                                           "9223372036854775807",
                                                           "9223372036854775808",
                                                           "-9223372036854775809",
                                                           "18446744073709551616",
                                                           "12.50",
                                                           "0.10000000000000000001",
                                                           "1E+2",
                                                           "4.2e1"};
                return kNumbers[pick(0, static_cast<int>(std::size(kNumbers)) - 1)];
            }
            case 4:
            case 5:
            case 6:
                return quote(random_string(8));
            case 7: {
                static constexpr const char *kStrings[] = {
                    "\"a\"",
                    "\"b\"",
                    "\"2024-02-29\"",
                    "\"2023-02-29\"",
                    "\"2024-05-31T14:30:00+02:00\"",
                    "\"24:00\"",
                    "\"a@example.com\"",
                    "\"https://b\\u00fccher.de\"",
                    "\"+44 20 7946 0958\"",
                    "\"0190a5c4-0000-7000-8000-000000000002\"",
                    "\"12.50\"",
                    "\"NaN\""};
                return kStrings[pick(0, static_cast<int>(std::size(kStrings)) - 1)];
            }
            case 8:
            case 9: {
                std::string out = "[";
                const int n = pick(0, 5);
                for (int i = 0; i < n; ++i) out += (i ? "," : "") + value(depth + 1);
                return out + "]";
            }
            default: {
                std::string out = "{";
                const int n = pick(0, 4);
                for (int i = 0; i < n; ++i) {
                    static constexpr const char *kMemberKeys[] = {"name", "url", "size", "x"};
                    out += (i ? "," : "") + quote(kMemberKeys[pick(0, 3)]) + ":" + value(depth + 1);
                }
                return out + "}";
            }
        }
    }

    std::mt19937 rng_;
};

ServiceValidator every_type() {
    auto text = def("text", FieldType::Text);
    text.max_length = 10;
    text.min_length = 2;
    text.pattern = "[a-zA-Z ]*";
    text.is_required = true;
    auto area = def("area", FieldType::Textarea);
    area.pattern = "(a+)+$";
    auto number = def("number", FieldType::Number);
    number.min_value = "-100.00";
    number.max_value = "100.00";
    auto decimal = def("decimal", FieldType::Decimal);
    decimal.max_value = "99999999.99";
    decimal.default_value = "1.50";
    auto email = def("email", FieldType::Email);
    email.pattern = ".*\\.com";
    auto select = with_options(def("select", FieldType::Select), R"(["a","b"])");
    select.default_value = "a";
    auto multi = with_options(def("multi", FieldType::Multiselect), R"(["a","b","c"])");
    multi.is_required = true;
    auto check_box = def("check", FieldType::Checkbox);
    check_box.default_value = "true";
    return service({text, area, number, decimal, def("date", FieldType::Date),
                    def("datetime", FieldType::Datetime), def("time", FieldType::Time), email,
                    def("url", FieldType::Url), def("phone", FieldType::Phone), select, multi,
                    with_options(def("radio", FieldType::Radio), R"(["x"])"), check_box,
                    def("file", FieldType::File), def("user", FieldType::UserSelect),
                    def("client", FieldType::ClientSelect)});
}

TEST(Fuzz, TwentyThousandDocumentsNeverThrow) {
    const ServiceValidator v = every_type();
    Fuzzer fuzz(20240531);
    FakeReferences refs;
    const std::set<std::string> known_codes = {"required",        "unknown_field",
                                               "wrong_type",      "too_short",
                                               "too_long",        "too_small",
                                               "too_large",       "pattern",
                                               "pattern_timeout", "too_long_for_pattern",
                                               "not_an_option",   "duplicate_option",
                                               "invalid_date",    "invalid_datetime",
                                               "invalid_time",    "invalid_email",
                                               "invalid_url",     "invalid_phone",
                                               "invalid_file",    "unknown_user",
                                               "unknown_client",  "not_an_object",
                                               "malformed_json"};
    std::set<std::string> seen_codes;
    int valid = 0;
    for (int i = 0; i < 20000; ++i) {
        const std::string original = fuzz.document();
        const bool mutated = i % 2 == 1;
        const std::string doc = mutated ? fuzz.mutate(original) : original;
        std::vector<Problem> problems;
        ASSERT_NO_THROW(problems = v.validate(doc, fuzz.pick(0, 1) == 1, refs)) << doc;
        for (const Problem &p : problems) {
            ASSERT_TRUE(known_codes.count(p.code)) << p.code;
            seen_codes.insert(p.code);
            ASSERT_FALSE(p.message.empty());
        }
        if (!mutated) {
            // The generator writes well-formed objects without repeated keys.
            ASSERT_TRUE(problems.empty() || (problems[0].code != "malformed_json" &&
                                             problems[0].code != "not_an_object"))
                << doc << " -> " << problems[0].message;
        }
        valid += problems.empty();
        std::optional<std::string> filled;
        ASSERT_NO_THROW(filled = v.apply_defaults(doc)) << doc;
        if (filled) {
            // What apply_defaults writes is always a readable object.
            const auto again = v.validate(*filled, false, refs);
            ASSERT_TRUE(again.empty() ||
                        (again[0].code != "malformed_json" && again[0].code != "not_an_object"))
                << *filled;
        }
        ASSERT_NO_THROW(problems_to_json(problems));
    }
    // The generator reaches the interesting paths, not only malformed_json.
    EXPECT_GT(seen_codes.size(), 15u);
    EXPECT_GT(valid, 0);
}

TEST(Fuzz, RandomBytesNeverThrow) {
    const ServiceValidator v = every_type();
    std::mt19937 rng(7);
    FakeReferences refs;
    for (int i = 0; i < 5000; ++i) {
        std::string doc(static_cast<std::size_t>(rng() % 64), '\0');
        static constexpr char kAlphabet[] = "{}[]\":,0123456789.-eEtrufalsn \\\xc3\xa9\xff";
        for (char &c : doc) c = kAlphabet[rng() % (sizeof kAlphabet - 1)];
        ASSERT_NO_THROW(v.validate(doc, true, refs)) << doc;
        ASSERT_NO_THROW(v.apply_defaults(doc)) << doc;
    }
}

}  // namespace
