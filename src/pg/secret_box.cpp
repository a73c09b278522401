// Integration secrets at rest (src/core/secret_box.*): seal_secret encrypts a
// secret under the current key of mycelium_internal.integration_keys, open_secret
// decrypts one under the key it names. The keys are read here, as the owner, and
// never cross into SQL. Private: called by the SECURITY DEFINER functions and the
// trigger of src/sql/code/53_integration_secrets.sql, never granted.
#include <optional>
#include <string>

#include "pg/boundary.hpp"

extern "C" {
#include "utils/builtins.h"
#include "utils/uuid.h"
}

#include <openssl/crypto.h>

#include "core/context.hpp"
#include "core/error.hpp"
#include "core/secret_box.hpp"
#include "pg/context.hpp"
#include "pg/spi.hpp"
#include "pg/text.hpp"

namespace {

using mycelium::core::Error;
using mycelium::core::ErrorKind;
using mycelium::pg::QueryParam;

// Wipes a key when it goes out of scope.
struct Key {
    std::string id;
    std::string bytes;
    ~Key() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// One key: the current one (id empty) or the one with this id; nothing if none.
std::optional<Key> load_key(const std::string &id) {
    const mycelium::pg::TextRows rows = id.empty()
                                            ? mycelium::pg::query_as_owner(
                                                  "SELECT k.id::text, encode(k.key, 'hex') FROM "
                                                  "mycelium_internal.integration_keys k "
                                                  "WHERE k.is_current",
                                                  {})
                                            : mycelium::pg::query_as_owner(
                                                  "SELECT k.id::text, encode(k.key, 'hex') FROM "
                                                  "mycelium_internal.integration_keys k "
                                                  "WHERE k.id = $1",
                                                  {QueryParam::uuid(id)});
    if (rows.size() != 1 || !rows.at(0, 0) || !rows.at(0, 1)) return std::nullopt;
    Key key;
    key.id = *rows.at(0, 0);
    const std::string &hex = *rows.at(0, 1);
    key.bytes.reserve(hex.size() / 2);
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        key.bytes.push_back(static_cast<char>(hex_value(hex[i]) << 4 | hex_value(hex[i + 1])));
    return key;
}

std::string uuid_arg(FunctionCallInfo fcinfo, int argno) {
    return mycelium::pg::guard(
        [&] { return DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(argno))); });
}

void require_arguments(FunctionCallInfo fcinfo, const char *fn, const char *last) {
    static const char *const kNames[] = {"organization_id", "integration_id", "name"};
    for (int i = 0; i < 4; ++i)
        if (PG_ARGISNULL(i))
            throw Error(ErrorKind::InvalidParameter,
                        std::string(fn) + ": " + (i < 3 ? kNames[i] : last) + " must not be NULL");
}

}  // namespace

// seal_secret(organization_id, integration_id, name, plaintext): the stored form,
// "<key id>.<base64 of nonce, ciphertext and tag>", under the current key.
MYCELIUM_FUNCTION(mycelium_seal_secret) {
    require_arguments(fcinfo, "seal_secret", "plaintext");
    const std::string organization = uuid_arg(fcinfo, 0);
    const std::string integration = uuid_arg(fcinfo, 1);
    const std::string name = mycelium::pg::text_arg_utf8(fcinfo, 2);
    std::string plaintext = mycelium::pg::text_arg_utf8(fcinfo, 3);
    const std::optional<Key> key = load_key({});
    if (!key)
        throw Error(
            ErrorKind::ObjectNotInPrerequisiteState,
            "seal_secret: there is no current integration key",
            "mycelium_internal.integration_keys has no row with is_current.",
            "mycelium.rotate_integration_key() makes one (docs/integrations.md, \"Secrets\").");
    const std::string box = mycelium::core::seal_secret(
        key->bytes, {organization, integration, name, key->id}, plaintext);
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    PG_RETURN_TEXT_P(mycelium::pg::utf8_to_text(mycelium::core::sealed_text(key->id, box)));
}

// open_secret(organization_id, integration_id, name, sealed): the plaintext.
// An error names the integration and the secret, never a value.
MYCELIUM_FUNCTION(mycelium_open_secret) {
    require_arguments(fcinfo, "open_secret", "sealed");
    const std::string organization = uuid_arg(fcinfo, 0);
    const std::string integration = uuid_arg(fcinfo, 1);
    const std::string name = mycelium::pg::text_arg_utf8(fcinfo, 2);
    const auto sealed = mycelium::core::parse_sealed_text(mycelium::pg::text_arg_utf8(fcinfo, 3));
    const std::string where = "secret \"" + name + "\" of integration " + integration;
    if (!sealed)
        throw Error(ErrorKind::DataCorrupted,
                    "open_secret: the " + where + " is not a sealed value");
    const std::optional<Key> key = load_key(sealed->key_id);
    if (!key)
        throw Error(ErrorKind::ObjectNotInPrerequisiteState,
                    "open_secret: the key " + sealed->key_id + " of the " + where + " is missing",
                    "mycelium_internal.integration_keys has no key with that id.",
                    "After a restore, load the keys of the dumped server (docs/integrations.md, "
                    "\"Secrets\").");
    std::optional<std::string> plaintext = mycelium::core::open_secret(
        key->bytes, {organization, integration, name, key->id}, sealed->box);
    if (!plaintext)
        throw Error(ErrorKind::DataCorrupted, "open_secret: the " + where + " does not decrypt",
                    "It was altered, or moved from another integration, organization or name.");
    text *result = mycelium::pg::utf8_to_text(*plaintext);
    OPENSSL_cleanse(plaintext->data(), plaintext->size());
    PG_RETURN_TEXT_P(result);
}

// listen_channel(organization_id, portal, account_id): the LISTEN channel of an
// account's in-app notifications (core::listen_channel, under the context key).
MYCELIUM_FUNCTION(mycelium_listen_channel) {
    for (int i = 0; i < 3; ++i)
        if (PG_ARGISNULL(i)) PG_RETURN_NULL();
    const std::string organization = uuid_arg(fcinfo, 0);
    const bool portal = PG_GETARG_BOOL(1);
    const std::string account = uuid_arg(fcinfo, 2);
    PG_RETURN_TEXT_P(mycelium::pg::utf8_to_text(mycelium::core::listen_channel(
        mycelium::pg::context_key(), organization, portal, account)));
}
