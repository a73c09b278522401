#include "core/slug.hpp"

#include <cstdint>
#include <memory>
#include <new>
#include <string>

#include <unicode/stringpiece.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>
#include <unicode/utypes.h>

#include "core/error.hpp"
#include "core/excerpt.hpp"
#include "core/no_postgres.hpp"

namespace mycelium::core {
namespace {

constexpr char kTransliteratorId[] = "NFKC; Any-Latin; Latin-ASCII; Lower";

// How much of a rejected input the error detail quotes, in characters.
constexpr std::size_t kQuotedChars = 40;

Error icu_error(const char *what, UErrorCode status) {
    return Error(ErrorKind::Internal, std::string("slugify: ") + what,
                 std::string("ICU reported ") + u_errorName(status) + ".");
}

// Building the compound transliterator parses several rule sets and takes
// milliseconds, so it is made once and reused. It lives behind a raw pointer that
// is never freed: a static object would have a destructor that runs at process
// exit, in no defined order with ICU's own cleanup, to release memory the operating
// system reclaims anyway. The check-then-set has no lock, which is fine in a
// single-threaded PostgreSQL backend and in the unit tests, not elsewhere.
const icu::Transliterator &transliterator() {
    static const icu::Transliterator *cached = nullptr;
    if (cached == nullptr) {
        UErrorCode status = U_ZERO_ERROR;
        std::unique_ptr<icu::Transliterator> created(icu::Transliterator::createInstance(
            icu::UnicodeString(kTransliteratorId, -1, US_INV), UTRANS_FORWARD, status));
        if (U_FAILURE(status) || created == nullptr)
            throw icu_error("could not create the ICU transliterator", status);
        cached = created.release();  // kept for the life of the process, see above
    }
    return *cached;
}

// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF), so that
// what ICU would silently replace with U+FFFD is reported instead.
void check_utf8(std::string_view utf8) {
    const auto *s = reinterpret_cast<const std::uint8_t *>(utf8.data());
    const auto length = static_cast<std::int32_t>(utf8.size());  // <= kSlugMaxInputBytes
    std::int32_t i = 0;
    while (i < length) {
        const std::int32_t start = i;
        UChar32 c;
        U8_NEXT(s, i, length, c);
        if (c < 0) {
            static constexpr char kHex[] = "0123456789ABCDEF";
            const std::uint8_t byte = s[start];
            throw Error(ErrorKind::InvalidParameter, "slugify: input is not valid UTF-8",
                        "The byte 0x" + std::string{kHex[byte >> 4], kHex[byte & 0x0F]} +
                            " at offset " + std::to_string(start) +
                            " does not begin a valid UTF-8 sequence.");
        }
    }
}

// The start of the input, quoted, for an error detail.
std::string quote_start(std::string_view utf8) { return "\"" + excerpt(utf8, kQuotedChars) + "\""; }

// Keeps [a-z0-9] and makes every other run a single '-', trimmed at both ends. Any
// byte of a character that the transliterator left non-ASCII is a separator too.
std::string collapse(const std::string &ascii) {
    std::string slug;
    slug.reserve(ascii.size());
    bool pending_dash = false;
    for (char ch : ascii) {
        // Lower has already run; folding A-Z here as well keeps the [a-z0-9]
        // promise independent of the transliterator's rules.
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
            if (pending_dash && !slug.empty()) slug.push_back('-');
            pending_dash = false;
            slug.push_back(ch);
        } else {
            pending_dash = true;
        }
    }
    return slug;
}

// Cuts to kSlugMaxLength at a word boundary when there is one.
void truncate(std::string &slug) {
    if (slug.size() <= kSlugMaxLength) return;
    // A '-' right after the limit means the first kSlugMaxLength characters end
    // with a whole word.
    if (slug[kSlugMaxLength] == '-') {
        slug.resize(kSlugMaxLength);
        return;
    }
    const std::size_t dash = slug.rfind('-', kSlugMaxLength - 1);
    // collapse() never leaves a leading '-', so dash == 0 cannot happen.
    slug.resize(dash != std::string::npos ? dash : kSlugMaxLength);
}

}  // namespace

std::string slugify(std::string_view utf8) {
    // First, before looking at a single character: a huge input costs nothing.
    if (utf8.size() > kSlugMaxInputBytes)
        throw Error(ErrorKind::StringTooLong, "slugify: input is too long",
                    "The input is " + std::to_string(utf8.size()) + " bytes; the limit is " +
                        std::to_string(kSlugMaxInputBytes) + ".");
    check_utf8(utf8);

    icu::UnicodeString text = icu::UnicodeString::fromUTF8(
        icu::StringPiece(utf8.data(), static_cast<std::int32_t>(utf8.size())));
    // A bogus string is ICU's only way to say an allocation failed here.
    if (text.isBogus()) throw std::bad_alloc();
    transliterator().transliterate(text);
    if (text.isBogus()) throw std::bad_alloc();

    std::string transliterated;
    text.toUTF8String(transliterated);
    std::string slug = collapse(transliterated);
    if (slug.empty())
        throw Error(ErrorKind::InvalidParameter,
                    "slugify: the text has no letters or digits to make a slug from",
                    utf8.empty() ? std::string("The input is empty.")
                                 : "The input was " + quote_start(utf8) + ".");
    truncate(slug);
    return slug;
}

}  // namespace mycelium::core
