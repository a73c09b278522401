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
    mycelium::pg::guard([&] {
        PreventCommandIfReadOnly(operation.c_str());
        PreventCommandDuringRecovery(operation.c_str());
    });
    PG_RETURN_VOID();
}
