#include "core/date_labels.hpp"

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include <unicode/dtptngen.h>
#include <unicode/gregocal.h>
#include <unicode/locid.h>
#include <unicode/smpdtfmt.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include "core/error.hpp"
#include "core/excerpt.hpp"
#include "core/recurrence.hpp"
#include "core/no_postgres.hpp"

namespace mycelium::core {
namespace {

Error invalid(std::string message, std::string hint = {}) {
    return Error(ErrorKind::InvalidParameter, std::move(message), {}, std::move(hint));
}

// The ICU locale for a tag, with the Gregorian calendar forced so that a Thai or
// Japanese organization's "December 2026" names the same month the period does.
// The root locale (no language) when the tag is not usable.
icu::Locale make_locale(std::string_view id) {
    if (id.empty() || id.size() > kLocaleMaxBytes) return icu::Locale("");
    UErrorCode status = U_ZERO_ERROR;
    std::string tag(id);
    for (char &c : tag)
        if (c == '_') c = '-';
    icu::Locale locale = icu::Locale::forLanguageTag(tag, status);
    if (U_FAILURE(status) || locale.isBogus()) return icu::Locale("");
    locale.setKeywordValue("calendar", "gregorian", status);
    if (U_FAILURE(status)) return icu::Locale("");
    return locale;
}

bool language_is_known(const icu::Locale &locale) {
    const char *language = locale.getLanguage();
    if (language == nullptr || *language == '\0') return false;
    for (const char *const *iso = icu::Locale::getISOLanguages(); *iso != nullptr; ++iso)
        if (std::strcmp(*iso, language) == 0) return true;
    return false;
}

bool skeleton_is_date_only(std::string_view skeleton) {
    if (skeleton.empty() || skeleton.size() > kSkeletonMaxBytes) return false;
    for (char c : skeleton)
        if (std::strchr("yMLdEc", c) == nullptr) return false;
    return true;
}

// Making a pattern generator loads locale data and takes about a millisecond, so
// each (locale, skeleton) formatter is made once per process and kept: generation
// formats one label per organization and period, mostly in a handful of locales.
// The cache is bounded so that a stream of distinct locales cannot grow it forever.
// Not thread-safe, like the rest of a PostgreSQL backend.
constexpr std::size_t kCachedFormatters = 64;

const icu::SimpleDateFormat &formatter(const std::string &locale_id, std::string_view skeleton) {
    static auto *cache = new std::map<std::string, std::unique_ptr<icu::SimpleDateFormat>>();
    std::string key = locale_id + '\x1f' + std::string(skeleton);
    if (auto found = cache->find(key); found != cache->end()) return *found->second;

    icu::Locale locale = make_locale(locale_id);
    if (locale.isBogus() || !language_is_known(locale))
        throw invalid("unknown locale \"" + locale_id + "\"",
                      "Use a BCP 47 language tag such as en-US, de-DE or pt-BR.");
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::DateTimePatternGenerator> generator(
        icu::DateTimePatternGenerator::createInstance(locale, status));
    if (U_FAILURE(status))
        throw Error(ErrorKind::Internal,
                    "date label: ICU has no patterns for locale \"" + locale_id + "\"",
                    std::string("ICU reported ") + u_errorName(status) + ".");
    icu::UnicodeString pattern =
        generator->getBestPattern(icu::UnicodeString::fromUTF8(icu::StringPiece(
                                      skeleton.data(), static_cast<int32_t>(skeleton.size()))),
                                  status);
    auto format = std::make_unique<icu::SimpleDateFormat>(pattern, locale, status);
    if (U_FAILURE(status))
        throw Error(ErrorKind::Internal,
                    "date label: ICU cannot format \"" + std::string(skeleton) + "\"",
                    std::string("ICU reported ") + u_errorName(status) + ".");
    // The date is given as midnight UTC, so it is formatted in UTC; and ICU's
    // Gregorian calendar is Julian before 1582 unless told to be proleptic.
    format->adoptTimeZone(icu::TimeZone::createTimeZone("Etc/UTC"));
    std::unique_ptr<icu::Calendar> calendar(format->getCalendar()->clone());
    if (auto *gregorian = dynamic_cast<icu::GregorianCalendar *>(calendar.get()))
        gregorian->setGregorianChange(-8.64e15, status);
    format->adoptCalendar(calendar.release());
    if (cache->size() >= kCachedFormatters) cache->clear();
    return *cache->emplace(std::move(key), std::move(format)).first->second;
}

}  // namespace

bool is_known_locale(std::string_view id) noexcept {
    try {
        icu::Locale locale = make_locale(id);
        return !locale.isBogus() && language_is_known(locale);
    } catch (...) {
        return false;
    }
}

std::string format_date_label(std::string_view locale, int year, int month, int day,
                              std::string_view skeleton) {
    if (!skeleton_is_date_only(skeleton))
        throw invalid(
            "date label: skeleton \"" + excerpt(skeleton, kSkeletonMaxBytes) +
                "\" is not a date skeleton",
            "Use up to 16 of the ICU skeleton letters y, M, L, d, E and c, such as yMMMM.");
    LocalDateTime date;
    date.year = year;
    date.month = month;
    date.day = day;
    if (year < kRecurrenceMinYear || year > kRecurrenceMaxYear)
        throw invalid("date label: year " + std::to_string(year) + " is not between 1 and 9999");
    civil::check(date, "date label");
    if (locale.size() > kLocaleMaxBytes) throw invalid("unknown locale (longer than 64 bytes)");

    const icu::SimpleDateFormat &format = formatter(std::string(locale), skeleton);
    const double millis =
        static_cast<double>(civil::days_from_civil(year, month, day)) * 86400000.0;
    icu::UnicodeString out;
    format.format(millis, out);
    std::string utf8;
    out.toUTF8String(utf8);
    return utf8;
}

}  // namespace mycelium::core
