// Micro-benchmarks of custom-field validation (src/core/fields.hpp). Run by hand,
// from a Release build:
//
//   cmake -S . -B /tmp/myc -DCMAKE_BUILD_TYPE=Release -DMYCELIUM_BUILD_EXTENSION=OFF
//   cmake --build /tmp/myc -j && /tmp/myc/mycelium_micro_bench --benchmark_filter=Fields
//
// The goal (issue 6): under 1 us per field for the common types. "per_field" is
// the time of one validate() call divided by the number of fields it checks, so it
// includes the share of parsing the JSON text, as the trigger pays it.
#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include "core/fields.hpp"

namespace {

using mycelium::core::FieldDefinition;
using mycelium::core::FieldType;
using mycelium::core::ReferenceChecker;
using mycelium::core::ServiceValidator;

// The database look-up is the glue's cost, not the core's: answer at once.
struct AlwaysThere final : ReferenceChecker {
    bool active_user_exists(const std::string &) const override { return true; }
    bool client_exists(const std::string &) const override { return true; }
};

FieldDefinition field(std::string slug, FieldType type) {
    FieldDefinition d;
    d.name = slug;
    d.slug = std::move(slug);
    d.type = type;
    return d;
}

void run(benchmark::State &state, const ServiceValidator &v, const std::string &values,
         int fields) {
    const AlwaysThere refs;
    for (auto _ : state) {
        auto problems = v.validate(values, /*enforce_required=*/true, refs);
        benchmark::DoNotOptimize(problems);
        if (!problems.empty()) {
            state.SkipWithError(problems.front().message.c_str());
            break;
        }
    }
    state.counters["per_field"] =
        benchmark::Counter(static_cast<double>(state.iterations()) * fields,
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// A typical deliverable: TEXT, DATE, URL, SELECT, NUMBER, CHECKBOX, with the rules an
// agency would set (lengths, bounds, required).
ServiceValidator typical_service() {
    auto title = field("title", FieldType::Text);
    title.is_required = true;
    title.max_length = 120;
    auto due = field("due_date", FieldType::Date);
    due.is_required = true;
    auto link = field("dropbox_link", FieldType::Url);
    auto stage = field("stage", FieldType::Select);
    stage.options_json = R"(["Draft","Review","Final","Delivered"])";
    auto count = field("video_count", FieldType::Number);
    count.min_value = "1.00";
    count.max_value = "50.00";
    auto approved = field("client_approval", FieldType::Checkbox);
    return ServiceValidator::compile({title, due, link, stage, count, approved});
}

constexpr char kTypical[] =
    R"({"title": "Spring campaign, 30 s cut", "due_date": "2024-05-31", )"
    R"("dropbox_link": "https://www.dropbox.com/s/abc123/spring-cut.mp4?dl=0", )"
    R"("stage": "Review", "video_count": 3, "client_approval": false})";

void BM_FieldsValidateTypical(benchmark::State &state) {
    const ServiceValidator v = typical_service();
    run(state, v, kTypical, 6);
}
BENCHMARK(BM_FieldsValidateTypical);

// The same object, in jsonb's output spelling (what the trigger hands over).
void BM_FieldsValidateTypicalJsonbText(benchmark::State &state) {
    const ServiceValidator v = typical_service();
    run(state, v,
        R"({"stage": "Review", "title": "Spring campaign, 30 s cut", "due_date": "2024-05-31", )"
        R"("video_count": 3, "dropbox_link": "https://www.dropbox.com/s/abc123/spring-cut.mp4?dl=0", )"
        R"("client_approval": false})",
        6);
}
BENCHMARK(BM_FieldsValidateTypicalJsonbText);

void BM_FieldsApplyDefaults(benchmark::State &state) {
    auto title = field("title", FieldType::Text);
    auto stage = field("stage", FieldType::Select);
    stage.options_json = R"(["Draft","Final"])";
    stage.default_value = "Draft";
    auto approved = field("client_approval", FieldType::Checkbox);
    approved.default_value = "false";
    const ServiceValidator v = ServiceValidator::compile({title, stage, approved});
    const std::string values = R"({"title": "Spring campaign"})";
    for (auto _ : state) {
        auto filled = v.apply_defaults(values);
        benchmark::DoNotOptimize(filled);
    }
}
BENCHMARK(BM_FieldsApplyDefaults);

void BM_FieldsCompileTypical(benchmark::State &state) {
    for (auto _ : state) {
        ServiceValidator v = typical_service();
        benchmark::DoNotOptimize(v);
    }
}
BENCHMARK(BM_FieldsCompileTypical);

// ---------------------------------------------------------------------------
// Per type: one field, one typical value. The document is {"f": value}, so each
// figure includes parsing a one-member object.

struct TypeCase {
    const char *label;
    FieldDefinition definition;
    const char *value;
};

std::vector<TypeCase> type_cases() {
    const auto with = [](FieldType type, auto &&configure) {
        FieldDefinition d = field("f", type);
        configure(d);
        return d;
    };
    const auto plain = [](FieldDefinition &) {};
    return {
        {"TEXT", field("f", FieldType::Text), R"("Spring campaign, 30 s cut")"},
        {"TEXT_max_length", with(FieldType::Text, [](auto &d) { d.max_length = 120; }),
         R"("Spring campaign, 30 s cut")"},
        {"TEXT_length_non_ascii",
         with(FieldType::Text,
              [](auto &d) {
                  d.max_length = 20;
                  d.min_length = 2;
              }),
         "\"Cre\xcc\x81"
         "dit agricole \xf0\x9f\x87\xab\xf0\x9f\x87\xb7\""},
        {"TEXT_length_accented",
         with(FieldType::Text,
              [](auto &d) {
                  d.max_length = 20;
                  d.min_length = 2;
              }),
         "\"Cr\xc3\xa9"
         "dit Soci\xc3\xa9t\xc3\xa9\""},
        {"TEXT_pattern", with(FieldType::Text, [](auto &d) { d.pattern = "[A-Z]{3}-[0-9]{4}"; }),
         R"("ABC-1234")"},
        {"TEXTAREA_500_chars", field("f", FieldType::Textarea),
         "\"Lorem ipsum dolor sit amet, consectetur adipiscing elit.\\nSed do eiusmod tempor "
         "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
         "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure "
         "dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. "
         "Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt "
         "mollit anim id est laborum. Lorem ipsum dolor sit amet, consectetur adipiscing elit, "
         "sed do eiusmod tempor incididunt.\""},
        {"NUMBER",
         with(FieldType::Number,
              [](auto &d) {
                  d.min_value = "0.00";
                  d.max_value = "1000.00";
              }),
         "42"},
        {"DECIMAL",
         with(FieldType::Decimal,
              [](auto &d) {
                  d.min_value = "0.00";
                  d.max_value = "99999999.99";
              }),
         "1299.95"},
        {"DECIMAL_string", with(FieldType::Decimal, [](auto &d) { d.max_value = "99999999.99"; }),
         R"("1299.95")"},
        {"DATE", field("f", FieldType::Date), R"("2024-05-31")"},
        {"DATETIME", field("f", FieldType::Datetime), R"("2024-05-31T14:30:00.000+02:00")"},
        {"TIME", field("f", FieldType::Time), R"("14:30")"},
        {"EMAIL", field("f", FieldType::Email), R"("jane.doe+briefs@agency.example.com")"},
        {"EMAIL_idn", field("f", FieldType::Email),
         "\"anna@b\xc3\xbc"
         "cher.de\""},
        {"URL", field("f", FieldType::Url),
         R"("https://www.dropbox.com/s/abc123/spring-cut.mp4?dl=0")"},
        {"URL_idn", field("f", FieldType::Url),
         "\"https://b\xc3\xbc"
         "cher.de/katalog\""},
        {"PHONE", field("f", FieldType::Phone), R"("+44 20 7946 0958")"},
        {"SELECT",
         with(FieldType::Select,
              [](auto &d) { d.options_json = R"(["Draft","Review","Final","Delivered"])"; }),
         R"("Final")"},
        {"RADIO", with(FieldType::Radio, [](auto &d) { d.options_json = R"(["Yes","No"])"; }),
         R"("No")"},
        {"MULTISELECT",
         with(FieldType::Multiselect,
              [](auto &d) { d.options_json = R"(["youtube","instagram","tiktok","linkedin"])"; }),
         R"(["youtube","tiktok"])"},
        {"CHECKBOX", field("f", FieldType::Checkbox), "true"},
        {"FILE", field("f", FieldType::File),
         R"({"name": "brief.pdf", "url": "https://files.example.com/o/123/brief.pdf", "size": 48213})"},
        {"USER_SELECT", field("f", FieldType::UserSelect),
         R"("0190a5c4-0000-7000-8000-000000000002")"},
        {"CLIENT_SELECT", field("f", FieldType::ClientSelect),
         R"("0190a5c4-0000-7000-8000-000000000003")"},
        {"absent_optional", with(FieldType::Text, plain), nullptr},
    };
}

void BM_FieldsPerType(benchmark::State &state, const TypeCase &c) {
    const ServiceValidator v = ServiceValidator::compile({c.definition});
    const std::string values = c.value ? std::string("{\"f\": ") + c.value + "}" : "{}";
    run(state, v, values, 1);
}

// Registers one benchmark per type before main() runs (benchmark_main); each
// registration keeps its own copy of the case.
const bool kRegistered = [] {
    for (const TypeCase &c : type_cases())
        benchmark::RegisterBenchmark((std::string("BM_FieldsPerType/") + c.label).c_str(),
                                     BM_FieldsPerType, c);
    return true;
}();

// ---------------------------------------------------------------------------
// The catastrophic pattern: how long one field takes to give up.

void BM_FieldsCatastrophicPattern(benchmark::State &state) {
    auto evil = field("f", FieldType::Text);
    evil.pattern = "(a+)+$";
    const ServiceValidator v = ServiceValidator::compile({evil});
    const std::string values =
        "{\"f\": \"" + std::string(static_cast<std::size_t>(state.range(0)), 'a') + "!\"}";
    const AlwaysThere refs;
    for (auto _ : state) {
        auto problems = v.validate(values, true, refs);
        if (problems.size() != 1 || problems[0].code != "pattern_timeout") {
            state.SkipWithError("expected pattern_timeout");
            break;
        }
        benchmark::DoNotOptimize(problems);
    }
}
BENCHMARK(BM_FieldsCatastrophicPattern)
    ->Arg(30)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
