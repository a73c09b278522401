// Tokens from identity services: the glue of src/core/jwks.* and
// src/core/token_route.* for mycelium_internal.token_header,
// verify_foreign_token and check_jwks (src/sql/code/12_identity_providers.sql).
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/jwks.hpp"
#include "core/token_route.hpp"
#include "pg/boundary.hpp"
#include "pg/text.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

namespace {

using mycelium::core::Error;
using mycelium::core::ErrorKind;

TupleDesc result_descriptor(FunctionCallInfo fcinfo, const char *fn) {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg("%s: declared without its output parameters", fn),
                        mycelium::pg::errschema()));
    return BlessTupleDesc(desc);
}

Datum text_datum(const std::string &s) {
    return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size())));
}

Datum time_datum(std::int64_t unix_time) {
    return TimestampTzGetDatum(time_t_to_timestamptz(static_cast<pg_time_t>(unix_time)));
}

}  // namespace

// token_header(token) -> (algorithm, issuer, organization_id)
MYCELIUM_FUNCTION(mycelium_token_header) {
    const mycelium::core::TokenRoute route =
        mycelium::core::route_token(mycelium::pg::text_arg_utf8(fcinfo, 0));
    return mycelium::pg::guard([&] {
        TupleDesc desc = result_descriptor(fcinfo, "token_header");
        Datum values[3] = {text_datum(route.algorithm), 0, 0};
        bool nulls[3] = {false, !route.issuer, !route.organization_id};
        if (route.issuer) values[1] = text_datum(*route.issuer);
        if (route.organization_id) values[2] = text_datum(*route.organization_id);
        return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
    });
}

// verify_foreign_token(token, jwks, issuer, audiences)
//   -> (subject, email, email_verified, expires_at, issued_at, token_id)
MYCELIUM_FUNCTION(mycelium_verify_foreign_token) {
    using mycelium::pg::guard;
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        throw Error(ErrorKind::InvalidParameter,
                    "verify_foreign_token: token and jwks are required");
    const std::string token = mycelium::pg::text_arg_utf8(fcinfo, 0);
    const std::string jwks = mycelium::pg::text_arg_utf8(fcinfo, 1);
    mycelium::core::ForeignTokenRules rules;
    if (!PG_ARGISNULL(2)) rules.issuer = mycelium::pg::text_arg_utf8(fcinfo, 2);
    if (!PG_ARGISNULL(3)) {
        ArrayType *arr = guard([&] { return PG_GETARG_ARRAYTYPE_P(3); });
        Datum *elems = nullptr;
        bool *nulls = nullptr;
        int n = 0;
        guard(
            [&] { deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n); });
        for (int i = 0; i < n; ++i) {
            if (nulls[i]) continue;
            text *t = DatumGetTextPP(elems[i]);
            rules.audiences.emplace_back(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
        }
    }
    const mycelium::core::ForeignToken verified = mycelium::core::verify_jwt_jwks(
        token, jwks, rules, static_cast<std::int64_t>(time(nullptr)));
    return guard([&] {
        TupleDesc desc = result_descriptor(fcinfo, "verify_foreign_token");
        Datum values[6] = {text_datum(verified.subject),
                           text_datum(verified.email),
                           BoolGetDatum(verified.email_verified),
                           time_datum(verified.expires_at),
                           0,
                           text_datum(verified.token_id)};
        bool nulls[6] = {verified.subject.empty(), verified.email.empty(),   false, false,
                         !verified.issued_at,      verified.token_id.empty()};
        if (verified.issued_at) values[4] = time_datum(*verified.issued_at);
        return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
    });
}

// check_jwks(jwks) -> the number of keys
MYCELIUM_FUNCTION(mycelium_check_jwks) {
    const std::size_t keys = mycelium::core::check_jwks(mycelium::pg::text_arg_utf8(fcinfo, 0));
    PG_RETURN_INT32(static_cast<int32>(keys));
}
