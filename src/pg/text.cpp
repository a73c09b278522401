#include "pg/text.hpp"

extern "C" {
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
}

namespace mycelium::pg {

std::string text_arg_utf8(FunctionCallInfo fcinfo, int argno) {
    text *t = guard([&] { return PG_GETARG_TEXT_PP(argno); });
    const char *data = VARDATA_ANY(t);
    const int len = VARSIZE_ANY_EXHDR(t);
    if (GetDatabaseEncoding() == PG_UTF8) return std::string(data, static_cast<size_t>(len));
    const char *utf8 = guard([&] { return pg_server_to_any(data, len, PG_UTF8); });
    return utf8 == data ? std::string(data, static_cast<size_t>(len)) : std::string(utf8);
}

text *utf8_to_text(std::string_view utf8) {
    const int len = static_cast<int>(utf8.size());
    const char *server = utf8.data();
    if (GetDatabaseEncoding() != PG_UTF8)
        server = guard([&] { return pg_any_to_server(utf8.data(), len, PG_UTF8); });
    if (server == utf8.data()) return guard([&] { return cstring_to_text_with_len(server, len); });
    return guard([&] { return cstring_to_text(server); });
}

}  // namespace mycelium::pg
