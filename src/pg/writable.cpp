// mycelium.require_writable(operation): the first statement of every writing
// function, so that on a hot standby or in a read-only transaction it fails at
// once with SQLSTATE 25006 naming the Mycelium operation, instead of midway with
// "cannot execute INSERT" about a statement the caller never wrote.
#include "pg/boundary.hpp"

#include "pg/text.hpp"

extern "C" {
#include "miscadmin.h"
}

MYCELIUM_FUNCTION(mycelium_require_writable) {
    const std::string operation = "mycelium." + mycelium::pg::text_arg_utf8(fcinfo, 0) + "()";
    // Recovery first: every transaction on a standby is read-only too, and "during
    // recovery" says why the write cannot happen there.
    mycelium::pg::guard([&] {
        PreventCommandDuringRecovery(operation.c_str());
        PreventCommandIfReadOnly(operation.c_str());
    });
    PG_RETURN_VOID();
}
