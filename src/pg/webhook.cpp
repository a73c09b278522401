// mycelium_internal.webhook_signature(secret, message_id, sent_at, body): the
// Standard Webhooks signature of one delivery (src/core/webhook.*). Private:
// called by the extension's SECURITY DEFINER functions with a secret they have
// decrypted, never granted.
#include <string>

#include "pg/boundary.hpp"

#include "core/error.hpp"
#include "core/webhook.hpp"
#include "pg/text.hpp"

MYCELIUM_FUNCTION(mycelium_webhook_signature) {
    using mycelium::core::Error;
    using mycelium::core::ErrorKind;
    static const char *const kNames[] = {"secret", "message_id", "sent_at", "body"};
    for (int i = 0; i < 4; ++i)
        if (PG_ARGISNULL(i))
            throw Error(ErrorKind::InvalidParameter,
                        std::string("webhook_signature: ") + kNames[i] + " must not be NULL");
    const std::string signature = mycelium::core::webhook_signature(
        mycelium::pg::text_arg_utf8(fcinfo, 0), mycelium::pg::text_arg_utf8(fcinfo, 1),
        PG_GETARG_INT64(2), mycelium::pg::text_arg_utf8(fcinfo, 3));
    PG_RETURN_TEXT_P(mycelium::pg::utf8_to_text(signature));
}

// mycelium_internal.generate_webhook_secret(): "whsec_" and the base64 of 32 new
// random bytes, the signing secret of a new WEBHOOKS or ZAPIER integration.
MYCELIUM_FUNCTION(mycelium_generate_webhook_secret) {
    PG_RETURN_TEXT_P(mycelium::pg::utf8_to_text(mycelium::core::generate_webhook_secret()));
}

// mycelium.is_valid_webhook_url(url): whether a webhook may be POSTed there
// (https, a host, no credentials); the check of integrations.webhook_url.
MYCELIUM_FUNCTION(mycelium_is_valid_webhook_url) {
    PG_RETURN_BOOL(!mycelium::core::webhook_url_problem(mycelium::pg::text_arg_utf8(fcinfo, 0)));
}
